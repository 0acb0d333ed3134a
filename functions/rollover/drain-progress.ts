import type { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { isEmpty, type ContainerInstanceSummary } from '../lib/aws/container-instances';
import { deregisterTargets, targetsOf } from '../lib/aws/targets';

export interface TargetSweep {
  /** Targets of draining instances still draining in their target group. */
  draining: number;
  /** Targets of emptied instances we deregistered now (instance-level registrations serve no task). */
  deregistered: number;
}

/**
 * Looks at each target group for targets of the instances being drained. A target still
 * `draining` is waited for. A target of an instance that holds no task any more (an instance-level
 * registration, e.g. by target sync) serves nothing: it is deregistered now, and waited for next.
 * Targets of instances that still run tasks are left to ECS, which deregisters a task's target
 * when the task stops.
 */
export async function sweepTargets(elbv2: ElasticLoadBalancingV2Client, targetGroupArns: string[], draining: ContainerInstanceSummary[]): Promise<TargetSweep> {
  const byInstance = new Map(draining.map((ci) => [ci.ec2InstanceId, ci]));
  const sweep: TargetSweep = { draining: 0, deregistered: 0 };
  for (const tg of targetGroupArns) {
    const stale: { id: string; port: number }[] = [];
    for (const t of await targetsOf(elbv2, tg)) {
      const ci = byInstance.get(t.id);
      if (!ci) continue;
      if (t.state === 'draining') sweep.draining++;
      else if (isEmpty(ci)) stale.push(t);
    }
    if (stale.length) {
      await deregisterTargets(elbv2, tg, stale);
      sweep.deregistered += stale.length;
      sweep.draining += stale.length;
    }
  }
  return sweep;
}
