import { clients } from '../lib/clients';
import { ErrorNames, FleetOpsError } from '../lib/errors';
import { logger, withContext } from '../lib/log';
import { recordMetrics } from '../lib/metrics';
import { isEmpty } from '../lib/aws/container-instances';
import { cancelFleets } from '../lib/aws/fleets';
import { retireGroups } from './retire-groups';
import { viewScope } from './scope';
import type { RolloverState } from './state';

export interface RetireResult {
  status: 'retired' | 'notDrained';
  cancelled: string[];
  instances: number;
  /** Groups whose scope instances were terminated (and the group put right): name and how many. */
  groups?: { groupName: string; terminated: number }[];
}

/**
 * RetireOldFleets / CancelReplacement: cancels the scope's fleets with their instances, and
 * terminates the scope's instances of the groups being rolled (then puts each group's bounds,
 * template and processes right) — but only after checking again that none of the scope's
 * instances is ACTIVE or holds a task. If one is (a fleet replaced an interrupted instance
 * meanwhile), nothing is cancelled and the workflow goes back to draining.
 */
export async function handler(state: RolloverState): Promise<RetireResult> {
  const { cluster } = state.request;
  const scope = state.drain?.scope ?? 'old';
  withContext({ execution: state.execution.name, cluster, state: scope === 'old' ? 'RetireOldFleets' : 'CancelReplacement' });
  const aws = clients();
  const { ec2 } = aws;
  const view = await viewScope(aws, state, scope);
  const notReady = view.inScope.filter((ci) => ci.status === 'ACTIVE' || !isEmpty(ci));
  if (notReady.length > 0) {
    logger.warn('Fleet instances still active or busy; draining again before cancelling', { instances: notReady.map((ci) => ci.ec2InstanceId).slice(0, 10) });
    return { status: 'notDrained', cancelled: [], instances: view.inScope.length };
  }
  const result = await cancelFleets(ec2, view.fleetIds);
  if (result.failed.length) {
    throw new FleetOpsError(scope === 'old' ? ErrorNames.RetireFailed : ErrorNames.RollbackIncomplete, `Could not cancel fleet(s): ${result.failed.map((f) => `${f.id} (${f.code}: ${f.message})`).join('; ')}`);
  }
  if (view.fleetIds.length) logger.info('Fleets cancelled with their instances', { scope, cancelled: result.cancelled, alreadyCancelled: result.alreadyCancelled });
  const groups = await retireGroups(aws, scope, view.groups);
  if (scope === 'old') recordMetrics({ cluster }, { InstancesReplaced: [view.inScope.length, 'Count'] });
  return { status: 'retired', cancelled: [...result.cancelled, ...result.alreadyCancelled], instances: view.inScope.length, ...(groups.length ? { groups } : {}) };
}
