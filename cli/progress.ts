import { phaseOf } from './phases';

/**
 * Where one execution stands, built from what its history says: the states it entered and what
 * their Lambdas returned. `npm run watch` feeds it from GetExecutionHistory; `npm run simulate`
 * from the local runner. The rollover's handlers return small progress counters (functions/rollover/
 * state.ts: Replacement.progress, Drain.progress), which give "instances ready / drained".
 */
export class ExecutionProgress {
  status = 'RUNNING';
  state = '';
  stateType = '';
  phase = '';
  lastChangeAt: number;
  endedAt?: number;
  error?: string;
  cause?: string;
  /** New instances ACTIVE in the cluster, of those the replacement fleets launched. */
  replacement?: { ready: number; instances: number; fulfilledCapacity: number; targetCapacity: number };
  /** Old (or, in a rollback, replacement) instances emptied, of those to drain. */
  drain?: { scope: 'old' | 'new'; drained: number; instances: number; draining: number; tasksLeft: number };
  retired?: number;
  /** A dry run's verdict and summary, or the outcome Notify reported. */
  result?: string;

  constructor(
    readonly name: string,
    readonly startedAt: number,
  ) {
    this.lastChangeAt = startedAt;
  }

  enter(state: string, type: string, at: number): void {
    this.state = state;
    this.stateType = type;
    this.phase = phaseOf(state, type, this.phase || undefined);
    this.lastChangeAt = at;
  }

  /** A Lambda Task returned `output` (the handler's own result, before ResultPath). */
  taskResult(state: string, output: unknown, at: number): void {
    this.lastChangeAt = at;
    if (!output || typeof output !== 'object') return;
    const o = output as Record<string, unknown>;
    const progress = o.progress as Record<string, number> | undefined;
    if ((state === 'CreateReplacementFleets' || state === 'CheckReplacement') && progress) {
      this.replacement = { ready: progress.activeInCluster ?? 0, instances: progress.instances ?? 0, fulfilledCapacity: progress.fulfilledCapacity ?? 0, targetCapacity: progress.targetCapacity ?? 0 };
    } else if (/^(DrainOldInstances|CheckOldDrain|DrainReplacement|CheckReplacementDrain)$/.test(state) && progress) {
      const scope = o.scope === 'new' ? 'new' : 'old';
      const drained = o.status === 'drained' ? (progress.instances ?? 0) : (progress.empty ?? 0);
      this.drain = { scope, drained, instances: progress.instances ?? 0, draining: progress.draining ?? 0, tasksLeft: progress.tasksLeft ?? 0 };
    } else if (state === 'RetireOldFleets' && o.status === 'retired') {
      this.retired = typeof o.instances === 'number' ? o.instances : undefined;
      if (this.drain?.scope === 'old') this.drain = { ...this.drain, drained: this.drain.instances, tasksLeft: 0 };
    } else if (state === 'PlanRollover' && typeof o.summary === 'string') {
      this.result = `${String(o.verdict)}: ${o.summary}`;
    } else if (/^Notify/.test(state) && typeof o.message === 'string') {
      this.result = o.message;
    }
  }

  end(status: string, at: number, error?: string, cause?: string): void {
    this.status = status;
    this.endedAt = at;
    this.lastChangeAt = at;
    this.error = error;
    this.cause = cause;
  }

  /** One line: elapsed time, phase and state, and the counters that matter in that phase. */
  line(now: number): string {
    const elapsed = formatElapsed(Math.max(0, Math.round(((this.endedAt ?? now) - this.startedAt) / 1000)));
    const where = this.status === 'RUNNING' ? `${this.phase || 'Starting'}${this.state && this.state !== this.phase ? ` · ${this.state}` : ''}` : this.status;
    const parts = [`${elapsed}  ${where}`];
    if (this.replacement) parts.push(`new ${this.replacement.ready}/${this.replacement.instances} ready (${this.replacement.fulfilledCapacity}/${this.replacement.targetCapacity} units)`);
    if (this.drain) {
      const which = this.drain.scope === 'old' ? 'old' : 'replacement';
      parts.push(`${which} ${this.drain.drained}/${this.drain.instances} drained${this.drain.tasksLeft ? `, ${this.drain.tasksLeft} task(s) to move` : ''}`);
    }
    if (this.retired !== undefined) parts.push(`${this.retired} old instance(s) retired`);
    if (this.status !== 'RUNNING' && this.error) parts.push(`${this.error}: ${firstLine(this.cause ?? '')}`);
    else if (this.status !== 'RUNNING' && this.result) parts.push(this.result);
    return parts.join(' · ');
  }
}

export function formatElapsed(seconds: number): string {
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  return `+${h ? `${h}h${String(m).padStart(2, '0')}m` : `${String(m).padStart(3, ' ')}m`}${String(s).padStart(2, '0')}s`;
}

function firstLine(text: string): string {
  const line = text.split('\n')[0];
  return line.length > 160 ? `${line.slice(0, 157)}…` : line;
}

export interface Terminal {
  write(text: string): void;
  isTTY?: boolean;
  columns?: number;
}

/**
 * A status line at the bottom of a terminal: on a TTY it is redrawn in place (and permanent lines
 * are printed above it); otherwise each changed status is printed as a plain line, so a log file
 * or CI output gets one line per change instead of control characters.
 */
export class StatusLine {
  private current = '';
  private shown = false;
  private pending = false;
  private lastDraw = 0;

  constructor(
    private readonly out: Terminal,
    private readonly minIntervalMs = 50,
    private readonly clock: () => number = () => performance.now(),
  ) {}

  get live(): boolean {
    return Boolean(this.out.isTTY);
  }

  /** Sets the status; on a TTY redrawn at most every `minIntervalMs` of real time (unless `force`). */
  update(line: string, force = false): void {
    if (line === this.current) return;
    this.current = line;
    if (!this.live) {
      this.out.write(`${line}\n`);
      return;
    }
    const now = this.clock();
    if (!force && this.shown && now - this.lastDraw < this.minIntervalMs) {
      this.pending = true;
      return;
    }
    this.draw();
    this.lastDraw = now;
  }

  /** A permanent line, above the status line. */
  print(line: string): void {
    if (!this.live) {
      this.out.write(`${line}\n`);
      return;
    }
    this.clear();
    this.out.write(`${line}\n`);
    if (this.current) this.draw();
  }

  /** Leaves the last status on screen and moves below it. */
  finish(): void {
    if (!this.live) return;
    if (this.pending) this.draw();
    if (this.shown) this.out.write('\n');
    this.shown = false;
  }

  private draw(): void {
    const width = Math.max(20, (this.out.columns || 120) - 1);
    const text = this.current.length > width ? `${this.current.slice(0, width - 1)}…` : this.current;
    this.out.write(`\r\x1b[2K${text}`);
    this.shown = true;
    this.pending = false;
  }

  private clear(): void {
    if (this.shown) this.out.write('\r\x1b[2K');
    this.shown = false;
  }
}
