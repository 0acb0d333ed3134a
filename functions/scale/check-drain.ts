import { clients } from '../lib/clients';
import { checkDraining, drainTimeoutError } from '../lib/drain';
import { logger, withContext } from '../lib/log';
import { nextWaitSeconds } from '../rollover/polling';
import { viewSpare } from './spare';
import type { DrainProgress, ScaleState, Wait } from './state';

/**
 * CheckSpareDrain: drained when none of the spare instances runs a task, has one pending, or still
 * holds a reservation of a task that is stopping — and none of their targets is draining. A spare
 * instance found ACTIVE again is set DRAINING once more (nextBatch). Past the deadline:
 * DrainTimeout naming the tasks that did not move.
 */
export async function handler(state: ScaleState): Promise<Wait<'draining' | 'nextBatch' | 'drained', DrainProgress>> {
  const r = state.request;
  withContext({ execution: state.execution.name, cluster: r.cluster, state: 'CheckSpareDrain' });
  const { ecs, elbv2 } = clients();
  const wait = state.drain!;
  const spare = await viewSpare(ecs, r.cluster, state.shrink!);
  const draining = spare.filter((ci) => ci.status === 'DRAINING');
  const active = spare.filter((ci) => ci.status === 'ACTIVE');
  const check = await checkDraining(elbv2, draining, state.shrink!.targetGroupArns, wait.deadline);
  const progress = {
    instances: spare.length,
    draining: draining.length,
    empty: draining.length - check.busy.length,
    tasksLeft: check.tasksLeft,
    targetsDraining: check.targets.draining,
    standaloneStopped: wait.progress.standaloneStopped,
  };
  const status = check.done ? (active.length > 0 ? 'nextBatch' : 'drained') : 'draining';
  logger.info('Drain progress', { status, ...progress, deregisteredTargets: check.targets.deregistered });
  if (status === 'draining' && check.secondsLeft <= 0) {
    throw await drainTimeoutError(ecs, r.cluster, check, `Drain of ${spare.length} spare instance(s) of cluster ${r.cluster} timed out after ${r.drain.timeoutSeconds} s`);
  }
  return { ...wait, status, polls: wait.polls + 1, waitSeconds: nextWaitSeconds(r.pollSeconds, check.secondsLeft), progress };
}
