import type { RolloverRequest } from './input';

/**
 * The document that flows through the ami-rollover state machine. Each Task reads it whole and
 * returns only its own part (the ASL puts it back with ResultPath). It carries ids and counters,
 * never lists of instances or tasks: every poll recomputes those from AWS.
 */
export interface RolloverState {
  request: RolloverRequest;
  execution: ExecutionRef;
  targetAmi?: TargetAmi;
  plan?: Plan;
  lock?: LockRef;
  replacement?: Replacement;
  drain?: Drain;
  /** What CopyScalingRegistrations carried over to the replacement fleets. */
  scaling?: ScalingCarryOver;
  /** What PrepareGroups set on the Auto Scaling groups being rolled. */
  groupRoll?: GroupsPrepared;
  /** Set by a Catch: { Error, Cause } of the step that failed. */
  failure?: StepFailure;
  /** Set by a Catch during the rollback itself. */
  rollbackFailure?: StepFailure;
}

export interface ExecutionRef {
  id: string;
  name: string;
  startedAt: string;
}

export interface TargetAmi {
  imageId: string;
  name?: string;
  source: 'input' | 'ssm';
  parameter?: string;
}

export interface FleetPlan {
  fleetId: string;
  targetCapacity: number;
  instances: number;
  amis: string[];
  usesLaunchTemplate: boolean;
  current: boolean;
}

export interface GroupPlan {
  groupName: string;
  minSize: number;
  maxSize: number;
  desiredCapacity: number;
  instances: number;
  protectedInstances: number;
  amis: string[];
  usesLaunchTemplate: boolean;
  /** "name (EC2_INSTANCE_TERMINATING)": hooks the roll goes through, never around. */
  lifecycleHooks: string[];
  /** The group's size while old and new instances overlap. */
  peakSize: number;
  /** The peak exceeds the max: the max is raised for the roll and restored after. */
  raisesMax: boolean;
  current: boolean;
  /** The launch template as the group names it ($Latest, $Default or a number): put back by a rollback. */
  launchTemplate?: { templateId: string; version: string };
  /** Scaling processes suspended before the roll (left suspended after it). */
  suspendedProcesses: string[];
  /** Why it cannot be rolled safely (dry runs only: a rollover stops with UnsupportedGroup). */
  refusal?: string;
}

export interface Plan {
  fleets: FleetPlan[];
  /** Auto Scaling groups with container instances in the cluster. */
  groups?: GroupPlan[];
  /** Groups not on the target AMI. */
  replaceGroups?: string[];
  /** Fleet ids this rollover replaces (those not already on the target AMI). */
  replace: string[];
  upToDate: boolean;
  containerInstances: number;
  /** Container instances of the cluster that belong to no Spot Fleet nor Auto Scaling group (left alone). */
  otherInstances: number;
  targetGroupArns: string[];
  message: string;
}

export interface LockRef {
  parameter: string;
  owner: string;
}

export interface FleetPair {
  oldFleetId: string;
  newFleetId: string;
}

export interface Replacement {
  fleets: FleetPair[];
  deadline: string;
  status: 'waiting' | 'ready';
  waitSeconds: number;
  polls: number;
  /** Counters of the last check, for the console and the summary. */
  progress: { targetCapacity: number; fulfilledCapacity: number; instances: number; activeInCluster: number };
}

export interface ScalingCarryOver {
  /** Old fleets that had a scalable target (each copied to its replacement). */
  fleets: number;
  policies: number;
  scheduledActions: number;
}

export interface GroupsPrepared {
  groups: number;
  /** New instances asked for: the groups' old instances, one for one. */
  newInstances: number;
  /** Groups whose max size was raised for the roll. */
  maxRaised: number;
}

export type DrainScope = 'old' | 'new';

export interface Drain {
  scope: DrainScope;
  deadline?: string;
  status?: 'draining' | 'nextBatch' | 'drained';
  waitSeconds?: number;
  batches?: number;
  polls?: number;
  startedAt?: string;
  progress?: { instances: number; draining: number; empty: number; tasksLeft: number; targetsDraining: number; standaloneStopped: number };
}

export interface StepFailure {
  Error: string;
  Cause: string;
}

/** Tags put on every replacement fleet, so a retried or rolled-back step can find it again. */
export const TAGS = {
  execution: 'ecs-fleet-ops:execution',
  replaces: 'ecs-fleet-ops:replaces',
  ami: 'ecs-fleet-ops:ami',
  cluster: 'ecs-fleet-ops:cluster',
} as const;
