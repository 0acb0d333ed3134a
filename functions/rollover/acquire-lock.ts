import { clients } from '../lib/clients';
import { logger, withContext } from '../lib/log';
import { acquireLock } from './lock';
import type { LockRef, RolloverState } from './state';

/** AcquireLock: one rollover per cluster; a second one fails fast with RolloverInProgress, touching nothing. */
export async function handler(state: RolloverState): Promise<LockRef> {
  withContext({ execution: state.execution.name, cluster: state.request.cluster, state: 'AcquireLock' });
  const { ssm, sfn } = clients();
  const lock = await acquireLock(ssm, sfn, state.request.cluster, state.execution.id, state.execution.startedAt);
  if (lock.tookOverFrom) logger.warn('Took over a stale lock', { staleOwner: lock.tookOverFrom });
  return { parameter: lock.parameter, owner: lock.owner };
}
