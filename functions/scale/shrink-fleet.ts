import { ModifySpotFleetRequestCommand, TerminateInstancesCommand } from '@aws-sdk/client-ec2';
import { clients } from '../lib/clients';
import { AccessDeniedError, UnsupportedGroupError, isAccessDenied } from '../lib/errors';
import { logger, withContext } from '../lib/log';
import { liveInstances, terminateInGroup } from '../lib/aws/auto-scaling-groups';
import { isEmpty } from '../lib/aws/container-instances';
import { describeInstances } from '../lib/aws/fleets';
import { deregisterTargets, targetsOf } from '../lib/aws/targets';
import { usableFleet } from './fleet';
import { currentGroup, scalingRefusal } from './group';
import { viewSpare } from './spare';
import type { ScaleRequest } from './input';
import type { ScaleState, ShrinkPlan, ShrinkResult } from './state';

const LIVE = new Set(['pending', 'running']);
const GOING = new Set(['shutting-down', 'terminated']);

/**
 * ShrinkFleet, only once the spare instances are drained: checks once more that each is DRAINING and
 * holds no task, deregisters their targets, then gives them back.
 *
 * A Spot Fleet: its target capacity lowered by their weighted units with
 * ExcessCapacityTerminationPolicy noTermination (so the fleet terminates nothing of its own
 * choosing, and does not replace them), then TerminateInstances of exactly them. The new target is
 * min(target, fulfilled − their units): what the fleet holds once they are gone. A retry sees the
 * same figures while they still run and changes nothing; once one of them is shutting down the
 * target was already lowered and is left alone.
 *
 * An Auto Scaling group: TerminateInstanceInAutoScalingGroup of each, decrementing the desired
 * capacity (never SetDesiredCapacity, which would let the group pick its own victims). A retry
 * skips the instances already terminating: nothing is terminated, nor decremented, twice.
 */
export async function handler(state: ScaleState): Promise<ShrinkResult> {
  const r = state.request;
  const shrink = state.shrink!;
  withContext({ execution: state.execution.name, cluster: r.cluster, state: 'ShrinkFleet' });
  const { ecs } = clients();

  const spare = await viewSpare(ecs, r.cluster, shrink);
  const notReady = spare.filter((ci) => ci.status !== 'DRAINING' || !isEmpty(ci));
  if (notReady.length > 0) {
    logger.warn('Spare instances not drained yet; draining again before shrinking', { instances: notReady.map((ci) => ci.ec2InstanceId) });
    return { status: 'notDrained', terminated: [] };
  }
  return shrink.groupName ? shrinkGroup(shrink, shrink.groupName) : shrinkFleet(shrink, shrink.fleetId!, r.fleet!);
}

async function shrinkFleet(shrink: ShrinkPlan, fleetId: string, settings: NonNullable<ScaleRequest['fleet']>): Promise<ShrinkResult> {
  const { ec2 } = clients();
  const weights = new Map(shrink.instances.map((i) => [i.instanceId, i.weight]));
  const facts = (await describeInstances(ec2, [...weights.keys()])).filter((f) => f.fleetId === fleetId);
  const live = facts.filter((f) => LIVE.has(f.state)).map((f) => f.instanceId);
  const alreadyLowered = facts.some((f) => GOING.has(f.state));

  let fromTarget: number | undefined;
  let toTarget: number | undefined;
  if (!alreadyLowered && live.length > 0) {
    const fleet = await usableFleet(ec2, fleetId);
    const config = fleet.SpotFleetRequestConfig!;
    const units = live.reduce((n, id) => n + (weights.get(id) ?? 0), 0);
    fromTarget = config.TargetCapacity ?? 0;
    toTarget = Math.max(settings.minCapacity, Math.min(fromTarget, (config.FulfilledCapacity ?? fromTarget) - units));
    if (toTarget !== fromTarget || config.ExcessCapacityTerminationPolicy !== 'noTermination') {
      await call('ec2:ModifySpotFleetRequest', () =>
        ec2.send(new ModifySpotFleetRequestCommand({ SpotFleetRequestId: fleetId, TargetCapacity: toTarget, ExcessCapacityTerminationPolicy: 'noTermination' })),
      );
    }
    logger.info('Fleet target capacity lowered, terminating nothing by itself', { fleetId, from: fromTarget, to: toTarget, units });
  }

  await deregister(shrink, live);
  if (live.length > 0) await call('ec2:TerminateInstances', () => ec2.send(new TerminateInstancesCommand({ InstanceIds: live })));
  logger.info('Spare instances terminated', { fleetId, terminated: live });
  return { status: 'shrunk', terminated: live, ...(fromTarget !== undefined ? { fromTarget, toTarget } : {}) };
}

async function shrinkGroup(shrink: ShrinkPlan, groupName: string): Promise<ShrinkResult> {
  const { autoscaling } = clients();
  const group = await currentGroup(autoscaling, groupName);
  const refusal = scalingRefusal(group, 'in');
  if (refusal) throw new UnsupportedGroupError(`${refusal}; the drained instances go back to ACTIVE, nothing was terminated`);
  const members = new Set(liveInstances(group).map((i) => i.InstanceId));
  const leaving = shrink.instances.map((i) => i.instanceId).filter((id) => members.has(id));
  const desired = group.DesiredCapacity ?? 0;
  const minSize = group.MinSize ?? 0;
  // Checked before the first call: AWS would refuse the decrement that crosses MinSize after terminating the others.
  if (desired - leaving.length < minSize) {
    throw new UnsupportedGroupError(
      `Auto Scaling group ${groupName} has MinSize ${minSize} and desired capacity ${desired}: terminating ${leaving.length} instance(s) with decrement would go below it (was MinSize raised since the plan?); the drained instances go back to ACTIVE, nothing was terminated`,
    );
  }

  await deregister(shrink, leaving);
  const result = await call('autoscaling:TerminateInstanceInAutoScalingGroup', () => terminateInGroup(autoscaling, group, leaving));
  logger.info('Spare instances terminated, desired capacity decremented', { groupName, terminated: result.terminated, alreadyGoing: result.skipped, from: desired, to: desired - result.terminated.length });
  return { status: 'shrunk', terminated: result.terminated, ...(result.terminated.length ? { fromTarget: desired, toTarget: desired - result.terminated.length } : {}) };
}

/** Their targets out of the target groups first, so no request is sent to an instance going away. */
async function deregister(shrink: ShrinkPlan, instanceIds: string[]): Promise<void> {
  const { elbv2 } = clients();
  const leaving = new Set(instanceIds);
  for (const tg of shrink.targetGroupArns) {
    const targets = (await targetsOf(elbv2, tg)).filter((t) => leaving.has(t.id) && t.state !== 'draining' && t.state !== 'unused');
    if (targets.length) await deregisterTargets(elbv2, tg, targets);
  }
}

async function call<T>(action: string, send: () => Promise<T>): Promise<T> {
  try {
    return await send();
  } catch (error) {
    if (isAccessDenied(error)) throw new AccessDeniedError(`${action} was denied (${(error as Error).message}); the spare instances stay drained but running`);
    throw error;
  }
}
