import type { AutoScalingClient, AutoScalingGroup } from '@aws-sdk/client-auto-scaling';
import type { EC2Client } from '@aws-sdk/client-ec2';
import { NotFoundError, UnsupportedGroupError } from '../lib/errors';
import { describeGroups, groupLaunchTemplate, isInService, liveInstances, suspendedProcesses } from '../lib/aws/auto-scaling-groups';
import type { ContainerInstanceSummary } from '../lib/aws/container-instances';
import { templateVersionData } from '../lib/aws/launch-templates';

/**
 * An EC2 Auto Scaling group as a scaling's capacity: counted in instances (one unit each), grown by
 * its desired capacity within its MaxSize, shrunk only by TerminateInstanceInAutoScalingGroup of
 * drained instances — never by lowering the desired capacity, which lets the group choose its
 * own victims, tasks or not.
 */

/** The group the cluster's scaleFleets entry names. */
export async function configuredGroup(autoscaling: AutoScalingClient, cluster: string, groupName: string): Promise<AutoScalingGroup> {
  const [group] = await describeGroups(autoscaling, [groupName]);
  if (!group) throw new NotFoundError(`Auto Scaling group ${groupName} configured for cluster ${cluster} (scaleFleets) does not exist`);
  if (group.Status) throw new UnsupportedGroupError(`Auto Scaling group ${groupName} configured for cluster ${cluster} is ${group.Status}; update scaleFleets`);
  return group;
}

/** The group as it is now (a step reads it afresh rather than trusting the plan). */
export async function currentGroup(autoscaling: AutoScalingClient, groupName: string): Promise<AutoScalingGroup> {
  const [group] = await describeGroups(autoscaling, [groupName]);
  if (!group) throw new NotFoundError(`Auto Scaling group ${groupName} no longer exists`);
  return group;
}

/** The scaling process a group must run for a scaling in this direction: AWS launches for the one, terminates for the other. */
const PROCESS_FOR: Record<'out' | 'in', string> = { out: 'Launch', in: 'Terminate' };

/**
 * Why this workflow will not grow (`out`) or shrink (`in`) the group, or undefined. A group with
 * the process suspended was stopped on purpose by someone (an investigation, another tool): it is
 * respected, not worked around. Capacity in weighted units or in vCPUs / memory is not modelled.
 */
export function scalingRefusal(group: AutoScalingGroup, direction: 'out' | 'in'): string | undefined {
  const name = group.AutoScalingGroupName;
  if (group.Status) return `Auto Scaling group ${name} is ${group.Status}`;
  const process = PROCESS_FOR[direction];
  if (suspendedProcesses(group).includes(process)) {
    return `Auto Scaling group ${name} has its ${process} process suspended, so it cannot be ${direction === 'out' ? 'grown' : 'shrunk'}; resume it (ResumeProcesses) or scale it by hand`;
  }
  if (group.DesiredCapacityType && group.DesiredCapacityType !== 'units') return `Auto Scaling group ${name} counts its capacity in ${group.DesiredCapacityType}; only groups counted in instances can be scaled`;
  const weighted = (group.MixedInstancesPolicy?.LaunchTemplate?.Overrides ?? []).filter((o) => o.WeightedCapacity !== undefined && o.WeightedCapacity !== '1');
  if (weighted.length) return `Auto Scaling group ${name} weights its instance types (${weighted.map((o) => `${o.InstanceType} ${o.WeightedCapacity}`).join(', ')}); only groups counted in instances can be scaled`;
  return undefined;
}

/**
 * The instance types the group launches: its mixed instances policy's overrides, else its launch
 * template's type, else (a launch configuration) the types of the instances it runs.
 */
export async function groupInstanceTypes(ec2: EC2Client, group: AutoScalingGroup): Promise<string[]> {
  const overrides = (group.MixedInstancesPolicy?.LaunchTemplate?.Overrides ?? []).map((o) => o.InstanceType).filter((t): t is string => Boolean(t));
  if (overrides.length) return [...new Set(overrides)].sort();
  const template = groupLaunchTemplate(group);
  if (template) {
    const type = (await templateVersionData(ec2, { LaunchTemplateSpecification: template })).instanceType;
    if (type) return [type];
  }
  const running = (group.Instances ?? []).map((i) => i.InstanceType).filter((t): t is string => Boolean(t));
  if (running.length) return [...new Set(running)].sort();
  throw new UnsupportedGroupError(`Auto Scaling group ${group.AutoScalingGroupName}: cannot tell which instance type it launches (attribute-based instance selection is not supported)`);
}

export interface GroupReadiness {
  desired: number;
  /** Launching or in service. */
  live: number;
  inService: number;
  /** Live instances ACTIVE in the cluster with their agent connected. */
  activeInCluster: number;
  /** Why the capacity is not ready yet; empty when it is. */
  problems: string[];
}

/** Whether the group delivered its capacity to the cluster: as many instances as desired, each InService in the group and ACTIVE in the cluster with its agent connected. */
export function groupReadiness(group: AutoScalingGroup, clusterInstances: ContainerInstanceSummary[]): GroupReadiness {
  const name = group.AutoScalingGroupName;
  const desired = group.DesiredCapacity ?? 0;
  const live = liveInstances(group);
  const inService = live.filter(isInService).length;
  const byEc2 = new Map(clusterInstances.map((ci) => [ci.ec2InstanceId, ci]));
  const activeInCluster = live.filter((i) => byEc2.get(i.InstanceId ?? '')?.status === 'ACTIVE' && byEc2.get(i.InstanceId ?? '')?.agentConnected).length;
  const problems: string[] = [];
  if (live.length < desired) problems.push(`group ${name} has ${live.length}/${desired} instances`);
  if (inService < live.length) problems.push(`${inService}/${live.length} instances InService in group ${name}`);
  if (activeInCluster < live.length) problems.push(`${activeInCluster}/${live.length} instances of group ${name} ACTIVE in the cluster`);
  return { desired, live: live.length, inService, activeInCluster, problems };
}
