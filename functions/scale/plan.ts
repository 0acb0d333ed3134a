import { DescribeTaskDefinitionCommand, ListTagsForResourceCommand, type Service } from '@aws-sdk/client-ecs';
import { clients } from '../lib/clients';
import { UnsupportedGroupError } from '../lib/errors';
import { logger, withContext } from '../lib/log';
import { nowMs } from '../lib/time';
import { describeClusterInstances } from '../lib/aws/container-instances';
import { registeredCapacities } from '../lib/aws/instance-types';
import { describeService } from '../lib/aws/services';
import { capacitySource } from './capacity-source';
import { cooldownLeft, nextDesiredCount, parseLastScale } from './desired-count';
import { growable } from './growable';
import { scalingRefusal } from './group';
import { fitsPerOption, placeableTasks, taskNeeds, tasksForUnits, unitsForTasks } from './placement';
import { LAST_SCALE_TAG, type ScalePlan, type ScaleState } from './state';

/**
 * PlanScale: the new desired count (step, bounds, cooldown kept in a tag on the service) and, for
 * a scale-out, whether the cluster has room for the extra tasks: free CPU, memory and host ports
 * of its ACTIVE instances, counted per instance for the service's task definition. When it has
 * not, the capacity source (Spot Fleet or Auto Scaling group) grows by what the rest needs, up to
 * its maximum — and the new desired count is cut to what will fit. A scale-in first checks that
 * the capacity it will give back can be shrunk, so a refusal comes before the service is touched.
 */
export async function handler(state: ScaleState): Promise<ScalePlan> {
  const r = state.request;
  withContext({ execution: state.execution.name, cluster: r.cluster, state: 'PlanScale' });
  const { autoscaling, ec2, ecs } = clients();
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
  if (r.direction === 'in') {
    if (r.fleet) {
      const source = await capacitySource({ autoscaling, ec2 }, r.cluster, await describeClusterInstances(ecs, r.cluster), r.fleet);
      const refusal = source.kind === 'group' ? scalingRefusal(source.group, 'in') : undefined;
      if (refusal) throw new UnsupportedGroupError(`${refusal}. Service ${r.service} was not scaled in; nothing changed`);
    }
    return scaled(plan, `Scaling service ${r.service} in from ${current} to ${next.desired} tasks (${next.reason})`);
  }

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

  const source = await capacitySource({ autoscaling, ec2 }, r.cluster, instances, r.fleet);
  if (source.kind === 'group') {
    const refusal = scalingRefusal(source.group, 'out');
    if (refusal) throw new UnsupportedGroupError(`${refusal}. Service ${r.service} was not scaled out; nothing changed`);
  }
  const g = await growable(ec2, source, r.fleet);
  const capacities = await registeredCapacities(ec2, g.options.map((o) => o.instanceType), instances);
  const perOption = fitsPerOption(g.options, capacities, needs);
  const missing = toPlace - room;
  const { units, useless } = unitsForTasks(missing, perOption);
  if (useless.length) logger.warn(`Some instance types of ${g.label} cannot hold one task of this service`, { useless, needs });
  if (units === undefined) return capped(fits(room), `no instance type of ${g.label} can hold a task of ${td.family} (${needs.cpu} CPU units, ${needs.memory} MiB)`);
  const to = Math.min(g.ceiling, g.from + units);
  if (to <= g.from) return capped(fits(room), `${g.label} is at ${g.ceilingText}`);
  const toCount = fits(room + tasksForUnits(to - g.from, perOption));
  if (toCount <= current) return none(`Service ${r.service} not scaled out: the ${to - g.from} more ${g.unit} ${g.label} may still add (${g.ceilingText}) do not surely hold one more task`);
  const capacity = g.capacity(to);
  const limited = to < g.from + units ? `, capped by ${g.cappedText}` : '';
  return scaled(
    { ...plan, toCount, needsCapacity: true, capacity },
    `Scaling service ${r.service} out from ${current} to ${toCount} tasks (${next.reason}${limited}): room for ${room} now, ${g.label} grows from ${g.from} to ${to} ${g.unit} for ${missing} more`,
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
