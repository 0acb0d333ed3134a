import { SetDesiredCapacityCommand } from '@aws-sdk/client-auto-scaling';
import { ModifySpotFleetRequestCommand } from '@aws-sdk/client-ec2';
import { clients } from '../lib/clients';
import { AccessDeniedError, UnsupportedGroupError, isAccessDenied } from '../lib/errors';
import { logger, withContext } from '../lib/log';
import { isoAfter } from '../lib/time';
import { isInService, liveInstances } from '../lib/aws/auto-scaling-groups';
import { firstWaitSeconds } from '../rollover/polling';
import { usableFleet } from './fleet';
import { currentGroup, scalingRefusal } from './group';
import { isGroupCapacity, type CapacityProgress, type FleetCapacityPlan, type GroupCapacityPlan, type ScaleState, type Wait } from './state';

/**
 * RaiseFleetCapacity: the fleet's target capacity to the planned number of weighted units, or the
 * Auto Scaling group's desired capacity to the planned number of instances (never above its
 * MaxSize). Never lowers either, so a retried step, or another scaling that raised it meanwhile,
 * is not undone; the target comes from the plan, so a retry does not add twice.
 */
export async function handler(state: ScaleState): Promise<Wait<'waiting', CapacityProgress>> {
  const r = state.request;
  withContext({ execution: state.execution.name, cluster: r.cluster, state: 'RaiseFleetCapacity' });
  const planned = state.plan!.capacity!;
  const progress = isGroupCapacity(planned) ? await raiseGroup(planned, r.service) : await raiseFleet(planned);
  return { status: 'waiting', deadline: isoAfter(r.capacityTimeoutSeconds), waitSeconds: firstWaitSeconds(r.pollSeconds), polls: 0, progress };
}

async function raiseFleet(planned: FleetCapacityPlan): Promise<CapacityProgress> {
  const { ec2 } = clients();
  const fleet = await usableFleet(ec2, planned.fleetId);
  const current = fleet.SpotFleetRequestConfig?.TargetCapacity ?? 0;
  const target = Math.max(current, planned.toTarget);
  if (target > current) {
    await denied(`ec2:ModifySpotFleetRequest on ${planned.fleetId}`, () => ec2.send(new ModifySpotFleetRequestCommand({ SpotFleetRequestId: planned.fleetId, TargetCapacity: target })));
  }
  logger.info(target > current ? 'Fleet target capacity raised' : 'Fleet target capacity already high enough', { fleetId: planned.fleetId, from: current, to: target });
  return { targetCapacity: target, fulfilledCapacity: fleet.SpotFleetRequestConfig?.FulfilledCapacity ?? 0, instances: 0, activeInCluster: 0 };
}

async function raiseGroup(planned: GroupCapacityPlan, service: string): Promise<CapacityProgress> {
  const { autoscaling } = clients();
  const group = await currentGroup(autoscaling, planned.groupName);
  const refusal = scalingRefusal(group, 'out');
  if (refusal) throw new UnsupportedGroupError(`${refusal}. Service ${service} was not scaled`);
  const current = group.DesiredCapacity ?? 0;
  // A MaxSize lowered since the plan is respected: AWS would refuse a desired capacity above it anyway.
  const target = Math.max(current, Math.min(planned.toDesired, group.MaxSize ?? planned.toDesired));
  if (target > current) {
    await denied(`autoscaling:SetDesiredCapacity on ${planned.groupName}`, () =>
      autoscaling.send(new SetDesiredCapacityCommand({ AutoScalingGroupName: planned.groupName, DesiredCapacity: target, HonorCooldown: false })),
    );
  }
  logger.info(target > current ? 'Group desired capacity raised' : 'Group desired capacity already high enough', { groupName: planned.groupName, from: current, to: target, planned: planned.toDesired });
  const live = liveInstances(group);
  return { targetCapacity: target, fulfilledCapacity: live.filter(isInService).length, instances: live.length, activeInCluster: 0 };
}

async function denied<T>(action: string, send: () => Promise<T>): Promise<T> {
  try {
    return await send();
  } catch (error) {
    if (isAccessDenied(error)) throw new AccessDeniedError(`${action} was denied (${(error as Error).message}); the service was not scaled`);
    throw error;
  }
}
