import { clients } from '../lib/clients';
import { logger, withContext } from '../lib/log';
import { setContainerInstancesStatus } from '../lib/aws/container-instances';
import { viewScope } from './scope';
import type { RolloverState } from './state';

/**
 * ReactivateOldInstances / ReactivateReplacement: after a drain timed out, the scope's DRAINING
 * instances go back to ACTIVE so the cluster keeps its full capacity.
 */
export async function handler(state: RolloverState): Promise<{ reactivated: number; failures: number }> {
  const { cluster } = state.request;
  const scope = state.drain?.scope ?? 'old';
  withContext({ execution: state.execution.name, cluster, state: scope === 'old' ? 'ReactivateOldInstances' : 'ReactivateReplacement' });
  const { ec2, ecs } = clients();
  const view = await viewScope({ ec2, ecs }, state, scope);
  const draining = view.inScope.filter((ci) => ci.status === 'DRAINING').map((ci) => ci.arn);
  const result = await setContainerInstancesStatus(ecs, cluster, draining, 'ACTIVE');
  logger.info('Instances set ACTIVE again', { scope, reactivated: result.changed.length, failures: result.failures.slice(0, 10) });
  return { reactivated: result.changed.length, failures: result.failures.length };
}
