import type { AutoScalingGroup } from '@aws-sdk/client-auto-scaling';
import type { EC2Client, SpotFleetRequestConfig } from '@aws-sdk/client-ec2';
import { configuredBindings } from '../lib/bindings';
import { clients } from '../lib/clients';
import { UnsupportedGroupError } from '../lib/errors';
import { logger, withContext } from '../lib/log';
import { isInService, liveInstances } from '../lib/aws/auto-scaling-groups';
import { describeClusterInstances, type ContainerInstanceSummary } from '../lib/aws/container-instances';
import { fleetInstances } from '../lib/aws/fleets';
import { launchOptions, weightOf } from '../lib/aws/launch-options';
import { clusterServices, serviceTargetGroups } from '../lib/aws/services';
import { capacitySource } from './capacity-source';
import { scalingRefusal } from './group';
import { chooseSpare, type SpareCandidate } from './placement';
import type { ScaleRequest } from './input';
import type { ScaleState, ShrinkPlan } from './state';

type Settings = NonNullable<ScaleRequest['fleet']>;

/**
 * PlanShrink (after a scale-in reached steady state): the instances of the cluster's Spot Fleet or
 * Auto Scaling group that the cluster no longer needs, beyond the configured headroom — fewest
 * tasks first, each one's tasks able to move to the instances that stay. Nothing is chosen while
 * any service of the cluster is short of tasks. A group keeps its MinSize: fewer spares are chosen
 * rather than ask AWS for less.
 */
export async function handler(state: ScaleState): Promise<ShrinkPlan> {
  const r = state.request;
  withContext({ execution: state.execution.name, cluster: r.cluster, state: 'PlanShrink' });
  if (!r.fleet) return nothing(`No fleet is configured for cluster ${r.cluster} (scaleFleets): its capacity is left as it is`);

  const { autoscaling, ec2, ecs } = clients();
  const services = await clusterServices(ecs, r.cluster);
  const short = services.filter((s) => (s.runningCount ?? 0) + (s.pendingCount ?? 0) < (s.desiredCount ?? 0)).map((s) => s.serviceName);
  if (short.length) return nothing(`Service(s) ${short.join(', ')} of cluster ${r.cluster} are short of tasks: keeping the capacity`);

  const instances = await describeClusterInstances(ecs, r.cluster);
  const source = await capacitySource({ autoscaling, ec2 }, r.cluster, instances, r.fleet);
  // Service target groups, and the groups bound to the cluster's instances (sync-targets registers instances there).
  const bound = configuredBindings().filter((b) => b.cluster === r.cluster).map((b) => b.targetGroupArn);
  const targetGroupArns = [...new Set([...serviceTargetGroups(services), ...bound])].sort();
  const usable = instances.filter((ci) => ci.status === 'ACTIVE' && ci.agentConnected);
  const plan = source.kind === 'fleet' ? await fleetSpare(ec2, source.fleet, usable, r.fleet) : groupSpare(source.group, usable, r.fleet);
  if (plan.chosen.length === 0) return nothing(`Cluster ${r.cluster} has no spare instance beyond its headroom of ${r.fleet.headroomInstances}${plan.note}`, { ...plan.source, targetGroupArns });

  const units = plan.chosen.reduce((n, c) => n + c.weight, 0);
  const shrink: ShrinkPlan = {
    status: 'shrink',
    ...plan.source,
    instances: plan.chosen.map((c) => ({ instanceId: c.ci.ec2InstanceId, weight: c.weight })),
    units,
    targetGroupArns,
    message: `Giving back ${plan.chosen.length} spare instance(s) ${plan.what(units)}, keeping ${r.fleet.headroomInstances} spare${plan.note}`,
  };
  logger.info(shrink.message, { instances: shrink.instances, tasksOnThem: plan.chosen.reduce((n, c) => n + c.ci.runningTasks, 0) });
  return shrink;

  function nothing(message: string, extra: Partial<ShrinkPlan> = {}): ShrinkPlan {
    logger.info(message);
    return { status: 'none', instances: [], units: 0, targetGroupArns: [], message, ...extra };
  }
}

interface SparePlan {
  source: { fleetId: string } | { groupName: string };
  chosen: SpareCandidate[];
  /** "(4 units) of fleet sfr-…" */
  what: (units: number) => string;
  /** Anything the operator should know about the choice ("; …"), or "". */
  note: string;
}

/** A fleet's ACTIVE instances, weighted; the fleet keeps minCapacity units. */
async function fleetSpare(ec2: EC2Client, fleet: SpotFleetRequestConfig, usable: ContainerInstanceSummary[], settings: Settings): Promise<SparePlan> {
  const fleetId = fleet.SpotFleetRequestId!;
  const options = await launchOptions(ec2, fleet.SpotFleetRequestConfig!);
  const members = new Map((await fleetInstances(ec2, fleetId)).map((i) => [i.instanceId, i.instanceType]));
  const candidates: SpareCandidate[] = [];
  for (const ci of usable) {
    const weight = members.has(ci.ec2InstanceId) ? weightOf(options, members.get(ci.ec2InstanceId)!) : undefined;
    if (weight !== undefined) candidates.push({ ci, weight });
  }
  const others = usable.filter((ci) => !candidates.some((c) => c.ci === ci));
  const fleetUnits = fleet.SpotFleetRequestConfig?.FulfilledCapacity ?? 0;
  const chosen = chooseSpare(candidates, others, { fleetUnits, minCapacity: settings.minCapacity, headroomInstances: settings.headroomInstances });
  return { source: { fleetId }, chosen, what: (units) => `(${units} units) of fleet ${fleetId}`, note: '' };
}

/**
 * A group's InService instances, one unit each. Its desired capacity is what
 * TerminateInstanceInAutoScalingGroup decrements, and AWS refuses to take it below MinSize: the
 * floor is the larger of MinSize and the configured minCapacity.
 */
function groupSpare(group: AutoScalingGroup, usable: ContainerInstanceSummary[], settings: Settings): SparePlan {
  const groupName = group.AutoScalingGroupName!;
  const refusal = scalingRefusal(group, 'in');
  if (refusal) throw new UnsupportedGroupError(`${refusal}; the service was scaled in, its capacity is kept`);
  const members = new Map((group.Instances ?? []).map((i) => [i.InstanceId ?? '', i]));
  const inService = new Set(liveInstances(group).filter(isInService).map((i) => i.InstanceId));
  const candidates: SpareCandidate[] = usable.filter((ci) => inService.has(ci.ec2InstanceId)).map((ci) => ({ ci, weight: 1 }));
  // An instance the group is launching or terminating is neither spare nor room for the moved tasks.
  const others = usable.filter((ci) => !members.has(ci.ec2InstanceId));
  const desired = group.DesiredCapacity ?? 0;
  const minSize = group.MinSize ?? 0;
  const floor = Math.max(minSize, settings.minCapacity);
  const limits = { fleetUnits: desired, headroomInstances: settings.headroomInstances };
  const chosen = chooseSpare(candidates, others, { ...limits, minCapacity: floor });
  const withoutFloor = chooseSpare(candidates, others, { ...limits, minCapacity: 0 }).length;
  const notes: string[] = [];
  if (withoutFloor > chosen.length) {
    const which = floor === minSize ? `its MinSize of ${minSize}` : `the configured minCapacity of ${settings.minCapacity}`;
    notes.push(`${withoutFloor - chosen.length} more would be spare, but group ${groupName} keeps ${which} (desired capacity ${desired})`);
  }
  const protectedOnes = chosen.filter((c) => members.get(c.ci.ec2InstanceId)?.ProtectedFromScaleIn).length;
  if (protectedOnes) notes.push(`${protectedOnes} of them protected from scale-in: TerminateInstanceInAutoScalingGroup names them, so they go too, once drained`);
  return {
    source: { groupName },
    chosen,
    what: () => `of Auto Scaling group ${groupName} (desired capacity ${desired} → ${desired - chosen.length})`,
    note: notes.map((n) => `; ${n}`).join(''),
  };
}
