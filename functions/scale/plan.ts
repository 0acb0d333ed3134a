import { DescribeTaskDefinitionCommand, ListTagsForResourceCommand, type Service } from '@aws-sdk/client-ecs';
import { clients } from '../lib/clients';
import { logger, withContext } from '../lib/log';
import { nowMs } from '../lib/time';
import { describeClusterInstances } from '../lib/aws/container-instances';
import { registeredCapacities } from '../lib/aws/instance-types';
import { launchOptions, weightOf } from '../lib/aws/launch-options';
import { describeService } from '../lib/aws/services';
import { cooldownLeft, nextDesiredCount, parseLastScale } from './desired-count';
import { clusterFleet } from './fleet';
import { fitsPerOption, placeableTasks, taskNeeds, tasksForUnits, unitsForTasks } from './placement';
import { LAST_SCALE_TAG, type ScalePlan, type ScaleState } from './state';

/**
 * PlanScale: the new desired count (step, bounds, cooldown kept in a tag on the service) and, for
 * a scale-out, whether the cluster has room for the extra tasks: free CPU, memory and host ports
 * of its ACTIVE instances, counted per instance for the service's task definition. When it has
 * not, the fleet's target capacity grows by the weighted units the rest needs, up to the
 * configured maximum — and the new desired count is cut to what will fit.
 */
export async function handler(state: ScaleState): Promise<ScalePlan> {
  const r = state.request;
  withContext({ execution: state.execution.name, cluster: r.cluster, state: 'PlanScale' });
  const { ec2, ecs } = clients();
  const service = await describeService(ecs, r.cluster, r.service);
  const serviceArn = service.serviceArn!;
  const current = service.desiredCount ?? 0;
  const base = { serviceArn, fromCount: current, requestedCount: current, toCount: current, needsCapacity: false };
  const none = (message: string): ScalePlan => {
    logger.info(message, { direction: r.direction, desiredCount: current });
    return { ...base, action: 'none', message };
  };

  const tags = await ecs.send(new ListTagsForResourceCommand({ resourceArn: serviceArn }));
  const tagValue = tags.tags?.find((t) => t.key === LAST_SCALE_TAG)?.value;
  const last = parseLastScale(tagValue);
  const wait = cooldownLeft(last, r.direction, r.cooldownSeconds, nowMs());
  if (wait > 0) return none(`Service ${r.service} is in cooldown for another ${wait} s after its last scaling (${tagValue}); nothing changed`);

  const next = nextDesiredCount(current, r);
  if (next.desired === current) return none(`Service ${r.service} not scaled ${r.direction}: ${next.reason}`);
  const plan: ScalePlan = { ...base, action: 'scale', requestedCount: next.desired, toCount: next.desired, message: '' };
  if (r.direction === 'in') return scaled(plan, `Scaling service ${r.service} in from ${current} to ${next.desired} tasks (${next.reason})`);

  // Scale-out: room for the tasks not running or pending yet.
  const td = (await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: service.taskDefinition! }))).taskDefinition!;
  const needs = taskNeeds(td);
  const instances = await describeClusterInstances(ecs, r.cluster);
  const placed = placedTasks(service);
  const toPlace = next.desired - placed;
  const room = placeableTasks(instances, needs);
  const fits = (n: number) => Math.min(next.desired, placed + n);
  if (room >= toPlace) return scaled(plan, `Scaling service ${r.service} out from ${current} to ${next.desired} tasks (${next.reason}); the cluster has room for ${room} more`);
  if (!r.fleet) return capped(fits(room), `the cluster has room for ${room} more task(s) and no fleet is configured to grow (scaleFleets)`);

  const fleet = await clusterFleet(ec2, r.cluster, instances, r.fleet.fleetId);
  const config = fleet.SpotFleetRequestConfig!;
  const options = await launchOptions(ec2, config);
  const capacities = await registeredCapacities(ec2, options.map((o) => o.instanceType), instances);
  const perOption = fitsPerOption(options, capacities, needs);
  const missing = toPlace - room;
  const { units, useless } = unitsForTasks(missing, perOption);
  if (useless.length) logger.warn('Some instance types of the fleet cannot hold one task of this service', { useless, needs });
  const fromTarget = config.TargetCapacity ?? 0;
  if (units === undefined) return capped(fits(room), `no instance type of fleet ${fleet.SpotFleetRequestId} can hold a task of ${td.family} (${needs.cpu} CPU units, ${needs.memory} MiB)`);
  const toTarget = Math.min(r.fleet.maxCapacity, fromTarget + units);
  if (toTarget <= fromTarget) return capped(fits(room), `fleet ${fleet.SpotFleetRequestId} is at its maximum of ${r.fleet.maxCapacity} units`);
  const toCount = fits(room + tasksForUnits(toTarget - fromTarget, perOption));
  if (toCount <= current) return none(`Service ${r.service} not scaled out: the ${toTarget - fromTarget} unit(s) fleet ${fleet.SpotFleetRequestId} may still add (maximum ${r.fleet.maxCapacity}) do not surely hold one more task`);
  const weights = Object.fromEntries(options.map((o) => [o.instanceType, weightOf(options, o.instanceType)!]));
  const capacity = { fleetId: fleet.SpotFleetRequestId!, fromTarget, toTarget, weights };
  const limited = toTarget < fromTarget + units ? `, capped by the fleet maximum of ${r.fleet.maxCapacity} units` : '';
  return scaled(
    { ...plan, toCount, needsCapacity: true, capacity },
    `Scaling service ${r.service} out from ${current} to ${toCount} tasks (${next.reason}${limited}): room for ${room} now, fleet ${capacity.fleetId} grows from ${fromTarget} to ${toTarget} units for ${missing} more`,
  );

  function scaled(p: ScalePlan, message: string): ScalePlan {
    logger.info(message, { fromCount: p.fromCount, toCount: p.toCount, requestedCount: p.requestedCount, capacity: p.capacity });
    return { ...p, message };
  }

  function capped(count: number, why: string): ScalePlan {
    if (count <= current) return none(`Service ${r.service} not scaled out: ${why}`);
    return scaled({ ...plan, toCount: count }, `Scaling service ${r.service} out from ${current} to ${count} tasks instead of ${next.desired}: ${why}`);
  }
}

/** Tasks that hold their place in the cluster already (running or pending); the rest must be placed. */
function placedTasks(service: Service): number {
  return (service.runningCount ?? 0) + (service.pendingCount ?? 0);
}
