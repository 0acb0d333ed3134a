import type { ExecutionRef, LockRef, StepFailure } from '../rollover/state';
import type { ScaleRequest } from './input';

/**
 * The document that flows through the scale-service state machine. Each Task returns only its own
 * part (ResultPath). Ids and counters only: every poll recomputes instances and tasks from AWS.
 */
export interface ScaleState {
  request: ScaleRequest;
  execution: ExecutionRef;
  lock?: LockRef;
  plan?: ScalePlan;
  capacity?: Wait<'waiting' | 'ready', CapacityProgress>;
  steady?: Wait<'waiting' | 'steady', SteadyProgress>;
  shrink?: ShrinkPlan;
  drain?: Wait<'draining' | 'nextBatch' | 'drained', DrainProgress>;
  shrunk?: ShrinkResult;
  /** Set by a Catch: { Error, Cause } of the step that failed. */
  failure?: StepFailure;
}

export interface ScalePlan {
  /** `none`: nothing to change (cooldown, at a bound, no room and no fleet to grow); the reason is in `message`. */
  action: 'none' | 'scale';
  serviceArn: string;
  fromCount: number;
  toCount: number;
  /** What step and bounds alone asked for, before capacity limits. */
  requestedCount: number;
  needsCapacity: boolean;
  /** How the cluster's capacity grows for this scale-out; present when it must grow. */
  capacity?: CapacityPlan;
  message: string;
}

/** The fleet's target capacity (weighted units) before and after, and the weight of each instance type it launches. */
export interface FleetCapacityPlan {
  fleetId: string;
  fromTarget: number;
  toTarget: number;
  weights: Record<string, number>;
}

/** The Auto Scaling group's desired capacity (instances) before and after. */
export interface GroupCapacityPlan {
  groupName: string;
  fromDesired: number;
  toDesired: number;
}

export type CapacityPlan = FleetCapacityPlan | GroupCapacityPlan;

export function isGroupCapacity(capacity: CapacityPlan): capacity is GroupCapacityPlan {
  return 'groupName' in capacity;
}

export interface Wait<S extends string, P> {
  status: S;
  deadline: string;
  waitSeconds: number;
  polls: number;
  progress: P;
}

export interface CapacityProgress {
  targetCapacity: number;
  fulfilledCapacity: number;
  instances: number;
  activeInCluster: number;
}

export interface SteadyProgress {
  desired: number;
  running: number;
  pending: number;
  deployments: number;
  /** Tasks of the service still stopping (counted after a scale-in only). */
  stopping: number;
}

export interface DrainProgress {
  instances: number;
  draining: number;
  empty: number;
  tasksLeft: number;
  targetsDraining: number;
  standaloneStopped: number;
}

export interface ShrinkPlan {
  status: 'none' | 'shrink';
  /** Where the spare instances go back to: a Spot Fleet, or an Auto Scaling group. */
  fleetId?: string;
  groupName?: string;
  /** The spare instances chosen to go, with their weight in the fleet's capacity units (1 in a group). */
  instances: { instanceId: string; weight: number }[];
  units: number;
  /** Target groups of the cluster's services (their targets on the chosen instances are deregistered). */
  targetGroupArns: string[];
  message: string;
}

export interface ShrinkResult {
  status: 'shrunk' | 'notDrained';
  terminated: string[];
  /** The fleet's target capacity, or the group's desired capacity, before and after (when this attempt changed it). */
  fromTarget?: number;
  toTarget?: number;
}

/** The tag on the ECS service that remembers this tool's last scaling: "<direction> <ISO time>". */
export const LAST_SCALE_TAG = 'ecs-fleet-ops:last-scale';
