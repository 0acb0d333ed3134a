import { clients } from '../lib/clients';
import { logger, withContext } from '../lib/log';
import { setContainerInstancesStatus } from '../lib/aws/container-instances';
import { describeInstances } from '../lib/aws/fleets';
import { viewScope } from './scope';
import type { RolloverState } from './state';

/**
 * ReactivateOldInstances / ReactivateReplacement: after a drain timed out, the scope's DRAINING
 * instances go back to ACTIVE so the cluster keeps its full capacity — except an instance AWS is
 * reclaiming (spot interruption): the interruption drain keeps it DRAINING, and so do we.
 */
export async function handler(state: RolloverState): Promise<{ reactivated: number; failures: number }> {
  const { cluster } = state.request;
  const scope = state.drain?.scope ?? 'old';
  withContext({ execution: state.execution.name, cluster, state: scope === 'old' ? 'ReactivateOldInstances' : 'ReactivateReplacement' });
  const aws = clients();
  const { ec2, ecs } = aws;
  const view = await viewScope(aws, state, scope);
  const candidates = view.inScope.filter((ci) => ci.status === 'DRAINING');
  const facts = new Map((await describeInstances(ec2, candidates.map((ci) => ci.ec2InstanceId))).map((f) => [f.instanceId, f]));
  const draining = candidates.filter((ci) => facts.get(ci.ec2InstanceId)?.state === 'running' && !facts.get(ci.ec2InstanceId)?.interrupted).map((ci) => ci.arn);
  const result = await setContainerInstancesStatus(ecs, cluster, draining, 'ACTIVE');
  logger.info('Instances set ACTIVE again', { scope, reactivated: result.changed.length, failures: result.failures.slice(0, 10) });
  return { reactivated: result.changed.length, failures: result.failures.length };
}
