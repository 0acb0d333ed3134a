import { clients } from '../lib/clients';
import { logger, withContext } from '../lib/log';
import { releaseScaleLock } from './lock';
import type { ScaleState } from './state';

/** ReleaseLock: on success and on every failure path; does nothing unless this execution holds the service's lock. */
export async function handler(state: ScaleState): Promise<{ released: boolean }> {
  const { cluster, service } = state.request ?? {};
  withContext({ execution: state.execution?.name, cluster, state: 'ReleaseLock' });
  if (!cluster || !service || !state.execution) return { released: false };
  const released = await releaseScaleLock(clients().ssm, cluster, service, state.execution.id);
  logger.info(released ? 'Lock released' : 'No lock of ours to release');
  return { released };
}
