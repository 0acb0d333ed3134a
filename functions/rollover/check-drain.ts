import { clients } from '../lib/clients';
import { checkDraining, drainTimeoutError } from '../lib/drain';
import { logger, withContext } from '../lib/log';
import { recordMetrics } from '../lib/metrics';
import { nowMs } from '../lib/time';
import { drainWaitSeconds } from './polling';
import { viewScope } from './scope';
import type { Drain, RolloverState } from './state';

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
  const aws = clients();
  const { ecs, elbv2 } = aws;
  const view = await viewScope(aws, state, drain.scope);
  const draining = view.inScope.filter((ci) => ci.status === 'DRAINING');
  const active = view.inScope.filter((ci) => ci.status === 'ACTIVE');
  const check = await checkDraining(elbv2, draining, state.plan?.targetGroupArns ?? [], drain.deadline!);

  const progress = {
    instances: view.inScope.length,
    draining: draining.length,
    empty: draining.length - check.busy.length,
    tasksLeft: check.tasksLeft,
    targetsDraining: check.targets.draining,
    standaloneStopped: drain.progress?.standaloneStopped ?? 0,
  };
  const status: Drain['status'] = check.done ? (active.length > 0 ? 'nextBatch' : 'drained') : 'draining';
  logger.info('Drain progress', { scope: drain.scope, status, ...progress, deregisteredTargets: check.targets.deregistered });

  if (status === 'draining' && check.secondsLeft <= 0) {
    const which = drain.scope === 'old' ? 'old' : 'replacement';
    throw await drainTimeoutError(ecs, cluster, check, `Drain of the ${which} instances of cluster ${cluster} timed out after ${state.request.drain.timeoutSeconds} s`);
  }
  const before = drain.progress;
  const madeProgress = !before || check.tasksLeft < before.tasksLeft || check.targets.draining < before.targetsDraining || progress.empty > before.empty;
  if (status === 'drained' && drain.startedAt) {
    recordMetrics({ cluster }, { [drain.scope === 'old' ? 'DrainTime' : 'RollbackDrainTime']: [Math.round((nowMs() - Date.parse(drain.startedAt)) / 1000), 'Seconds'] });
  }
  return { ...drain, status, polls: (drain.polls ?? 0) + 1, waitSeconds: drainWaitSeconds(pollSeconds, drain.waitSeconds, madeProgress, check.secondsLeft), progress };
}
