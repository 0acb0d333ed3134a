import { clients } from '../lib/clients';
import { ErrorNames, FleetOpsError } from '../lib/errors';
import { fleetReadiness } from '../lib/fleet-readiness';
import { logger, withContext } from '../lib/log';
import { secondsUntil } from '../lib/time';
import { describeClusterInstances } from '../lib/aws/container-instances';
import { describeGroups, suspendedProcesses } from '../lib/aws/auto-scaling-groups';
import { nextWaitSeconds } from '../rollover/polling';
import { groupReadiness } from './group';
import { isGroupCapacity, type CapacityProgress, type FleetCapacityPlan, type GroupCapacityPlan, type ScaleState, type Wait } from './state';

interface Reading {
  progress: CapacityProgress;
  problems: string[];
  /** Why the capacity never will be ready. */
  fatal?: string;
}

/**
 * CheckCapacity: ready when the new capacity serves the cluster. A fleet: active again (not
 * modifying), fulfilled in weighted units, each of its instances ACTIVE in the cluster with its
 * agent connected. An Auto Scaling group: as many instances as desired, each InService in the
 * group and ACTIVE in the cluster with its agent connected. A fleet that died, a group gone or
 * with launches suspended, or the deadline, ends the wait with CapacityNotReady; the raised
 * capacity stays (a later scale-in gives back what is not used).
 */
export async function handler(state: ScaleState): Promise<Wait<'waiting' | 'ready', CapacityProgress>> {
  const r = state.request;
  withContext({ execution: state.execution.name, cluster: r.cluster, state: 'CheckCapacity' });
  const wait = state.capacity!;
  const planned = state.plan!.capacity!;
  const what = isGroupCapacity(planned) ? `Auto Scaling group ${planned.groupName} keeps its raised desired capacity` : `fleet ${planned.fleetId} keeps its raised target`;
  const reading = isGroupCapacity(planned) ? await readGroup(r.cluster, planned) : await readFleet(r.cluster, planned);
  if (reading.fatal) fail(reading.fatal);

  const remaining = secondsUntil(wait.deadline);
  if (reading.problems.length > 0 && remaining <= 0) fail(`not ready after ${r.capacityTimeoutSeconds} s: ${reading.problems.join('; ')}`);
  const status = reading.problems.length === 0 ? 'ready' : 'waiting';
  logger.info(status === 'ready' ? 'New capacity ready' : 'New capacity not ready yet', { ...reading.progress, problems: reading.problems });
  return { ...wait, status, polls: wait.polls + 1, waitSeconds: nextWaitSeconds(r.pollSeconds, remaining), progress: reading.progress };

  function fail(reason: string): never {
    throw new FleetOpsError(ErrorNames.CapacityNotReady, `Capacity for service ${r.service} of cluster ${r.cluster}: ${reason}. The service was not scaled; ${what}.`);
  }
}

async function readFleet(cluster: string, planned: FleetCapacityPlan): Promise<Reading> {
  const { ec2, ecs } = clients();
  const fleetId = planned.fleetId;
  const readiness = await fleetReadiness({ ec2, ecs }, cluster, [fleetId]);
  const problems = [...readiness.problems];
  if (readiness.states[fleetId] !== 'active') problems.unshift(`fleet ${fleetId} is ${readiness.states[fleetId]}`);
  // DescribeSpotFleetInstances is refreshed periodically and can lag behind launches: until the
  // instances it lists fill the target, some new instance may not be listed (nor checked) yet.
  const listed = readiness.instances.reduce((n, i) => n + (planned.weights[i.instanceType] ?? 1), 0);
  if (listed < readiness.targetCapacity) problems.push(`the fleet lists instances for ${listed}/${readiness.targetCapacity} units`);
  const progress = {
    targetCapacity: readiness.targetCapacity,
    fulfilledCapacity: readiness.fulfilledCapacity,
    instances: readiness.instanceIds.size,
    activeInCluster: readiness.activeInCluster,
  };
  return { progress, problems, ...(readiness.fatal ? { fatal: readiness.fatal } : {}) };
}

async function readGroup(cluster: string, planned: GroupCapacityPlan): Promise<Reading> {
  const { autoscaling, ecs } = clients();
  const [group] = await describeGroups(autoscaling, [planned.groupName]);
  if (!group) return { progress: { targetCapacity: 0, fulfilledCapacity: 0, instances: 0, activeInCluster: 0 }, problems: [], fatal: `Auto Scaling group ${planned.groupName} no longer exists` };
  const readiness = groupReadiness(group, await describeClusterInstances(ecs, cluster));
  const progress = { targetCapacity: readiness.desired, fulfilledCapacity: readiness.inService, instances: readiness.live, activeInCluster: readiness.activeInCluster };
  const fatal = group.Status
    ? `Auto Scaling group ${planned.groupName} is ${group.Status}`
    : readiness.problems.length && suspendedProcesses(group).includes('Launch')
      ? `Auto Scaling group ${planned.groupName} had its Launch process suspended while it was growing`
      : undefined;
  return { progress, problems: readiness.problems, ...(fatal ? { fatal } : {}) };
}
