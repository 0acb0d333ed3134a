import { ExecutionProgress } from '../cli/progress';
import type { Simulation } from './harness';

/**
 * Follows the executions of a simulation as `npm run watch` follows a real one: the state visits
 * the runner records and what each Lambda Task returned, turned into one status line (the
 * execution that moved last; "+N running" when several run at once). `onLine` is called whenever
 * the line may have changed. Returns a refresh to call once the run is over (the end of the last
 * execution comes after the last tick).
 */
export function followSimulation(sim: Simulation, onLine: (line: string) => void): () => void {
  const progress = new Map<string, ExecutionProgress>();
  const { runner, world } = sim;
  let seen = 0;
  let latest: ExecutionProgress | undefined;

  const of = (arn: string): ExecutionProgress | undefined => {
    let p = progress.get(arn);
    const execution = world.sfn.executions.get(arn);
    if (!p && execution) {
      p = new ExecutionProgress(execution.name, execution.startDate);
      progress.set(arn, p);
    }
    return p;
  };

  const refresh = (): void => {
    const now = world.clock.now();
    for (; seen < runner.visits.length; seen++) {
      const v = runner.visits[seen];
      const p = of(v.execution);
      if (!p) continue;
      p.enter(v.state, v.type, v.at);
      latest = p;
    }
    for (const [arn, p] of progress) {
      const e = world.sfn.executions.get(arn);
      if (p.status === 'RUNNING' && e && e.status !== 'RUNNING') {
        p.end(e.status, e.stopDate ?? now, e.error, e.cause);
        latest = p;
      }
    }
    if (!latest) return;
    const running = [...progress.values()].filter((p) => p.status === 'RUNNING' && p !== latest).length;
    onLine(`${latest.line(now)}${running ? ` (+${running} more running)` : ''}`);
  };

  runner.onTaskDone((state, output) => {
    refresh();
    // The Task's execution: the latest one that entered this state.
    for (let i = runner.visits.length - 1; i >= 0; i--) {
      if (runner.visits[i].state !== state) continue;
      of(runner.visits[i].execution)?.taskResult(state, output, world.clock.now());
      break;
    }
    refresh();
  });
  world.onTick(refresh);
  return refresh;
}
