import { clients } from '../lib/clients';
import { ErrorNames, FleetOpsError } from '../lib/errors';
import { fleetReadiness } from '../lib/fleet-readiness';
import { logger, withContext } from '../lib/log';
import { recordMetrics } from '../lib/metrics';
import { nowMs, secondsUntil } from '../lib/time';
import { fleetInstances } from '../lib/aws/fleets';
import { isInService } from '../lib/aws/auto-scaling-groups';
import { canHold } from './capacity';
import { groupViews } from './group-roll';
import { nextWaitSeconds } from './polling';
import type { Replacement, RolloverState } from './state';

/**
 * CheckReplacement: ready when every replacement fleet is active and fulfilled, each of its
 * instances is ACTIVE in the cluster with a connected agent; when each group being rolled has as
 * many new instances InService (past any launch lifecycle hook) and ACTIVE as it had old ones;
 * and together they can hold the tasks of the instances to drain. A failed fleet, or the
 * deadline, ends the wait with ReplacementFailed (the state machine then rolls back).
 */
export async function handler(state: RolloverState): Promise<Replacement> {
  const { cluster, pollSeconds } = state.request;
  withContext({ execution: state.execution.name, cluster, state: 'CheckReplacement' });
  const aws = clients();
  const { ec2, ecs } = aws;
  const replacement = state.replacement!;
  const newIds = replacement.fleets.map((p) => p.newFleetId);
  const readiness = await fleetReadiness({ ec2, ecs }, cluster, newIds);
  if (readiness.fatal) fail(`replacement ${readiness.fatal}`);
  const problems = [...readiness.problems];

  // Groups: their new instances, InService and ACTIVE in the cluster, one for each old one.
  const byEc2 = new Map(readiness.clusterInstances.map((ci) => [ci.ec2InstanceId, ci]));
  const oldIds = new Set<string>();
  const newGroupIds = new Set<string>();
  let groupInstances = 0;
  let groupActive = 0;
  for (const view of await groupViews(aws, state)) {
    const name = view.plan.groupName;
    for (const i of [...view.old, ...view.excess]) oldIds.add(i.InstanceId!);
    if (!view.roll) {
      problems.push(`group ${name} is not on its new launch template version yet`);
      continue;
    }
    const excess = new Set(view.excess.map((i) => i.InstanceId));
    const inService = view.new.filter((i) => isInService(i) && !excess.has(i.InstanceId));
    const active = inService.filter((i) => byEc2.get(i.InstanceId!)?.status === 'ACTIVE' && byEc2.get(i.InstanceId!)?.agentConnected);
    for (const i of active) newGroupIds.add(i.InstanceId!);
    groupInstances += view.new.length;
    groupActive += active.length;
    if (active.length < view.plan.instances) {
      const held = view.new.filter((i) => i.LifecycleState === 'Pending:Wait').length;
      problems.push(`group ${name}: ${active.length}/${view.plan.instances} new instances InService and ACTIVE in the cluster${held ? ` (${held} held by a launch lifecycle hook)` : ''}`);
    }
  }

  if (problems.length === 0) {
    for (const id of state.plan!.replace) for (const i of await fleetInstances(ec2, id)) oldIds.add(i.instanceId);
    const sources = readiness.clusterInstances.filter((ci) => oldIds.has(ci.ec2InstanceId));
    const destinations = readiness.clusterInstances.filter((ci) => readiness.instanceIds.has(ci.ec2InstanceId) || newGroupIds.has(ci.ec2InstanceId));
    const verdict = canHold(sources, destinations);
    if (!verdict.fits) problems.push(`not enough room yet: ${verdict.reason}`);
  }

  const progress = {
    targetCapacity: readiness.targetCapacity,
    fulfilledCapacity: readiness.fulfilledCapacity,
    instances: readiness.instanceIds.size + groupInstances,
    activeInCluster: readiness.activeInCluster + groupActive,
  };
  const remaining = secondsUntil(replacement.deadline);
  if (problems.length > 0 && remaining <= 0) fail(`replacement not ready by its deadline: ${problems.join('; ')}`);
  const status = problems.length === 0 ? 'ready' : 'waiting';
  logger.info(status === 'ready' ? 'Replacement ready' : 'Replacement not ready yet', { ...progress, problems });
  if (status === 'ready') {
    const requestedAt = Date.parse(replacement.deadline) - state.request.replacementTimeoutSeconds * 1000;
    recordMetrics({ cluster }, { ReplacementReadyTime: [Math.round((nowMs() - requestedAt) / 1000), 'Seconds'] });
  }
  return { ...replacement, status, polls: replacement.polls + 1, waitSeconds: nextWaitSeconds(pollSeconds, remaining), progress };

  function fail(reason: string): never {
    throw new FleetOpsError(ErrorNames.ReplacementFailed, `Replacement for cluster ${cluster} failed: ${reason}. The old fleets were not touched.`);
  }
}
