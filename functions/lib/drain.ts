import type { ECSClient } from '@aws-sdk/client-ecs';
import type { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { ErrorNames, FleetOpsError } from './errors';
import { logger } from './log';
import { secondsUntil } from './time';
import { isEmpty, setContainerInstancesStatus, type ContainerInstanceSummary, type StateChangeResult } from './aws/container-instances';
import { deregisterTargets, targetsOf } from './aws/targets';
import { describeTask, isStandalone, stopTasks, tasksOnInstances } from './aws/tasks';

/**
 * Draining container instances before their EC2 instances go away, as every workflow that removes
 * capacity does it (the AMI rollover's old and replacement fleets, a scale-in's spare instances):
 * set them DRAINING and let ECS move their service tasks; wait until none holds a task or a
 * draining target; past a deadline, name the tasks that did not move.
 */

export type StandaloneTaskPolicy = 'wait' | 'stop';

export interface DrainStart extends StateChangeResult {
  /** Standalone tasks stopped by this call (policy "stop"). */
  standaloneStopped: number;
}

/**
 * Sets the instances DRAINING (10 per call; a call can half-succeed). ECS does not move standalone
 * tasks: with the "stop" policy they are stopped now, with "wait" the drain waits for them to end.
 */
export async function startDraining(ecs: ECSClient, cluster: string, arns: string[], options: { standaloneTasks: StandaloneTaskPolicy; reason: string }): Promise<DrainStart> {
  const result = await setContainerInstancesStatus(ecs, cluster, arns, 'DRAINING');
  if (result.failures.length) logger.warn('Some container instances could not be set DRAINING', { failures: result.failures.slice(0, 10) });
  let standaloneStopped = 0;
  if (options.standaloneTasks === 'stop' && result.changed.length > 0) {
    const tasks = await tasksOnInstances(ecs, cluster, new Set(result.changed));
    standaloneStopped = await stopTasks(ecs, cluster, tasks.filter(isStandalone), options.reason);
  }
  return { ...result, standaloneStopped };
}

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

export interface DrainCheck {
  /** None of the draining instances runs a task, has one pending or still stopping, and none of their targets drains. */
  done: boolean;
  /** Draining instances that still hold a task or a reservation. */
  busy: ContainerInstanceSummary[];
  tasksLeft: number;
  targets: TargetSweep;
  secondsLeft: number;
}

/** Where the drain of these (DRAINING) instances stands; recomputed from AWS at each poll. */
export async function checkDraining(elbv2: ElasticLoadBalancingV2Client, draining: ContainerInstanceSummary[], targetGroupArns: string[], deadline: string): Promise<DrainCheck> {
  const busy = draining.filter((ci) => !isEmpty(ci));
  const targets = await sweepTargets(elbv2, targetGroupArns, draining);
  const tasksLeft = draining.reduce((n, ci) => n + ci.runningTasks, 0);
  return { done: busy.length === 0 && targets.draining === 0, busy, tasksLeft, targets, secondsLeft: secondsUntil(deadline) };
}

/** How many stuck tasks a DrainTimeout names (the cause must stay readable and small). */
const NAMED_TASKS = 10;

/** The DrainTimeout error for a drain past its deadline: `what` ("Drain of … timed out after N s") and the tasks that did not move. */
export async function drainTimeoutError(ecs: ECSClient, cluster: string, check: DrainCheck, what: string): Promise<FleetOpsError> {
  const stuck = await tasksOnInstances(ecs, cluster, new Set(check.busy.map((ci) => ci.arn)));
  const named = stuck.slice(0, NAMED_TASKS).map(describeTask).join(', ');
  const more = stuck.length > NAMED_TASKS ? ` and ${stuck.length - NAMED_TASKS} more` : '';
  const left = stuck.length ? `tasks still on draining instances: ${named}${more}` : `${check.targets.draining} target(s) still draining`;
  return new FleetOpsError(ErrorNames.DrainTimeout, `${what}; ${left}`);
}
