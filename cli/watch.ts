import { parseArgs } from 'node:util';
import { DescribeExecutionCommand, SFNClient, paginateGetExecutionHistory, type HistoryEvent } from '@aws-sdk/client-sfn';
import { ExecutionProgress, StatusLine, type Terminal } from './progress';

const USAGE = `Usage: npm run watch -- <executionArn> [--interval SECONDS] [--once]

Follows an ecs-fleet-ops execution (an AMI rollover above all) in AWS, from its execution history:
the phase it is in, the new instances ready and the old ones drained, the time since it started.
On a terminal one status line is redrawn in place; otherwise a line is printed per change. Stops
when the execution ends; exit code 0 when it succeeded. The region comes from the ARN; the
credentials from your environment (states:DescribeExecution and states:GetExecutionHistory).

  --interval SECONDS   how often to read new history events (default 5)
  --once               print where it stands now and exit`;

/** Events after which the status may say something new: a Task's result or the execution's end. */
const RESULT_EVENTS = /^(LambdaFunction(Succeeded|Failed|TimedOut)|Task(Succeeded|Failed|TimedOut)|Execution(Succeeded|Failed|Aborted|TimedOut))$/;

/** Step Functions' event type prefix → the state type it enters. */
const ENTERED = /^(Task|Wait|Choice|Pass|Succeed|Fail|Map|Parallel)StateEntered$/;

export interface WatchOptions {
  sfn: SFNClient;
  executionArn: string;
  out: Terminal;
  intervalSeconds?: number;
  once?: boolean;
  /** Real time; injectable for tests. */
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

/**
 * Reads the execution's history — the whole of it once, then only the events newer than the last
 * one seen (newest first, until a known id) — and feeds it to an {@link ExecutionProgress}.
 */
export async function watchExecution(options: WatchOptions): Promise<ExecutionProgress> {
  const { sfn, executionArn } = options;
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const described = await sfn.send(new DescribeExecutionCommand({ executionArn }));
  const progress = new ExecutionProgress(described.name ?? executionArn.split(':').pop() ?? executionArn, described.startDate?.getTime() ?? now());
  const status = new StatusLine(options.out);
  const reader = new HistoryReader(sfn, executionArn);
  let lastDetail = '';
  let task = '';

  for (;;) {
    for (const event of await reader.newEvents()) {
      task = apply(progress, event, task);
      if (!status.live) {
        // A plain line when a Task's result (or the end) changed what there is to say — not per Wait or Choice.
        const detail = progress.line(0).replace(/^\+\s*\S+\s+/, '');
        if (detail !== lastDetail && RESULT_EVENTS.test(event.type ?? '')) {
          status.update(progress.line(event.timestamp?.getTime() ?? now()));
          lastDetail = detail;
        }
      }
    }
    if (status.live) status.update(progress.line(now()), true);
    if (progress.status !== 'RUNNING' || options.once) break;
    await sleep((options.intervalSeconds ?? 5) * 1000);
  }
  status.finish();
  return progress;
}

/** What one history event changes; returns the Task state now running (its Lambda's result belongs to it). */
function apply(progress: ExecutionProgress, event: HistoryEvent, task: string): string {
  const at = event.timestamp?.getTime() ?? 0;
  const type = event.type ?? '';
  const entered = ENTERED.exec(type);
  if (entered && event.stateEnteredEventDetails?.name) {
    progress.enter(event.stateEnteredEventDetails.name, entered[1], at);
    return entered[1] === 'Task' ? event.stateEnteredEventDetails.name : task;
  }
  if (type === 'LambdaFunctionSucceeded') progress.taskResult(task, parse(event.lambdaFunctionSucceededEventDetails?.output), at);
  else if (type === 'TaskSucceeded') {
    // Through the lambda:invoke integration the handler's result is the Payload of the output.
    const output = parse(event.taskSucceededEventDetails?.output) as { Payload?: unknown } | undefined;
    progress.taskResult(task, output && typeof output === 'object' && 'Payload' in output ? output.Payload : output, at);
  } else if (type === 'ExecutionSucceeded') progress.end('SUCCEEDED', at);
  else if (type === 'ExecutionFailed') progress.end('FAILED', at, event.executionFailedEventDetails?.error, event.executionFailedEventDetails?.cause);
  else if (type === 'ExecutionAborted') progress.end('ABORTED', at, event.executionAbortedEventDetails?.error, event.executionAbortedEventDetails?.cause);
  else if (type === 'ExecutionTimedOut') progress.end('TIMED_OUT', at, event.executionTimedOutEventDetails?.error, event.executionTimedOutEventDetails?.cause);
  return task;
}

function parse(json: string | undefined): unknown {
  if (json === undefined) return undefined;
  try {
    return JSON.parse(json);
  } catch {
    return undefined;
  }
}

/** An execution's history, read incrementally: a history holds up to 25,000 events, a poll should not re-read them all. */
export class HistoryReader {
  private lastId = 0;

  constructor(
    private readonly sfn: SFNClient,
    private readonly executionArn: string,
  ) {}

  async newEvents(): Promise<HistoryEvent[]> {
    const fresh: HistoryEvent[] = [];
    if (this.lastId === 0) {
      for await (const page of paginateGetExecutionHistory({ client: this.sfn, pageSize: 1000 }, { executionArn: this.executionArn, includeExecutionData: true })) fresh.push(...(page.events ?? []));
    } else {
      pages: for await (const page of paginateGetExecutionHistory({ client: this.sfn, pageSize: 100 }, { executionArn: this.executionArn, reverseOrder: true, includeExecutionData: true })) {
        for (const event of page.events ?? []) {
          if ((event.id ?? 0) <= this.lastId) break pages;
          fresh.unshift(event);
        }
      }
    }
    const ordered = fresh.filter((e) => (e.id ?? 0) > this.lastId).sort((a, b) => (a.id ?? 0) - (b.id ?? 0));
    if (ordered.length) this.lastId = ordered[ordered.length - 1].id ?? this.lastId;
    return ordered;
  }
}

/** The region an ARN names (arn:aws:states:<region>:…). */
export function regionOf(arn: string): string | undefined {
  return /^arn:aws[a-z-]*:states:([a-z0-9-]+):/.exec(arn)?.[1];
}

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { interval: { type: 'string', default: '5' }, once: { type: 'boolean', default: false }, help: { type: 'boolean', default: false } },
  });
  const arn = positionals[0];
  if (values.help || !arn) {
    console.log(USAGE);
    return values.help ? 0 : 2;
  }
  if (!/^arn:aws[a-z-]*:states:[a-z0-9-]+:\d{12}:execution:[^:]+:[^:]+$/.test(arn)) {
    console.error(`Not an execution ARN: ${arn}\n\n${USAGE}`);
    return 2;
  }
  const interval = Number(values.interval);
  if (!Number.isFinite(interval) || interval < 1) {
    console.error('--interval must be a number of seconds ≥ 1');
    return 2;
  }
  const sfn = new SFNClient({ region: regionOf(arn), maxAttempts: 5 });
  const progress = await watchExecution({ sfn, executionArn: arn, out: process.stdout, intervalSeconds: interval, once: values.once });
  return progress.status === 'SUCCEEDED' || (values.once && progress.status === 'RUNNING') ? 0 : 1;
}

if (require.main === module) {
  main().then(
    (code) => process.exit(code),
    (error) => {
      console.error(error instanceof Error ? `${error.name}: ${error.message}` : error);
      process.exit(1);
    },
  );
}
