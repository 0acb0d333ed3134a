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
