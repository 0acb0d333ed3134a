import type { AutoScalingClient, AutoScalingGroup } from '@aws-sdk/client-auto-scaling';
import type { EC2Client, SpotFleetRequestConfig } from '@aws-sdk/client-ec2';
import { UnsupportedFleetError } from '../lib/errors';
import { describeGroups } from '../lib/aws/auto-scaling-groups';
import type { ContainerInstanceSummary } from '../lib/aws/container-instances';
import { describeFleets, describeInstances } from '../lib/aws/fleets';
import { configuredFleet, USABLE_FLEET_STATES } from './fleet';
import { configuredGroup } from './group';

/** What a scaling grows and shrinks: a Spot Fleet, or an EC2 Auto Scaling group. */
export type CapacitySource = { kind: 'fleet'; fleet: SpotFleetRequestConfig } | { kind: 'group'; group: AutoScalingGroup };

/**
 * Where the cluster's capacity comes from: the Spot Fleet (`fleetId`) or Auto Scaling group
 * (`groupName`) its scaleFleets entry names, else the one active fleet or group whose instances
 * are container instances of the cluster — found by the tags AWS puts on them
 * (aws:ec2spot:fleet-request-id, aws:autoscaling:groupName), as the AMI rollover finds them, so a
 * fleet the rollover replaced is found again. A cluster with several (a hybrid one: a fleet and a
 * group) is refused with what to configure: which of them to scale is the operator's choice.
 */
export async function capacitySource(
  aws: { ec2: EC2Client; autoscaling: AutoScalingClient },
  cluster: string,
  containerInstances: ContainerInstanceSummary[],
  named: { fleetId?: string; groupName?: string },
): Promise<CapacitySource> {
  if (named.fleetId) return { kind: 'fleet', fleet: await configuredFleet(aws.ec2, cluster, named.fleetId) };
  if (named.groupName) return { kind: 'group', group: await configuredGroup(aws.autoscaling, cluster, named.groupName) };

  const facts = await describeInstances(aws.ec2, containerInstances.map((ci) => ci.ec2InstanceId));
  const fleetIds = distinct(facts.map((f) => f.fleetId));
  const groupNames = distinct(facts.map((f) => f.groupName));
  const fleets = (await describeFleets(aws.ec2, fleetIds)).filter((f) => USABLE_FLEET_STATES.has(f.SpotFleetRequestState ?? ''));
  // A group being deleted (Status "Delete in progress") backs nothing any more.
  const groups = (await describeGroups(aws.autoscaling, groupNames)).filter((g) => !g.Status);
  const found: CapacitySource[] = [...fleets.map((fleet) => ({ kind: 'fleet' as const, fleet })), ...groups.map((group) => ({ kind: 'group' as const, group }))];
  if (found.length === 1) return found[0];
  if (found.length === 0) {
    throw new UnsupportedFleetError(`Cluster ${cluster} has no instance from an active Spot Fleet or an Auto Scaling group; set fleetId or groupName in its scaleFleets entry`);
  }
  if (groups.length === 0) {
    throw new UnsupportedFleetError(`Cluster ${cluster} has instances from ${fleets.length} active Spot Fleets (${fleets.map((f) => f.SpotFleetRequestId).join(', ')}); name the one to scale with fleetId in its scaleFleets entry`);
  }
  const names = [...fleets.map((f) => `Spot Fleet ${f.SpotFleetRequestId}`), ...groups.map((g) => `Auto Scaling group ${g.AutoScalingGroupName}`)];
  throw new UnsupportedFleetError(
    `Cluster ${cluster} has capacity from ${found.length} sources (${names.join(', ')}); name the one to scale with fleetId or groupName in its scaleFleets entry`,
  );
}

function distinct(values: (string | undefined)[]): string[] {
  return [...new Set(values.filter((v): v is string => Boolean(v)))].sort();
}
