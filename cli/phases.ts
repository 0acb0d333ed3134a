/**
 * The phases an operator thinks in, from the state names of statemachines/*.asl.json: the live
 * progress line and the timeline's bands show these instead of forty state names.
 */
const ROLLOVER_PHASES: Record<string, string> = {
  ValidateInput: 'Discover',
  ResolveTargetAmi: 'Discover',
  DiscoverFleets: 'Discover',
  RolloverNeeded: 'Discover',
  PlanRollover: 'Plan',
  DryRunPlanned: 'Plan',
  NotifyNoop: 'No-op',
  AlreadyCurrent: 'No-op',
  AcquireLock: 'Lock',
  CreateReplacementFleets: 'Replace',
  CopyScalingRegistrations: 'Replace',
  GroupsToRoll: 'Replace',
  PrepareGroups: 'Replace',
  WaitForReplacement: 'Replace',
  CheckReplacement: 'Replace',
  ReplacementReady: 'Replace',
  StartOldDrain: 'Drain',
  DrainOldInstances: 'Drain',
  WaitForOldDrain: 'Drain',
  CheckOldDrain: 'Drain',
  OldDrainDone: 'Drain',
  RetireOldFleets: 'Retire',
  OldFleetsRetired: 'Retire',
  RemoveOldScalingRegistrations: 'Retire',
  ReleaseLock: 'Finish',
  NotifySuccess: 'Finish',
  RolloverSucceeded: 'Finish',
  ReactivateOldInstances: 'Rollback',
  StartRollback: 'Rollback',
  DrainReplacement: 'Rollback',
  WaitForReplacementDrain: 'Rollback',
  CheckReplacementDrain: 'Rollback',
  ReplacementDrainDone: 'Rollback',
  CancelReplacement: 'Rollback',
  ReplacementCancelled: 'Rollback',
  RemoveReplacementScalingRegistrations: 'Rollback',
  ReactivateReplacement: 'Rollback',
  Refused: 'Refused',
  RefusedFail: 'Refused',
  ReleaseLockAfterFailure: 'Failed',
  NotifyFailure: 'Failed',
  OutcomeWithoutNotification: 'Failed',
  Failed: 'Failed',
};

/** statemachines/scale-service.asl.json (the states it shares with the rollover mean the same). */
const SCALE_PHASES: Record<string, string> = {
  PlanScale: 'Plan',
  ScaleNeeded: 'Plan',
  RaiseFleetCapacity: 'Grow fleet',
  WaitForCapacity: 'Grow fleet',
  CheckCapacity: 'Grow fleet',
  CapacityReady: 'Grow fleet',
  UpdateDesiredCount: 'Scale service',
  WaitForSteady: 'Scale service',
  CheckSteady: 'Scale service',
  ServiceSteady: 'Scale service',
  PlanShrink: 'Plan shrink',
  ShrinkNeeded: 'Plan shrink',
  DrainSpareInstances: 'Drain',
  WaitForSpareDrain: 'Drain',
  CheckSpareDrain: 'Drain',
  SpareDrainDone: 'Drain',
  ShrinkFleet: 'Shrink fleet',
  FleetShrunk: 'Shrink fleet',
  Report: 'Finish',
  Succeeded: 'Finish',
  ReactivateSpareInstances: 'Rollback',
  ReportFailure: 'Failed',
  OutcomeWithoutReport: 'Failed',
};

/** States that only route or wait: they belong to the phase of the Task before them. */
const ROUTING_TYPES = new Set(['Wait', 'Choice', 'Pass']);

/**
 * The phase a state belongs to: the rollover's named phases, else the state's own name — except a
 * Wait, Choice or Pass of another workflow, which continues the current phase (if there is one).
 */
/** Every state of these two state machines has a named phase (test/cli/progress.test.ts checks it). */
export const NAMED_PHASE_STATES = new Set([...Object.keys(ROLLOVER_PHASES), ...Object.keys(SCALE_PHASES)]);

export function phaseOf(state: string, type: string | undefined, current: string | undefined): string {
  const known = ROLLOVER_PHASES[state] ?? SCALE_PHASES[state];
  if (known) return known;
  if (type && ROUTING_TYPES.has(type) && current) return current;
  return state;
}

/** A colour per phase, the same in every picture (unknown phases get one from a small palette). */
const PHASE_COLOURS: Record<string, string> = {
  Discover: '#9aa5b1',
  Plan: '#b8a9d9',
  'No-op': '#c7d2d9',
  Lock: '#7f8c99',
  Replace: '#4c8bf5',
  Drain: '#f2a33a',
  Retire: '#8e6bd1',
  Finish: '#3bb273',
  'Grow fleet': '#4c8bf5',
  'Scale service': '#17a2b8',
  'Plan shrink': '#b8a9d9',
  'Shrink fleet': '#8e6bd1',
  Rollback: '#e4572e',
  Refused: '#c0392b',
  Failed: '#c0392b',
};
const PALETTE = ['#4c8bf5', '#f2a33a', '#3bb273', '#8e6bd1', '#17a2b8', '#e83e8c', '#6c757d', '#20c997'];

export function phaseColour(phase: string): string {
  const known = PHASE_COLOURS[phase];
  if (known) return known;
  let hash = 0;
  for (const c of phase) hash = (hash * 31 + c.charCodeAt(0)) >>> 0;
  return PALETTE[hash % PALETTE.length];
}
