import {
  type ApplicationAutoScalingClient,
  DeregisterScalableTargetCommand,
  PutScalingPolicyCommand,
  PutScheduledActionCommand,
  RegisterScalableTargetCommand,
  type ScalableTarget,
  type ScalingPolicy,
  type ScheduledAction,
  paginateDescribeScalableTargets,
  paginateDescribeScalingPolicies,
  paginateDescribeScheduledActions,
} from '@aws-sdk/client-application-auto-scaling';
import { errorName } from '../errors';

/** Application Auto Scaling's dimension for a Spot Fleet request's target capacity. */
export const SPOT_FLEET_DIMENSION = 'ec2:spot-fleet-request:TargetCapacity';

export const fleetResourceId = (fleetId: string): string => `spot-fleet-request/${fleetId}`;

/** What Application Auto Scaling holds for one Spot Fleet. */
export interface FleetScaling {
  target?: ScalableTarget;
  policies: ScalingPolicy[];
  scheduledActions: ScheduledAction[];
}

const key = (fleetId: string) => ({ ServiceNamespace: 'ec2' as const, ResourceId: fleetResourceId(fleetId), ScalableDimension: SPOT_FLEET_DIMENSION as 'ec2:spot-fleet-request:TargetCapacity' });

export async function describeFleetScaling(client: ApplicationAutoScalingClient, fleetId: string): Promise<FleetScaling> {
  const { ServiceNamespace, ResourceId, ScalableDimension } = key(fleetId);
  let target: ScalableTarget | undefined;
  for await (const page of paginateDescribeScalableTargets({ client }, { ServiceNamespace, ResourceIds: [ResourceId], ScalableDimension })) {
    target ??= page.ScalableTargets?.[0];
  }
  if (!target) return { policies: [], scheduledActions: [] };
  const policies: ScalingPolicy[] = [];
  for await (const page of paginateDescribeScalingPolicies({ client }, { ServiceNamespace, ResourceId, ScalableDimension })) policies.push(...(page.ScalingPolicies ?? []));
  const scheduledActions: ScheduledAction[] = [];
  for await (const page of paginateDescribeScheduledActions({ client }, { ServiceNamespace, ResourceId, ScalableDimension })) scheduledActions.push(...(page.ScheduledActions ?? []));
  return { target, policies, scheduledActions };
}

/**
 * Registers `scaling` (read from another fleet) on `fleetId`: the target with its bounds and
 * suspended state, then each policy and scheduled action under the same name. Every call is a
 * put, so running it again after a partial failure converges on the same registrations.
 */
export async function copyFleetScaling(client: ApplicationAutoScalingClient, scaling: FleetScaling, fleetId: string): Promise<{ policies: number; scheduledActions: number }> {
  if (!scaling.target) return { policies: 0, scheduledActions: 0 };
  const k = key(fleetId);
  const t = scaling.target;
  await client.send(new RegisterScalableTargetCommand({ ...k, MinCapacity: t.MinCapacity, MaxCapacity: t.MaxCapacity, ...(t.SuspendedState ? { SuspendedState: t.SuspendedState } : {}) }));
  for (const p of scaling.policies) {
    await client.send(
      new PutScalingPolicyCommand({
        ...k,
        PolicyName: p.PolicyName,
        PolicyType: p.PolicyType,
        ...(p.StepScalingPolicyConfiguration ? { StepScalingPolicyConfiguration: p.StepScalingPolicyConfiguration } : {}),
        ...(p.TargetTrackingScalingPolicyConfiguration ? { TargetTrackingScalingPolicyConfiguration: p.TargetTrackingScalingPolicyConfiguration } : {}),
      }),
    );
  }
  for (const a of scaling.scheduledActions) {
    await client.send(
      new PutScheduledActionCommand({
        ...k,
        ScheduledActionName: a.ScheduledActionName,
        Schedule: a.Schedule,
        ...(a.Timezone ? { Timezone: a.Timezone } : {}),
        ...(a.StartTime ? { StartTime: a.StartTime } : {}),
        ...(a.EndTime ? { EndTime: a.EndTime } : {}),
        ...(a.ScalableTargetAction ? { ScalableTargetAction: a.ScalableTargetAction } : {}),
      }),
    );
  }
  return { policies: scaling.policies.length, scheduledActions: scaling.scheduledActions.length };
}

/**
 * Deregisters a fleet's scalable target, which deletes its policies and scheduled actions with it.
 * False when there was none (already removed by an earlier attempt, or never registered): then
 * nothing is called but a describe.
 */
export async function removeFleetScaling(client: ApplicationAutoScalingClient, fleetId: string): Promise<boolean> {
  const { ServiceNamespace, ResourceId, ScalableDimension } = key(fleetId);
  let registered = false;
  for await (const page of paginateDescribeScalableTargets({ client }, { ServiceNamespace, ResourceIds: [ResourceId], ScalableDimension })) registered ||= Boolean(page.ScalableTargets?.length);
  if (!registered) return false;
  try {
    await client.send(new DeregisterScalableTargetCommand(key(fleetId)));
    return true;
  } catch (error) {
    if (errorName(error) === 'ObjectNotFoundException') return false;
    throw error;
  }
}
