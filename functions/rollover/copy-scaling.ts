import { clients } from '../lib/clients';
import { logger, withContext } from '../lib/log';
import { copyFleetScaling, describeFleetScaling } from '../lib/aws/scaling-registrations';
import type { RolloverState, ScalingCarryOver } from './state';

/**
 * CopyScalingRegistrations: what Application Auto Scaling holds for each old fleet (scalable
 * target with its bounds and suspended state, scaling policies, scheduled actions) registered
 * again on its replacement, so the fleet keeps scaling as before once the old one is retired.
 * Every call is a put: a retry converges instead of duplicating.
 */
export async function handler(state: RolloverState): Promise<ScalingCarryOver> {
  withContext({ execution: state.execution.name, cluster: state.request.cluster, state: 'CopyScalingRegistrations' });
  const { applicationAutoScaling } = clients();
  const out: ScalingCarryOver = { fleets: 0, policies: 0, scheduledActions: 0 };
  for (const pair of state.replacement?.fleets ?? []) {
    const scaling = await describeFleetScaling(applicationAutoScaling, pair.oldFleetId);
    if (!scaling.target) continue;
    const copied = await copyFleetScaling(applicationAutoScaling, scaling, pair.newFleetId);
    out.fleets += 1;
    out.policies += copied.policies;
    out.scheduledActions += copied.scheduledActions;
    logger.info('Scaling registrations copied to the replacement fleet', { ...pair, ...copied, minCapacity: scaling.target.MinCapacity, maxCapacity: scaling.target.MaxCapacity });
  }
  return out;
}
