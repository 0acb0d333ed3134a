/**
 * Virtual time. Nothing in the simulator sleeps: the world jumps from one scheduled event to the
 * next, and the local runner resolves a state machine's Wait when the clock reaches its end.
 */
export const SIM_EPOCH = Date.parse('2026-11-01T10:00:00.000Z');

interface Timer {
  at: number;
  seq: number;
  label: string;
  run: () => void;
}

/** A binary heap of timers ordered by (time, insertion order), so runs are deterministic. */
export class VirtualClock {
  private current: number;
  private seq = 0;
  private heap: Timer[] = [];

  constructor(start = SIM_EPOCH) {
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  date(): Date {
    return new Date(this.current);
  }

  iso(): string {
    return new Date(this.current).toISOString();
  }

  /** Seconds since the start of the simulation. */
  elapsedSeconds(start = SIM_EPOCH): number {
    return (this.current - start) / 1000;
  }

  /** Runs `run` when virtual time reaches `at` (ms since epoch). Earlier-scheduled timers at the same time run first. */
  at(at: number, label: string, run: () => void): void {
    const timer = { at: Math.max(at, this.current), seq: this.seq++, label, run };
    this.heap.push(timer);
    this.up(this.heap.length - 1);
  }

  after(seconds: number, label: string, run: () => void): void {
    this.at(this.current + Math.round(seconds * 1000), label, run);
  }

  nextAt(): number | undefined {
    return this.heap[0]?.at;
  }

  pending(): number {
    return this.heap.length;
  }

  /** Pops and runs every timer due at the earliest pending time ≤ `limit`; returns that time, or undefined. */
  runNextBatch(limit: number): number | undefined {
    const first = this.heap[0];
    if (!first || first.at > limit) return undefined;
    const time = first.at;
    this.current = time;
    while (this.heap[0] && this.heap[0].at === time) {
      const timer = this.pop();
      timer.run();
    }
    return time;
  }

  /** Moves time forward to `time` without running anything (callers run due timers first). */
  setTime(time: number): void {
    if (time > this.current) this.current = time;
  }

  private pop(): Timer {
    const top = this.heap[0];
    const last = this.heap.pop()!;
    if (this.heap.length > 0) {
      this.heap[0] = last;
      this.down(0);
    }
    return top;
  }

  private less(a: Timer, b: Timer): boolean {
    return a.at < b.at || (a.at === b.at && a.seq < b.seq);
  }

  private up(i: number): void {
    const h = this.heap;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(h[i], h[p])) break;
      [h[i], h[p]] = [h[p], h[i]];
      i = p;
    }
  }

  private down(i: number): void {
    const h = this.heap;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < h.length && this.less(h[l], h[m])) m = l;
      if (r < h.length && this.less(h[r], h[m])) m = r;
      if (m === i) return;
      [h[i], h[m]] = [h[m], h[i]];
      i = m;
    }
  }
}
