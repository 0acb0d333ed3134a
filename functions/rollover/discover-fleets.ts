import type { SpotFleetRequestConfig } from '@aws-sdk/client-ec2';
import { clients } from '../lib/clients';
import { NotFoundError, UnsupportedFleetError, UnsupportedGroupError } from '../lib/errors';
import { logger, withContext } from '../lib/log';
import { describeClusterInstances } from '../lib/aws/container-instances';
import { describeGroups, lifecycleHooks } from '../lib/aws/auto-scaling-groups';
import { describeFleets, describeInstances, fleetInstances } from '../lib/aws/fleets';
import { clusterServices, serviceTargetGroups } from '../lib/aws/services';
import { configuredImages } from './fleet-config';
import { groupRefusal, planGroup } from './group-plan';
import type { FleetPlan, GroupPlan, Plan, RolloverState } from './state';

/**
 * DiscoverFleets: every capacity source of the cluster — the Spot Fleets whose instances are
 * container instances of it (or the fleets named in the input), with their capacity in weighted
 * units and the AMIs they run, and the Auto Scaling groups its instances belong to. A group that
 * is not on the target AMI and cannot be rolled safely refuses the whole rollover here, before
 * anything is changed.
 */
export async function handler(state: RolloverState): Promise<Plan> {
  const { cluster } = state.request;
  withContext({ execution: state.execution.name, cluster, state: 'DiscoverFleets' });
  const { ec2, ecs, autoscaling } = clients();
  const target = state.targetAmi!.imageId;

  const containerInstances = await describeClusterInstances(ecs, cluster);
  const facts = await describeInstances(ec2, containerInstances.map((ci) => ci.ec2InstanceId));
  const fleetOf = new Map(facts.map((f) => [f.instanceId, f.fleetId]));
  const inCluster = new Set(facts.map((f) => f.fleetId).filter((id): id is string => Boolean(id)));

  let fleetIds: string[];
  if (state.request.fleetIds) {
    fleetIds = state.request.fleetIds;
    const foreign = fleetIds.filter((id) => !inCluster.has(id));
    const described = await describeFleets(ec2, fleetIds);
    if (described.length !== fleetIds.length) throw new NotFoundError(`Spot Fleet request(s) not found: ${fleetIds.filter((id) => !described.some((d) => d.SpotFleetRequestId === id)).join(', ')}`);
    if (foreign.length) throw new NotFoundError(`Spot Fleet request(s) ${foreign.join(', ')} have no container instance in cluster ${cluster}`);
  } else {
    fleetIds = [...inCluster].sort();
  }

  const fleets = await describeFleets(ec2, fleetIds);
  const plans: FleetPlan[] = [];
  for (const fleet of fleets) {
    const id = fleet.SpotFleetRequestId!;
    if (fleet.SpotFleetRequestState !== 'active') {
      if (state.request.fleetIds) throw new UnsupportedFleetError(`Spot Fleet ${id} is ${fleet.SpotFleetRequestState}; only active fleets can be rolled (try again when it is active)`);
      logger.info('Skipping a fleet that is not active', { fleetId: id, state: fleet.SpotFleetRequestState });
      continue;
    }
    plans.push(await planFleet(fleet, target, facts.filter((f) => f.fleetId === id).map((f) => f.imageId)));
  }

  const replace = plans.filter((p) => !p.current).map((p) => p.fleetId);

  const groupNames = [...new Set(facts.map((f) => f.groupName).filter((n): n is string => Boolean(n)))].sort();
  const groups: GroupPlan[] = [];
  // Groups are rolled with the cluster unless the input names fleets only.
  if (!state.request.fleetIds) {
    for (const group of await describeGroups(autoscaling, groupNames)) {
      const name = group.AutoScalingGroupName!;
      const plan = planGroup(group, await lifecycleHooks(autoscaling, name), facts.filter((f) => f.groupName === name).map((f) => f.imageId), target);
      const refusal = plan.current ? undefined : groupRefusal(group, plan, state.execution.name);
      // A dry run reports the refusal in its plan; a rollover stops here, having changed nothing.
      if (refusal && !state.request.dryRun) throw new UnsupportedGroupError(refusal);
      groups.push(refusal ? { ...plan, refusal } : plan);
    }
  }
  const replaceGroups = groups.filter((g) => !g.current).map((g) => g.groupName);
  const groupOf = new Map(facts.map((f) => [f.instanceId, f.groupName]));
  const otherInstances = containerInstances.filter((ci) => !fleetOf.get(ci.ec2InstanceId) && !groupOf.get(ci.ec2InstanceId)).length;
  const targetGroupArns = serviceTargetGroups(await clusterServices(ecs, cluster));
  const upToDate = replace.length === 0 && replaceGroups.length === 0;
  const message = describePlan(cluster, target, plans.length, replace, groups.length, replaceGroups);
  logger.info(message, { fleets: plans.length, replace, groups: groups.length, replaceGroups, otherInstances });
  return { fleets: plans, ...(groups.length ? { groups, replaceGroups } : {}), replace, upToDate, containerInstances: containerInstances.length, otherInstances, targetGroupArns, message };

  async function planFleet(fleet: SpotFleetRequestConfig, targetAmi: string, clusterAmis: string[]): Promise<FleetPlan> {
    const id = fleet.SpotFleetRequestId!;
    const config = fleet.SpotFleetRequestConfig!;
    const live = await fleetInstances(ec2, id);
    const launchAmis = await configuredImages(ec2, config);
    const amis = [...new Set([...clusterAmis, ...launchAmis])].sort();
    return {
      fleetId: id,
      targetCapacity: config.TargetCapacity ?? 0,
      instances: live.length,
      amis,
      usesLaunchTemplate: Boolean(config.LaunchTemplateConfigs?.length),
      current: amis.length > 0 && amis.every((a) => a === targetAmi),
    };
  }
}

function describePlan(cluster: string, target: string, fleets: number, replace: string[], groups: number, replaceGroups: string[]): string {
  if (fleets + groups === 0) return `Cluster ${cluster} has no instance from an active Spot Fleet or an Auto Scaling group; nothing to roll`;
  if (replace.length + replaceGroups.length === 0) return `Every Spot Fleet and Auto Scaling group of cluster ${cluster} already runs ${target}; nothing to do`;
  const parts = [];
  if (replace.length) parts.push(`replacing ${replace.length} of ${fleets} Spot Fleet(s) with fleets on ${target}`);
  if (replaceGroups.length) parts.push(`rolling Auto Scaling group(s) ${replaceGroups.join(', ')} onto ${target}`);
  const text = parts.join('; ');
  return `Cluster ${cluster}: ${text}`;
}
