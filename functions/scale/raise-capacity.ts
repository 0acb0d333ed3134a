import { ModifySpotFleetRequestCommand } from '@aws-sdk/client-ec2';
import { clients } from '../lib/clients';
import { AccessDeniedError, isAccessDenied } from '../lib/errors';
import { logger, withContext } from '../lib/log';
import { isoAfter } from '../lib/time';
import { firstWaitSeconds } from '../rollover/polling';
import { usableFleet } from './fleet';
import type { CapacityProgress, ScaleState, Wait } from './state';

/**
 * RaiseFleetCapacity: the fleet's target capacity to the planned number of weighted units. Never
 * lowers it, so a retried step, or another scaling that raised it meanwhile, is not undone.
 */
export async function handler(state: ScaleState): Promise<Wait<'waiting', CapacityProgress>> {
  const r = state.request;
  withContext({ execution: state.execution.name, cluster: r.cluster, state: 'RaiseFleetCapacity' });
  const { ec2 } = clients();
  const planned = state.plan!.capacity!;
  const fleet = await usableFleet(ec2, planned.fleetId);
  const current = fleet.SpotFleetRequestConfig?.TargetCapacity ?? 0;
  const target = Math.max(current, planned.toTarget);
  if (target > current) {
    try {
      await ec2.send(new ModifySpotFleetRequestCommand({ SpotFleetRequestId: planned.fleetId, TargetCapacity: target }));
    } catch (error) {
      if (isAccessDenied(error)) throw new AccessDeniedError(`ec2:ModifySpotFleetRequest on ${planned.fleetId} was denied (${(error as Error).message}); the service was not scaled`);
      throw error;
    }
  }
  logger.info(target > current ? 'Fleet target capacity raised' : 'Fleet target capacity already high enough', { fleetId: planned.fleetId, from: current, to: target });
  return {
    status: 'waiting',
    deadline: isoAfter(r.capacityTimeoutSeconds),
    waitSeconds: firstWaitSeconds(r.pollSeconds),
    polls: 0,
    progress: { targetCapacity: target, fulfilledCapacity: fleet.SpotFleetRequestConfig?.FulfilledCapacity ?? 0, instances: 0, activeInCluster: 0 },
  };
}
