import {
  DescribeTargetGroupAttributesCommand,
  DescribeTargetGroupsCommand,
  DeregisterTargetsCommand,
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
  type TargetHealthStateEnum,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { chunks } from '../chunks';

export interface TargetView {
  id: string;
  port: number;
  state: TargetHealthStateEnum | string;
}

/** Every target of a group with its health (DescribeTargetHealth returns all of them, unpaginated). */
export async function targetsOf(elbv2: ElasticLoadBalancingV2Client, targetGroupArn: string): Promise<TargetView[]> {
  const res = await elbv2.send(new DescribeTargetHealthCommand({ TargetGroupArn: targetGroupArn }));
  return (res.TargetHealthDescriptions ?? []).map((d) => ({ id: d.Target?.Id ?? '', port: d.Target?.Port ?? 0, state: d.TargetHealth?.State ?? 'unavailable' }));
}

/** Deregisters targets in batches (deregistering an unknown target succeeds, so a retry is harmless). */
export async function deregisterTargets(elbv2: ElasticLoadBalancingV2Client, targetGroupArn: string, targets: { id: string; port: number }[]): Promise<void> {
  for (const batch of chunks(targets, 500)) {
    await elbv2.send(new DeregisterTargetsCommand({ TargetGroupArn: targetGroupArn, Targets: batch.map((t) => ({ Id: t.id, Port: t.port })) }));
  }
}

export interface TargetGroupTimings {
  targetGroupArn: string;
  /** Interval × healthy threshold: the least time a new target takes to turn healthy. */
  healthySeconds: number;
  deregistrationDelaySeconds: number;
}

/** How long these target groups take to admit a target and to let one go (AWS's defaults: 150 s and 300 s). */
export async function targetGroupTimings(elbv2: ElasticLoadBalancingV2Client, arns: string[]): Promise<TargetGroupTimings[]> {
  const out: TargetGroupTimings[] = [];
  for (const batch of chunks(arns, 20)) {
    const groups = (await elbv2.send(new DescribeTargetGroupsCommand({ TargetGroupArns: batch }))).TargetGroups ?? [];
    for (const tg of groups) {
      const attributes = (await elbv2.send(new DescribeTargetGroupAttributesCommand({ TargetGroupArn: tg.TargetGroupArn! }))).Attributes ?? [];
      const delay = Number(attributes.find((a) => a.Key === 'deregistration_delay.timeout_seconds')?.Value ?? 300);
      out.push({ targetGroupArn: tg.TargetGroupArn!, healthySeconds: (tg.HealthCheckIntervalSeconds ?? 30) * (tg.HealthyThresholdCount ?? 5), deregistrationDelaySeconds: delay });
    }
  }
  return out;
}
