import { clients } from '../lib/clients';
import { logger, withContext } from '../lib/log';
import { releaseLock } from './lock';
import type { RolloverState } from './state';

/** ReleaseLock: on success and on every failure path; does nothing unless this execution holds the lock. */
export async function handler(state: RolloverState): Promise<{ released: boolean }> {
  const cluster = state.request?.cluster;
  withContext({ execution: state.execution?.name, cluster, state: 'ReleaseLock' });
  if (!cluster || !state.execution) return { released: false };
  const released = await releaseLock(clients().ssm, cluster, state.execution.id);
  logger.info(released ? 'Lock released' : 'No lock of ours to release');
  return { released };
}
