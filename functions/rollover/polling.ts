/**
 * How long to wait before the next look. The first check of a new fleet comes after about the time
 * an instance needs to boot and register (nothing can be ready sooner); later ones at the poll
 * interval.
 */
export const EXPECTED_BOOT_AND_REGISTER_SECONDS = 90;

export function firstWaitSeconds(pollSeconds: number): number {
  return Math.max(pollSeconds, EXPECTED_BOOT_AND_REGISTER_SECONDS);
}

/** Never sleep far past a deadline: the check after it must come promptly to fail cleanly. */
export function nextWaitSeconds(pollSeconds: number, secondsToDeadline: number): number {
  return Math.max(1, Math.min(pollSeconds, Math.ceil(secondsToDeadline) + 1));
}

/** A stalled drain (only tasks with no known end left, e.g. standalone jobs) is looked at less often, up to this many poll intervals. */
export const STALLED_POLL_FACTOR = 2;

/**
 * The next wait of a drain: the poll interval while tasks are moving; when a poll saw no progress,
 * twice the last wait, up to STALLED_POLL_FACTOR intervals — a drain waiting on a batch job for
 * twenty minutes costs a handful of polls, not forty. Never far past the deadline.
 */
export function drainWaitSeconds(pollSeconds: number, previousWait: number | undefined, madeProgress: boolean, secondsToDeadline: number): number {
  const wait = madeProgress || previousWait === undefined ? pollSeconds : Math.min(previousWait * 2, pollSeconds * STALLED_POLL_FACTOR);
  return nextWaitSeconds(Math.max(pollSeconds, wait), secondsToDeadline);
}

/**
 * The first look at a drain: no load-balanced task can have moved before its replacement passed
 * its health checks and the old target finished draining, so wait that long (bounded to 10 min).
 */
export function firstDrainWaitSeconds(pollSeconds: number, targetGroups: { healthySeconds: number; deregistrationDelaySeconds: number }[]): number {
  const physics = Math.max(0, ...targetGroups.map((tg) => tg.healthySeconds + tg.deregistrationDelaySeconds));
  return Math.max(pollSeconds, Math.min(physics, 600));
}
