import { clients } from '../lib/clients';
import { logger, withContext } from '../lib/log';
import { removeFleetScaling } from '../lib/aws/scaling-registrations';
import { scopeFleetIds } from './scope';
import type { RolloverState } from './state';

export interface ScalingRemoved {
  removed: number;
}

/**
 * RemoveOldScalingRegistrations / RemoveReplacementScalingRegistrations: once the scope's fleets
 * are cancelled, deregisters their scalable targets (Application Auto Scaling deletes the
 * policies and scheduled actions with them). A target already gone counts as done.
 */
export async function handler(state: RolloverState): Promise<ScalingRemoved> {
  const scope = state.drain?.scope ?? 'old';
  withContext({ execution: state.execution.name, cluster: state.request.cluster, state: scope === 'old' ? 'RemoveOldScalingRegistrations' : 'RemoveReplacementScalingRegistrations' });
  const { ec2, applicationAutoScaling } = clients();
  const fleetIds = await scopeFleetIds({ ec2 }, state, scope);
  let removed = 0;
  for (const fleetId of fleetIds) if (await removeFleetScaling(applicationAutoScaling, fleetId)) removed += 1;
  if (removed) logger.info('Scalable targets deregistered with their policies and scheduled actions', { scope, fleetIds, removed });
  return { removed };
}
