import fs from 'node:fs';
import path from 'node:path';
import { NAMED_PHASE_STATES } from '../../cli/phases';
import { ExecutionProgress, StatusLine, formatElapsed, type Terminal } from '../../cli/progress';
import { Simulation } from '../../sim/harness';
import { followSimulation } from '../../sim/live';
import { runRolloverScenario } from '../../sim/scenarios/rollover';

function terminal(isTTY: boolean, columns = 200): Terminal & { text: () => string } {
  let written = '';
  return { isTTY, columns, write: (t: string) => void (written += t), text: () => written };
}

describe('Class: StatusLine', () => {
  it('prints each new status as a plain line when the output is not a terminal', () => {
    // Prepare
    const out = terminal(false);
    const status = new StatusLine(out);

    // Act
    status.update('a');
    status.update('a');
    status.print('event');
    status.update('b');
    status.finish();

    // Assess
    expect(out.text()).toBe('a\nevent\nb\n');
  });

  it('redraws one line in place on a terminal, at most every few milliseconds, with events above it', () => {
    // Prepare
    const out = terminal(true, 21);
    let now = 0;
    const status = new StatusLine(out, 50, () => now);

    // Act
    status.update('first');
    now = 10;
    status.update('skipped: too soon');
    now = 100;
    status.update('a status far too long for twenty columns');
    status.print('an event');
    status.finish();

    // Assess
    expect(out.text()).toBe('\r\x1b[2Kfirst\r\x1b[2Ka status far too lo…\r\x1b[2Kan event\n\r\x1b[2Ka status far too lo…\n');
  });
});

describe('Class: ExecutionProgress', () => {
  it('says where a rollover stands from its states and its handlers’ results', () => {
    // Prepare
    const progress = new ExecutionProgress('demo-ami-1', 0);

    // Act
    progress.enter('CheckReplacement', 'Task', 120_000);
    progress.taskResult('CheckReplacement', { status: 'ready', progress: { targetCapacity: 6, fulfilledCapacity: 6, instances: 4, activeInCluster: 3 } }, 120_000);
    progress.enter('WaitForOldDrain', 'Wait', 150_000);
    progress.taskResult('CheckOldDrain', { scope: 'old', status: 'draining', progress: { instances: 5, draining: 5, empty: 2, tasksLeft: 3 } }, 180_000);
    const running = progress.line(185_000);
    progress.end('FAILED', 200_000, 'DrainTimeout', 'Drain of the old instances timed out\nsecond line');

    // Assess
    expect(running).toBe('+  3m05s  Drain · WaitForOldDrain · new 3/4 ready (6/6 units) · old 2/5 drained, 3 task(s) to move');
    expect(progress.line(999_999)).toBe('+  3m20s  FAILED · new 3/4 ready (6/6 units) · old 2/5 drained, 3 task(s) to move · DrainTimeout: Drain of the old instances timed out');
  });

  it('formats long elapsed times in hours', () => {
    // Prepare
    const seconds = [0, 59, 61, 3600 + 125];

    // Act
    const formatted = seconds.map(formatElapsed);

    // Assess
    expect(formatted).toEqual(['+  0m00s', '+  0m59s', '+  1m01s', '+1h02m05s']);
  });
});

describe('Function: followSimulation (npm run simulate on a terminal)', () => {
  it('follows the rollover from the runner: phase, instances ready and drained, virtual time', async () => {
    // Prepare
    const lines: string[] = [];
    const printed: string[] = [];
    let lastLook: (() => void) | undefined;
    const stop = Simulation.observe((sim) => {
      lastLook = followSimulation(sim, (line) => lines.push(line));
    });

    // Act
    try {
      await runRolloverScenario({ seed: 1, live: true, onProgress: (line) => printed.push(line) });
      lastLook!();
    } finally {
      stop();
    }

    // Assess
    expect(printed).toEqual([]);
    expect(lines.some((l) => /^\+\s+\dm\d\ds {2}Replace · CheckReplacement · new 5\/5 ready/.test(l))).toBe(true);
    expect(lines.some((l) => /Drain · \w+ · new 5\/5 ready .* · old \d\/5 drained/.test(l))).toBe(true);
    expect(lines.at(-1)).toMatch(/SUCCEEDED · .*old 5\/5 drained · 5 old instance\(s\) retired · Cluster demo now runs/);
  });
});

describe('Function: phaseOf', () => {
  it.each(['ami-rollover', 'scale-service'])('names a phase for every state of %s (shared states: ValidateInput, AcquireLock, the failure path)', (machine) => {
    // Prepare
    const asl = JSON.parse(fs.readFileSync(path.join(__dirname, '../../statemachines', `${machine}.asl.json`), 'utf8')) as { States: Record<string, unknown> };

    // Act
    const unnamed = Object.keys(asl.States).filter((state) => !NAMED_PHASE_STATES.has(state));

    // Assess
    expect(unnamed).toEqual([]);
  });
});
