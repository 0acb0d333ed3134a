import { clients } from '../lib/clients';
import { ErrorNames, FleetOpsError } from '../lib/errors';
import { logger, withContext } from '../lib/log';
import { secondsUntil } from '../lib/time';
import { describeClusterInstances } from '../lib/aws/container-instances';
import { describeFleets, fleetInstances } from '../lib/aws/fleets';
import { canHold } from './capacity';
import { nextWaitSeconds } from './polling';
import type { Replacement, RolloverState } from './state';

const DEAD_STATES = new Set(['failed', 'cancelled', 'cancelled_running', 'cancelled_terminating']);

/**
 * CheckReplacement: ready when every replacement fleet is active and fulfilled, each of its
 * instances is ACTIVE in the cluster with a connected agent, and together they can hold the tasks
 * of the instances to drain. A failed fleet, or the deadline, ends the wait with ReplacementFailed
 * (the state machine then rolls back).
 */
export async function handler(state: RolloverState): Promise<Replacement> {
  const { cluster, pollSeconds } = state.request;
  withContext({ execution: state.execution.name, cluster, state: 'CheckReplacement' });
  const { ec2, ecs } = clients();
  const replacement = state.replacement!;
  const newIds = replacement.fleets.map((p) => p.newFleetId);
  const fleets = await describeFleets(ec2, newIds);

  let targetCapacity = 0;
  let fulfilledCapacity = 0;
  const problems: string[] = [];
  for (const f of fleets) {
    const id = f.SpotFleetRequestId!;
    const target = f.SpotFleetRequestConfig?.TargetCapacity ?? 0;
    const fulfilled = f.SpotFleetRequestConfig?.FulfilledCapacity ?? 0;
    targetCapacity += target;
    fulfilledCapacity += fulfilled;
    if (DEAD_STATES.has(f.SpotFleetRequestState ?? '')) fail(`replacement fleet ${id} is ${f.SpotFleetRequestState}`);
    if (f.ActivityStatus === 'error' && fulfilled === 0) fail(`replacement fleet ${id} reports an error and launched nothing (check its request history: AMI, instance types, spot capacity)`);
    if (fulfilled < target) problems.push(`fleet ${id} fulfilled ${fulfilled}/${target} units`);
  }

  const clusterInstances = await describeClusterInstances(ecs, cluster);
  const newInstanceIds = new Set<string>();
  for (const id of newIds) for (const i of await fleetInstances(ec2, id)) newInstanceIds.add(i.instanceId);
  const byEc2 = new Map(clusterInstances.map((ci) => [ci.ec2InstanceId, ci]));
  const active = [...newInstanceIds].filter((id) => byEc2.get(id)?.status === 'ACTIVE' && byEc2.get(id)?.agentConnected).length;
  if (active < newInstanceIds.size) problems.push(`${active}/${newInstanceIds.size} new instances ACTIVE in the cluster`);

  if (problems.length === 0) {
    const oldIds = new Set<string>();
    for (const id of state.plan!.replace) for (const i of await fleetInstances(ec2, id)) oldIds.add(i.instanceId);
    const sources = clusterInstances.filter((ci) => oldIds.has(ci.ec2InstanceId));
    const destinations = clusterInstances.filter((ci) => newInstanceIds.has(ci.ec2InstanceId));
    const verdict = canHold(sources, destinations);
    if (!verdict.fits) problems.push(`not enough room yet: ${verdict.reason}`);
  }

  const progress = { targetCapacity, fulfilledCapacity, instances: newInstanceIds.size, activeInCluster: active };
  const remaining = secondsUntil(replacement.deadline);
  if (problems.length > 0 && remaining <= 0) fail(`replacement not ready by its deadline: ${problems.join('; ')}`);
  const status = problems.length === 0 ? 'ready' : 'waiting';
  logger.info(status === 'ready' ? 'Replacement ready' : 'Replacement not ready yet', { ...progress, problems });
  return { ...replacement, status, polls: replacement.polls + 1, waitSeconds: nextWaitSeconds(pollSeconds, remaining), progress };

  function fail(reason: string): never {
    throw new FleetOpsError(ErrorNames.ReplacementFailed, `Replacement for cluster ${cluster} failed: ${reason}. The old fleets were not touched.`);
  }
}
