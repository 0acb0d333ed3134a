import { EC2Client, type SpotFleetRequestConfig } from '@aws-sdk/client-ec2';
import { ErrorNames, FleetOpsError, UnsupportedFleetError } from '../lib/errors';
import type { ContainerInstanceSummary } from '../lib/aws/container-instances';
import { describeFleets, describeInstances } from '../lib/aws/fleets';

const USABLE_STATES = new Set(['active', 'modifying']);

/**
 * The Spot Fleet that backs the cluster: the configured one, or else the one active fleet whose
 * instances are container instances of the cluster (found by their aws:ec2spot:fleet-request-id
 * tag, as the AMI rollover finds them — so a fleet the rollover replaced is found again).
 */
export async function clusterFleet(ec2: EC2Client, cluster: string, containerInstances: ContainerInstanceSummary[], fleetId?: string): Promise<SpotFleetRequestConfig> {
  if (fleetId) {
    const [fleet] = await describeFleets(ec2, [fleetId]);
    if (!USABLE_STATES.has(fleet.SpotFleetRequestState ?? '')) {
      throw new UnsupportedFleetError(`Spot Fleet ${fleetId} configured for cluster ${cluster} is ${fleet.SpotFleetRequestState}; update scaleFleets (an AMI rollover replaces fleets: leave fleetId out to follow them)`);
    }
    return fleet;
  }
  const facts = await describeInstances(ec2, containerInstances.map((ci) => ci.ec2InstanceId));
  const ids = [...new Set(facts.map((f) => f.fleetId).filter((id): id is string => Boolean(id)))].sort();
  const fleets = (await describeFleets(ec2, ids)).filter((f) => USABLE_STATES.has(f.SpotFleetRequestState ?? ''));
  if (fleets.length === 0) throw new UnsupportedFleetError(`Cluster ${cluster} has no instance from an active Spot Fleet; set fleetId in its scaleFleets entry`);
  if (fleets.length > 1) {
    throw new UnsupportedFleetError(`Cluster ${cluster} has instances from ${fleets.length} active Spot Fleets (${fleets.map((f) => f.SpotFleetRequestId).join(', ')}); name the one to scale with fleetId in its scaleFleets entry`);
  }
  return fleets[0];
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
