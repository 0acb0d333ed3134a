/**
 * Errors that state machines route on. A state machine's Catch / Choice refers to these names;
 * test/statemachines/asl.test.ts checks every ErrorEquals against this list, so the names in
 * the ASL files cannot drift from the code that throws them.
 */
export const ErrorNames = {
  /** The execution input or a trigger event does not have the documented shape. */
  InvalidInput: 'InvalidInput',
  /** A cluster, fleet, service, AMI or target group named in the input does not exist. */
  NotFound: 'NotFound',
  /** Another rollover holds this cluster's lock. */
  RolloverInProgress: 'RolloverInProgress',
  /** AWS refused the call for lack of permission (e.g. an SCP denying ec2:RequestSpotFleet). */
  AccessDenied: 'AccessDenied',
  /** A fleet's configuration cannot be cloned safely (e.g. a launch template we cannot version). */
  UnsupportedFleet: 'UnsupportedFleet',
  /** An Auto Scaling group's configuration makes a safe roll impossible (no launch template, max too small and not raisable…). */
  UnsupportedGroup: 'UnsupportedGroup',
  /** The replacement capacity failed or did not become ready before its deadline. */
  ReplacementFailed: 'ReplacementFailed',
  /** Old instances still held tasks or draining targets when the drain deadline passed. */
  DrainTimeout: 'DrainTimeout',
  /** Cancelling fleets whose instances were drained failed. */
  RetireFailed: 'RetireFailed',
  /** A rollback could not finish safely (capacity was kept rather than killing tasks). */
  RollbackIncomplete: 'RollbackIncomplete',
  /** Another scale execution holds this service's lock. */
  ScaleInProgress: 'ScaleInProgress',
  /** The fleet is being modified by someone else right now; the state machine retries. */
  FleetBusy: 'FleetBusy',
  /** Capacity added for a scale-out did not become ACTIVE in the cluster before its deadline. */
  CapacityNotReady: 'CapacityNotReady',
  /** The service did not reach a steady state (one deployment, running = desired) before its deadline. */
  ServiceNotSteady: 'ServiceNotSteady',
} as const;

export type ErrorName = (typeof ErrorNames)[keyof typeof ErrorNames];

/** Base class: `name` is what Step Functions matches in Retry / Catch. */
export class FleetOpsError extends Error {
  constructor(name: ErrorName, message: string) {
    super(message);
    this.name = name;
  }
}

export class InvalidInputError extends FleetOpsError {
  constructor(message: string) {
    super(ErrorNames.InvalidInput, message);
  }
}

export class NotFoundError extends FleetOpsError {
  constructor(message: string) {
    super(ErrorNames.NotFound, message);
  }
}

export class RolloverInProgressError extends FleetOpsError {
  constructor(message: string) {
    super(ErrorNames.RolloverInProgress, message);
  }
}

export class AccessDeniedError extends FleetOpsError {
  constructor(message: string) {
    super(ErrorNames.AccessDenied, message);
  }
}

export class UnsupportedFleetError extends FleetOpsError {
  constructor(message: string) {
    super(ErrorNames.UnsupportedFleet, message);
  }
}

export class UnsupportedGroupError extends FleetOpsError {
  constructor(message: string) {
    super(ErrorNames.UnsupportedGroup, message);
  }
}

/** The AWS error names that mean "you may not", across EC2 / ECS / ELB / SSM. */
const ACCESS_DENIED = new Set(['UnauthorizedOperation', 'AccessDenied', 'AccessDeniedException', 'UnauthorizedException']);

export function isAccessDenied(error: unknown): boolean {
  return error instanceof Error && ACCESS_DENIED.has(error.name);
}

export function errorName(error: unknown): string {
  return error instanceof Error ? error.name : 'Error';
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * AWS error names a state machine retries when a handler gives up on them after the SDK's own
 * retries (throttling shared with the rest of the account, transient server faults). The names
 * are those the SDK gives its errors: Auto Scaling's modelled faults carry the shape name
 * (`ResourceContentionFault` for the wire code `ResourceContention`); Application Auto Scaling's
 * are ConcurrentUpdateException (another update of the same target) and InternalServiceException.
 */
export const TRANSIENT_AWS_ERRORS = [
  'ThrottlingException',
  'RequestLimitExceeded',
  'Throttling',
  'ServerException',
  'InternalError',
  'InternalFailure',
  'ServiceUnavailable',
  'ResourceContentionFault',
  'ScalingActivityInProgressFault',
  'ConcurrentUpdateException',
  'InternalServiceException',
] as const;
