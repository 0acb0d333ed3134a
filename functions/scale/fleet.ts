import { EC2Client, type SpotFleetRequestConfig } from '@aws-sdk/client-ec2';
import { ErrorNames, FleetOpsError, UnsupportedFleetError } from '../lib/errors';
import { describeFleets } from '../lib/aws/fleets';

/** Fleet states in which a fleet still backs its cluster. */
export const USABLE_FLEET_STATES = new Set(['active', 'modifying']);

/** The Spot Fleet the cluster's scaleFleets entry names, if it still backs the cluster. */
export async function configuredFleet(ec2: EC2Client, cluster: string, fleetId: string): Promise<SpotFleetRequestConfig> {
  const [fleet] = await describeFleets(ec2, [fleetId]);
  if (!USABLE_FLEET_STATES.has(fleet.SpotFleetRequestState ?? '')) {
    throw new UnsupportedFleetError(`Spot Fleet ${fleetId} configured for cluster ${cluster} is ${fleet.SpotFleetRequestState}; update scaleFleets (an AMI rollover replaces fleets: leave fleetId out to follow them)`);
  }
  return fleet;
}

/**
 * The fleet, ready to be modified: `maintain` and active. One that is being modified right now
 * (another scaling of the cluster) is FleetBusy, which the state machine retries.
 */
export async function usableFleet(ec2: EC2Client, fleetId: string): Promise<SpotFleetRequestConfig> {
  const [fleet] = await describeFleets(ec2, [fleetId]);
  if (fleet.SpotFleetRequestState === 'modifying') throw new FleetOpsError(ErrorNames.FleetBusy, `Spot Fleet ${fleetId} is being modified; try again shortly`);
  if (fleet.SpotFleetRequestState !== 'active') throw new UnsupportedFleetError(`Spot Fleet ${fleetId} is ${fleet.SpotFleetRequestState}; only an active fleet can be resized`);
  if ((fleet.SpotFleetRequestConfig?.Type ?? 'maintain') !== 'maintain') throw new UnsupportedFleetError(`Spot Fleet ${fleetId} is of type ${fleet.SpotFleetRequestConfig?.Type}; only maintain fleets can be resized`);
  return fleet;
}
