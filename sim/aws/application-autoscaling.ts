import type { World } from '../world';
import { awsError } from './errors';

export const SPOT_FLEET_DIMENSION = 'ec2:spot-fleet-request:TargetCapacity' as const;

export interface SuspendedState {
  DynamicScalingInSuspended?: boolean;
  DynamicScalingOutSuspended?: boolean;
  ScheduledScalingSuspended?: boolean;
}

export interface SimScalableTarget {
  ServiceNamespace: string;
  ResourceId: string;
  ScalableDimension: string;
  MinCapacity: number;
  MaxCapacity: number;
  RoleARN: string;
  CreationTime: number;
  SuspendedState: Required<SuspendedState>;
  ScalableTargetARN: string;
}

export interface SimScalingPolicy {
  PolicyARN: string;
  PolicyName: string;
  ServiceNamespace: string;
  ResourceId: string;
  ScalableDimension: string;
  PolicyType: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  StepScalingPolicyConfiguration?: any;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  TargetTrackingScalingPolicyConfiguration?: any;
  Alarms: { AlarmName: string; AlarmARN: string }[];
  CreationTime: number;
}

export interface SimScheduledAction {
  ScheduledActionName: string;
  ScheduledActionARN: string;
  ServiceNamespace: string;
  ResourceId: string;
  ScalableDimension: string;
  Schedule: string;
  Timezone?: string;
  StartTime?: number;
  EndTime?: number;
  ScalableTargetAction?: { MinCapacity?: number; MaxCapacity?: number };
  CreationTime: number;
}

interface TargetKey {
  ServiceNamespace: string;
  ResourceId: string;
  ScalableDimension: string;
}

const validation = (message: string) => awsError('ValidationException', message);
const keyOf = (k: TargetKey) => `${k.ServiceNamespace}|${k.ResourceId}|${k.ScalableDimension}`;

/**
 * Application Auto Scaling, for Spot Fleet target capacity: scalable targets, scaling policies
 * and scheduled actions, with AWS's validation. They are registrations only: the simulator does
 * not evaluate alarms or run schedules.
 */
export class ApplicationAutoScalingSim {
  readonly targets = new Map<string, SimScalableTarget>();
  readonly policies = new Map<string, SimScalingPolicy>();
  readonly scheduledActions = new Map<string, SimScheduledAction>();

  constructor(private readonly world: World) {}

  /** Everything registered on a resource (tests and the scenario report). */
  registrationsOf(resourceId: string): { target?: SimScalableTarget; policies: SimScalingPolicy[]; scheduledActions: SimScheduledAction[] } {
    return {
      target: [...this.targets.values()].find((t) => t.ResourceId === resourceId),
      policies: [...this.policies.values()].filter((p) => p.ResourceId === resourceId),
      scheduledActions: [...this.scheduledActions.values()].filter((a) => a.ResourceId === resourceId),
    };
  }

  readonly operations = {
    RegisterScalableTarget: (input: TargetKey & { MinCapacity?: number; MaxCapacity?: number; RoleARN?: string; SuspendedState?: SuspendedState }) => {
      this.checkResource(input);
      const key = keyOf(input);
      const existing = this.targets.get(key);
      if (!existing && (input.MinCapacity === undefined || input.MaxCapacity === undefined)) {
        throw validation('MinCapacity and MaxCapacity are required for registering a new scalable target');
      }
      const min = input.MinCapacity ?? existing!.MinCapacity;
      const max = input.MaxCapacity ?? existing!.MaxCapacity;
      if (min < 0 || max < 0) throw validation('MinCapacity and MaxCapacity must be non-negative');
      if (min > max) throw validation(`Minimum capacity cannot be greater than maximum capacity`);
      const suspended = {
        DynamicScalingInSuspended: false,
        DynamicScalingOutSuspended: false,
        ScheduledScalingSuspended: false,
        ...existing?.SuspendedState,
        ...input.SuspendedState,
      };
      const target: SimScalableTarget = {
        ServiceNamespace: input.ServiceNamespace,
        ResourceId: input.ResourceId,
        ScalableDimension: input.ScalableDimension,
        MinCapacity: min,
        MaxCapacity: max,
        RoleARN: input.RoleARN ?? existing?.RoleARN ?? `arn:aws:iam::${this.world.account}:role/aws-service-role/ec2.application-autoscaling.amazonaws.com/AWSServiceRoleForApplicationAutoScaling_EC2SpotFleetRequest`,
        CreationTime: existing?.CreationTime ?? this.world.clock.now(),
        SuspendedState: suspended,
        ScalableTargetARN: existing?.ScalableTargetARN ?? `arn:aws:application-autoscaling:${this.world.region}:${this.world.account}:scalable-target/${this.world.rng.hex(32)}`,
      };
      this.targets.set(key, target);
      return { ScalableTargetARN: target.ScalableTargetARN };
    },

    DescribeScalableTargets: (input: { ServiceNamespace: string; ResourceIds?: string[]; ScalableDimension?: string; MaxResults?: number; NextToken?: string }) => {
      const list = [...this.targets.values()].filter(
        (t) => t.ServiceNamespace === input.ServiceNamespace && (!input.ResourceIds?.length || input.ResourceIds.includes(t.ResourceId)) && (!input.ScalableDimension || t.ScalableDimension === input.ScalableDimension),
      );
      const { items, next } = this.page(list, input.MaxResults, input.NextToken);
      return {
        ScalableTargets: items.map((t) => ({ ...structuredClone(t), CreationTime: new Date(t.CreationTime) })),
        ...(next ? { NextToken: next } : {}),
      };
    },

    DeregisterScalableTarget: (input: TargetKey) => {
      const key = keyOf(input);
      if (!this.targets.has(key)) throw this.noTarget(input);
      this.targets.delete(key);
      // AWS deletes the target's scaling policies and scheduled actions with it.
      for (const [k, p] of this.policies) if (keyOf(p) === key) this.policies.delete(k);
      for (const [k, a] of this.scheduledActions) if (keyOf(a) === key) this.scheduledActions.delete(k);
      return {};
    },

    PutScalingPolicy: (input: TargetKey & { PolicyName: string; PolicyType?: string; StepScalingPolicyConfiguration?: unknown; TargetTrackingScalingPolicyConfiguration?: unknown }) => {
      if (!this.targets.has(keyOf(input))) throw this.noTarget(input);
      const type = input.PolicyType ?? 'StepScaling';
      if (type === 'StepScaling' && !input.StepScalingPolicyConfiguration) throw validation('StepScalingPolicyConfiguration is required for a StepScaling policy');
      if (type === 'TargetTrackingScaling' && !input.TargetTrackingScalingPolicyConfiguration) throw validation('TargetTrackingScalingPolicyConfiguration is required for a TargetTrackingScaling policy');
      if (type !== 'StepScaling' && type !== 'TargetTrackingScaling') throw validation(`Unsupported policy type ${type} for ${input.ScalableDimension}`);
      const key = `${keyOf(input)}|${input.PolicyName}`;
      const existing = this.policies.get(key);
      const arn = existing?.PolicyARN ?? `arn:aws:autoscaling:${this.world.region}:${this.world.account}:scalingPolicy:${this.world.rng.uuid()}:resource/${input.ServiceNamespace}/${input.ResourceId}:policyName/${input.PolicyName}`;
      const alarms =
        type === 'TargetTrackingScaling'
          ? (existing?.Alarms.length ? existing.Alarms : ['AlarmHigh', 'AlarmLow'].map((kind) => {
              const name = `TargetTracking-${input.ResourceId}-${kind}-${this.world.rng.uuid()}`;
              return { AlarmName: name, AlarmARN: `arn:aws:cloudwatch:${this.world.region}:${this.world.account}:alarm:${name}` };
            }))
          : [];
      this.policies.set(key, {
        PolicyARN: arn,
        PolicyName: input.PolicyName,
        ServiceNamespace: input.ServiceNamespace,
        ResourceId: input.ResourceId,
        ScalableDimension: input.ScalableDimension,
        PolicyType: type,
        ...(input.StepScalingPolicyConfiguration ? { StepScalingPolicyConfiguration: structuredClone(input.StepScalingPolicyConfiguration) } : {}),
        ...(input.TargetTrackingScalingPolicyConfiguration ? { TargetTrackingScalingPolicyConfiguration: structuredClone(input.TargetTrackingScalingPolicyConfiguration) } : {}),
        Alarms: alarms,
        CreationTime: existing?.CreationTime ?? this.world.clock.now(),
      });
      return { PolicyARN: arn, Alarms: structuredClone(alarms) };
    },

    DescribeScalingPolicies: (input: { ServiceNamespace: string; PolicyNames?: string[]; ResourceId?: string; ScalableDimension?: string; MaxResults?: number; NextToken?: string }) => {
      const list = [...this.policies.values()].filter(
        (p) =>
          p.ServiceNamespace === input.ServiceNamespace &&
          (!input.PolicyNames?.length || input.PolicyNames.includes(p.PolicyName)) &&
          (!input.ResourceId || p.ResourceId === input.ResourceId) &&
          (!input.ScalableDimension || p.ScalableDimension === input.ScalableDimension),
      );
      const { items, next } = this.page(list, input.MaxResults, input.NextToken);
      return { ScalingPolicies: items.map((p) => ({ ...structuredClone(p), CreationTime: new Date(p.CreationTime) })), ...(next ? { NextToken: next } : {}) };
    },

    DeleteScalingPolicy: (input: TargetKey & { PolicyName: string }) => {
      const key = `${keyOf(input)}|${input.PolicyName}`;
      if (!this.policies.has(key)) throw awsError('ObjectNotFoundException', `No scaling policy found for service namespace: ${input.ServiceNamespace}, resource ID: ${input.ResourceId}, scalable dimension: ${input.ScalableDimension}, policy name: ${input.PolicyName}`);
      this.policies.delete(key);
      return {};
    },

    PutScheduledAction: (input: TargetKey & { ScheduledActionName: string; Schedule?: string; Timezone?: string; StartTime?: Date | string; EndTime?: Date | string; ScalableTargetAction?: { MinCapacity?: number; MaxCapacity?: number } }) => {
      if (!this.targets.has(keyOf(input))) throw this.noTarget(input);
      const key = `${keyOf(input)}|${input.ScheduledActionName}`;
      const existing = this.scheduledActions.get(key);
      const schedule = input.Schedule ?? existing?.Schedule;
      if (!schedule) throw validation('Schedule is required when creating a scheduled action');
      if (!/^(at\(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\)|rate\(\d+ (minute|minutes|hour|hours|day|days)\)|cron\(.+\))$/.test(schedule)) throw validation(`Schedule expression ${schedule} is invalid`);
      const action = input.ScalableTargetAction ?? existing?.ScalableTargetAction;
      if (action?.MinCapacity !== undefined && action.MaxCapacity !== undefined && action.MinCapacity > action.MaxCapacity) throw validation('Minimum capacity cannot be greater than maximum capacity');
      const time = (t: Date | string | undefined) => (t === undefined ? undefined : new Date(t).getTime());
      this.scheduledActions.set(key, {
        ScheduledActionName: input.ScheduledActionName,
        ScheduledActionARN: existing?.ScheduledActionARN ?? `arn:aws:autoscaling:${this.world.region}:${this.world.account}:scheduledAction:${this.world.rng.uuid()}:resource/${input.ServiceNamespace}/${input.ResourceId}:scheduledActionName/${input.ScheduledActionName}`,
        ServiceNamespace: input.ServiceNamespace,
        ResourceId: input.ResourceId,
        ScalableDimension: input.ScalableDimension,
        Schedule: schedule,
        ...(input.Timezone ?? existing?.Timezone ? { Timezone: input.Timezone ?? existing?.Timezone } : {}),
        ...(input.StartTime !== undefined || existing?.StartTime !== undefined ? { StartTime: time(input.StartTime) ?? existing?.StartTime } : {}),
        ...(input.EndTime !== undefined || existing?.EndTime !== undefined ? { EndTime: time(input.EndTime) ?? existing?.EndTime } : {}),
        ...(action ? { ScalableTargetAction: structuredClone(action) } : {}),
        CreationTime: existing?.CreationTime ?? this.world.clock.now(),
      });
      return {};
    },

    DescribeScheduledActions: (input: { ServiceNamespace: string; ScheduledActionNames?: string[]; ResourceId?: string; ScalableDimension?: string; MaxResults?: number; NextToken?: string }) => {
      const list = [...this.scheduledActions.values()].filter(
        (a) =>
          a.ServiceNamespace === input.ServiceNamespace &&
          (!input.ScheduledActionNames?.length || input.ScheduledActionNames.includes(a.ScheduledActionName)) &&
          (!input.ResourceId || a.ResourceId === input.ResourceId) &&
          (!input.ScalableDimension || a.ScalableDimension === input.ScalableDimension),
      );
      const { items, next } = this.page(list, input.MaxResults, input.NextToken);
      return {
        ScheduledActions: items.map((a) => ({
          ...structuredClone(a),
          CreationTime: new Date(a.CreationTime),
          ...(a.StartTime !== undefined ? { StartTime: new Date(a.StartTime) } : {}),
          ...(a.EndTime !== undefined ? { EndTime: new Date(a.EndTime) } : {}),
        })),
        ...(next ? { NextToken: next } : {}),
      };
    },

    DeleteScheduledAction: (input: TargetKey & { ScheduledActionName: string }) => {
      const key = `${keyOf(input)}|${input.ScheduledActionName}`;
      if (!this.scheduledActions.has(key)) throw awsError('ObjectNotFoundException', `No scheduled action found for service namespace: ${input.ServiceNamespace}, resource ID: ${input.ResourceId}, scalable dimension: ${input.ScalableDimension}, scheduled action name: ${input.ScheduledActionName}`);
      this.scheduledActions.delete(key);
      return {};
    },
  };

  /** AWS checks the resource when a target is registered: a Spot Fleet request that exists and is not cancelled. */
  private checkResource(k: TargetKey): void {
    if (k.ServiceNamespace !== 'ec2' || k.ScalableDimension !== SPOT_FLEET_DIMENSION) {
      throw awsError('UnsupportedOperation', `The simulator models Application Auto Scaling for ${SPOT_FLEET_DIMENSION} only, not ${k.ServiceNamespace} ${k.ScalableDimension}`);
    }
    const match = /^spot-fleet-request\/(sfr-[0-9a-f-]{36})$/.exec(k.ResourceId);
    if (!match) throw validation(`Unsupported resource ID ${k.ResourceId} for scalable dimension ${k.ScalableDimension}`);
    const fleet = this.world.ec2.fleets.get(match[1]);
    if (!fleet || fleet.state === 'cancelled' || fleet.state.startsWith('cancelled_') || fleet.state === 'failed') {
      throw validation(`Unable to register scalable target: spot fleet request ${match[1]} does not exist or is not active`);
    }
  }

  private noTarget(k: TargetKey) {
    return awsError('ObjectNotFoundException', `No scalable target registered for service namespace: ${k.ServiceNamespace}, resource ID: ${k.ResourceId}, scalable dimension: ${k.ScalableDimension}`);
  }

  private page<T>(list: T[], maxResults: number | undefined, nextToken: string | undefined): { items: T[]; next?: string } {
    if (maxResults !== undefined && (maxResults < 1 || maxResults > 50)) throw validation(`1 validation error detected: Value '${maxResults}' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 50`);
    const size = maxResults ?? 50;
    const start = nextToken ? Number(nextToken) : 0;
    if (!Number.isInteger(start) || start < 0) throw validation('Invalid NextToken');
    const items = list.slice(start, start + size);
    return start + size < list.length ? { items, next: String(start + size) } : { items };
  }
}
