import { configuredBindings } from '../lib/bindings';
import { clients } from '../lib/clients';
import { logger, withContext } from '../lib/log';
import { describeClusterInstances } from '../lib/aws/container-instances';
import { fleetInstances } from '../lib/aws/fleets';
import { launchOptions, weightOf } from '../lib/aws/launch-options';
import { clusterServices, serviceTargetGroups } from '../lib/aws/services';
import { clusterFleet } from './fleet';
import { chooseSpare, type SpareCandidate } from './placement';
import type { ScaleState, ShrinkPlan } from './state';

/**
 * PlanShrink (after a scale-in reached steady state): the fleet's instances the cluster no longer
 * needs, beyond the configured headroom — fewest tasks first, each one's tasks able to move to the
 * instances that stay. Nothing is chosen while any service of the cluster is short of tasks.
 */
export async function handler(state: ScaleState): Promise<ShrinkPlan> {
  const r = state.request;
  withContext({ execution: state.execution.name, cluster: r.cluster, state: 'PlanShrink' });
  const nothing = (message: string, extra: Partial<ShrinkPlan> = {}): ShrinkPlan => {
    logger.info(message);
    return { status: 'none', instances: [], units: 0, targetGroupArns: [], message, ...extra };
  };
  if (!r.fleet) return nothing(`No fleet is configured for cluster ${r.cluster} (scaleFleets): its capacity is left as it is`);

  const { ec2, ecs } = clients();
  const services = await clusterServices(ecs, r.cluster);
  const short = services.filter((s) => (s.runningCount ?? 0) + (s.pendingCount ?? 0) < (s.desiredCount ?? 0)).map((s) => s.serviceName);
  if (short.length) return nothing(`Service(s) ${short.join(', ')} of cluster ${r.cluster} are short of tasks: keeping the capacity`);

  const instances = await describeClusterInstances(ecs, r.cluster);
  const fleet = await clusterFleet(ec2, r.cluster, instances, r.fleet.fleetId);
  const fleetId = fleet.SpotFleetRequestId!;
  const options = await launchOptions(ec2, fleet.SpotFleetRequestConfig!);
  const members = new Map((await fleetInstances(ec2, fleetId)).map((i) => [i.instanceId, i.instanceType]));
  const usable = instances.filter((ci) => ci.status === 'ACTIVE' && ci.agentConnected);
  const candidates: SpareCandidate[] = [];
  for (const ci of usable) {
    const weight = members.has(ci.ec2InstanceId) ? weightOf(options, members.get(ci.ec2InstanceId)!) : undefined;
    if (weight !== undefined) candidates.push({ ci, weight });
  }
  const others = usable.filter((ci) => !candidates.some((c) => c.ci === ci));
  const fleetUnits = fleet.SpotFleetRequestConfig?.FulfilledCapacity ?? 0;
  const chosen = chooseSpare(candidates, others, { fleetUnits, minCapacity: r.fleet.minCapacity, headroomInstances: r.fleet.headroomInstances });
  // Service target groups, and the groups bound to the cluster's instances (sync-targets registers instances there).
  const bound = configuredBindings().filter((b) => b.cluster === r.cluster).map((b) => b.targetGroupArn);
  const targetGroupArns = [...new Set([...serviceTargetGroups(services), ...bound])].sort();
  if (chosen.length === 0) return nothing(`Cluster ${r.cluster} has no spare instance beyond its headroom of ${r.fleet.headroomInstances}`, { fleetId, targetGroupArns });

  const plan: ShrinkPlan = {
    status: 'shrink',
    fleetId,
    instances: chosen.map((c) => ({ instanceId: c.ci.ec2InstanceId, weight: c.weight })),
    units: chosen.reduce((n, c) => n + c.weight, 0),
    targetGroupArns,
    message: `Giving back ${chosen.length} spare instance(s) (${chosen.reduce((n, c) => n + c.weight, 0)} units) of fleet ${fleetId}, keeping ${r.fleet.headroomInstances} spare`,
  };
  logger.info(plan.message, { instances: plan.instances, tasksOnThem: chosen.reduce((n, c) => n + c.ci.runningTasks, 0) });
  return plan;
}
