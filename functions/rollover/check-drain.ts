import { clients } from '../lib/clients';
import { ErrorNames, FleetOpsError } from '../lib/errors';
import { logger, withContext } from '../lib/log';
import { secondsUntil } from '../lib/time';
import { isEmpty } from '../lib/aws/container-instances';
import { describeTask, tasksOnInstances } from '../lib/aws/tasks';
import { sweepTargets } from './drain-progress';
import { nextWaitSeconds } from './polling';
import { viewScope } from './scope';
import type { Drain, RolloverState } from './state';

/** How many stuck tasks a DrainTimeout names (the cause must stay readable and small). */
const NAMED_TASKS = 10;

/**
 * CheckOldDrain / CheckReplacementDrain: the batch is done when none of its instances runs a task,
 * has one pending, or still holds a reservation of a task that is stopping — and none of their
 * targets is still draining. Then the next batch, or "drained". Past the deadline: DrainTimeout,
 * naming the tasks that did not move.
 */
export async function handler(state: RolloverState): Promise<Drain> {
  const { cluster, pollSeconds } = state.request;
  const drain = state.drain!;
  withContext({ execution: state.execution.name, cluster, state: drain.scope === 'old' ? 'CheckOldDrain' : 'CheckReplacementDrain' });
  const { ec2, ecs, elbv2 } = clients();
  const view = await viewScope({ ec2, ecs }, state, drain.scope);
  const draining = view.inScope.filter((ci) => ci.status === 'DRAINING');
  const active = view.inScope.filter((ci) => ci.status === 'ACTIVE');
  const busy = draining.filter((ci) => !isEmpty(ci));
  const targets = await sweepTargets(elbv2, state.plan?.targetGroupArns ?? [], draining);
  const tasksLeft = draining.reduce((n, ci) => n + ci.runningTasks + ci.pendingTasks, 0);

  const progress = {
    instances: view.inScope.length,
    draining: draining.length,
    empty: draining.length - busy.length,
    tasksLeft,
    targetsDraining: targets.draining,
    standaloneStopped: drain.progress?.standaloneStopped ?? 0,
  };
  const batchDone = busy.length === 0 && targets.draining === 0;
  const status: Drain['status'] = batchDone ? (active.length > 0 ? 'nextBatch' : 'drained') : 'draining';
  const remaining = secondsUntil(drain.deadline!);
  logger.info('Drain progress', { scope: drain.scope, status, ...progress, deregisteredTargets: targets.deregistered });

  if (status === 'draining' && remaining <= 0) {
    const stuck = await tasksOnInstances(ecs, cluster, new Set(busy.map((ci) => ci.arn)));
    const named = stuck.slice(0, NAMED_TASKS).map(describeTask).join(', ');
    const more = stuck.length > NAMED_TASKS ? ` and ${stuck.length - NAMED_TASKS} more` : '';
    const what = stuck.length ? `tasks still on draining instances: ${named}${more}` : `${targets.draining} target(s) still draining`;
    throw new FleetOpsError(ErrorNames.DrainTimeout, `Drain of the ${drain.scope === 'old' ? 'old' : 'replacement'} instances of cluster ${cluster} timed out after ${state.request.drain.timeoutSeconds} s; ${what}`);
  }
  return { ...drain, status, polls: (drain.polls ?? 0) + 1, waitSeconds: nextWaitSeconds(pollSeconds, remaining), progress };
}
