/**
 * The service's next desired count: one step in the asked direction, kept within [min, max]. A
 * scale-out never lowers the count and a scale-in never raises it, even when someone set it
 * outside the bounds by hand (the next step in the right direction brings it back inside).
 */
export function nextDesiredCount(current: number, r: { direction: 'out' | 'in'; step: number; min: number; max: number }): { desired: number; reason: string } {
  if (r.direction === 'out') {
    const desired = Math.max(current, Math.min(r.max, Math.max(r.min, current + r.step)));
    if (desired === current) return { desired, reason: `desired count ${current} is already at or above max ${r.max}` };
    return { desired, reason: desired < current + r.step ? `step ${r.step} capped by max ${r.max}` : `step ${r.step}` };
  }
  const desired = Math.min(current, Math.max(r.min, Math.min(r.max, current - r.step)));
  if (desired === current) return { desired, reason: `desired count ${current} is already at or below min ${r.min}` };
  return { desired, reason: desired > current - r.step ? `step ${r.step} capped by min ${r.min}` : `step ${r.step}` };
}

export interface LastScale {
  direction: 'out' | 'in';
  at: number;
}

/** Reads the last-scale tag ("<direction> <ISO time>"); undefined when absent or not ours. */
export function parseLastScale(value: string | undefined): LastScale | undefined {
  const match = /^(out|in) (\S+)$/.exec(value ?? '');
  if (!match) return undefined;
  const at = Date.parse(match[2]);
  return Number.isNaN(at) ? undefined : { direction: match[1] as 'out' | 'in', at };
}

export function formatLastScale(direction: 'out' | 'in', at: number): string {
  return `${direction} ${new Date(at).toISOString()}`;
}

/**
 * Seconds of cooldown left for a scaling in `direction`. As Application Auto Scaling does it: a
 * scale-in waits for the cooldown of any scaling; a scale-out only for that of a scale-out, so a
 * rising load is never held back by a recent scale-in.
 */
export function cooldownLeft(last: LastScale | undefined, direction: 'out' | 'in', cooldownSeconds: number, now: number): number {
  if (!last) return 0;
  if (direction === 'out' && last.direction === 'in') return 0;
  return Math.max(0, Math.ceil(cooldownSeconds - (now - last.at) / 1000));
}
