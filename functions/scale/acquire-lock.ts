import { clients } from '../lib/clients';
import { logger, withContext } from '../lib/log';
import type { LockRef } from '../rollover/state';
import { acquireScaleLock } from './lock';
import type { ScaleState } from './state';

/** AcquireLock: one scaling per service, none during a rollover of the cluster; refused with ScaleInProgress / RolloverInProgress, touching nothing. */
export async function handler(state: ScaleState): Promise<LockRef> {
  const { cluster, service } = state.request;
  withContext({ execution: state.execution.name, cluster, state: 'AcquireLock' });
  const { ssm, sfn } = clients();
  const lock = await acquireScaleLock(ssm, sfn, cluster, service, state.execution.id, state.execution.startedAt);
  if (lock.tookOverFrom) logger.warn('Took over a stale lock', { staleOwner: lock.tookOverFrom });
  return { parameter: lock.parameter, owner: lock.owner };
}
