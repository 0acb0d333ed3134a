/**
 * The current time. Handlers read time only through here (Date.now), so a deadline computed in
 * one step and checked in another uses one clock — Lambda's, or the simulator's virtual one.
 */
export function nowMs(): number {
  return Date.now();
}

export function isoAfter(seconds: number): string {
  return new Date(nowMs() + seconds * 1000).toISOString();
}

export function secondsUntil(iso: string): number {
  return (Date.parse(iso) - nowMs()) / 1000;
}
