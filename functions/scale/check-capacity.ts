import { clients } from '../lib/clients';
import { ErrorNames, FleetOpsError } from '../lib/errors';
import { fleetReadiness } from '../lib/fleet-readiness';
import { logger, withContext } from '../lib/log';
import { secondsUntil } from '../lib/time';
import { nextWaitSeconds } from '../rollover/polling';
import type { CapacityProgress, ScaleState, Wait } from './state';

/**
 * CheckCapacity: ready when the fleet is active again (not modifying), fulfilled in weighted units,
 * and each of its instances is ACTIVE in the cluster with its agent connected. A fleet that died,
 * or the deadline, ends the wait with CapacityNotReady; the raised target stays (a later
 * scale-in gives back what is not used).
 */
export async function handler(state: ScaleState): Promise<Wait<'waiting' | 'ready', CapacityProgress>> {
  const r = state.request;
  withContext({ execution: state.execution.name, cluster: r.cluster, state: 'CheckCapacity' });
  const { ec2, ecs } = clients();
  const wait = state.capacity!;
  const planned = state.plan!.capacity!;
  const fleetId = planned.fleetId;
  const readiness = await fleetReadiness({ ec2, ecs }, r.cluster, [fleetId]);
  if (readiness.fatal) fail(readiness.fatal);
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
  const remaining = secondsUntil(wait.deadline);
  if (problems.length > 0 && remaining <= 0) fail(`not ready after ${r.capacityTimeoutSeconds} s: ${problems.join('; ')}`);
  const status = problems.length === 0 ? 'ready' : 'waiting';
  logger.info(status === 'ready' ? 'New capacity ready' : 'New capacity not ready yet', { ...progress, problems });
  return { ...wait, status, polls: wait.polls + 1, waitSeconds: nextWaitSeconds(r.pollSeconds, remaining), progress };

  function fail(reason: string): never {
    throw new FleetOpsError(ErrorNames.CapacityNotReady, `Capacity for service ${r.service} of cluster ${r.cluster}: ${reason}. The service was not scaled; fleet ${fleetId} keeps its raised target.`);
  }
}
