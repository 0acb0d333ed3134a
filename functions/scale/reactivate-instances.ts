import { clients } from '../lib/clients';
import { logger, withContext } from '../lib/log';
import { setContainerInstancesStatus } from '../lib/aws/container-instances';
import { viewSpare } from './spare';
import type { ScaleState } from './state';

/** ReactivateSpareInstances: after a drain failed or timed out, the spare instances go back to ACTIVE; the fleet keeps them. */
export async function handler(state: ScaleState): Promise<{ reactivated: number; failures: number }> {
  const r = state.request;
  withContext({ execution: state.execution.name, cluster: r.cluster, state: 'ReactivateSpareInstances' });
  const { ecs } = clients();
  const draining = (await viewSpare(ecs, r.cluster, state.shrink!)).filter((ci) => ci.status === 'DRAINING').map((ci) => ci.arn);
  const result = await setContainerInstancesStatus(ecs, r.cluster, draining, 'ACTIVE');
  logger.info('Spare instances set ACTIVE again', { reactivated: result.changed.length, failures: result.failures.slice(0, 10) });
  return { reactivated: result.changed.length, failures: result.failures.length };
}
