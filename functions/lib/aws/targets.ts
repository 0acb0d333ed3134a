import {
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
