import './polyfills';
import fs from 'node:fs';
import path from 'node:path';
import { StateMachine } from 'aws-local-stepfunctions';
import { parse as parseYaml } from 'yaml';
import { useClients } from '../functions/lib/clients';
import type { World } from './world';
import type { ExecutionEngine, SimExecution } from './aws/sfn';
import { LAMBDA_TIMEOUT_ERROR, callContext, timedOut, type CallContext } from './call-context';
import { asInvocation } from './invoke-store';

export { LAMBDA_TIMEOUT_ERROR, timedOut };

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;
type LambdaHandler = (event: Json, context: Json) => Promise<Json>;

const ROOT = path.resolve(__dirname, '..');
/** Step Functions' hard limits the runner enforces as AWS would. */
export const MAX_PAYLOAD_BYTES = 262_144;
export const MAX_HISTORY_EVENTS = 25_000;
/** History events per state type (Task: scheduled/started/succeeded + entered/exited). */
const HISTORY_EVENTS: Record<string, number> = { Task: 5, Wait: 2, Choice: 2, Pass: 2, Succeed: 2, Fail: 1, Map: 4, Parallel: 4 };

export interface StateVisit {
  execution: string;
  state: string;
  type: string;
  at: number;
}

export interface RunnerStats {
  stateTransitions: number;
  lambdaInvocations: number;
  invocationsByFunction: Record<string, number>;
  largestPayloadBytes: number;
  largestPayloadState: string;
  /** Virtual milliseconds spent inside Lambda invocations (for the cost estimate). */
  lambdaMs: number;
  /** The longest single invocation (virtual ms, at most its function's timeout) and its function. */
  longestInvocationMs: number;
  longestInvocationFunction: string;
  /** Invocations Lambda stopped at their function's timeout. */
  timedOutInvocations: number;
}

interface Waiter {
  at: number;
  resolve: () => void;
}

/** A function as serverless.yml deploys it: which code runs, and for how long Lambda lets it. */
export interface LambdaDefinition {
  /** "file.export", relative to the project root. */
  handler: string;
  timeoutSeconds: number;
}

/** What the Serverless Framework deploys when neither the function nor the provider sets a timeout. */
const FRAMEWORK_DEFAULT_TIMEOUT_SECONDS = 6;

/**
 * Function name → handler and timeout (the function's `timeout`, else `provider.timeout`), read from
 * serverless.yml so the runner invokes what would be deployed.
 */
export function lambdaRegistry(file = path.join(ROOT, 'serverless.yml')): Record<string, LambdaDefinition> {
  const doc = parseYaml(fs.readFileSync(file, 'utf8'), { customTags: [], logLevel: 'silent' }) as {
    provider?: { timeout?: number };
    functions?: Record<string, { handler: string; timeout?: number }>;
  };
  const providerTimeout = doc.provider?.timeout ?? FRAMEWORK_DEFAULT_TIMEOUT_SECONDS;
  return Object.fromEntries(Object.entries(doc.functions ?? {}).map(([name, fn]) => [name, { handler: fn.handler, timeoutSeconds: fn.timeout ?? providerTimeout }]));
}

/** The error Lambda reports for a timed-out invocation (its errorType and errorMessage). */
export function timeoutError(requestId: string, timeoutSeconds: number): Error {
  return Object.assign(new Error(`RequestId: ${requestId} Error: Task timed out after ${timeoutSeconds.toFixed(2)} seconds`), { name: LAMBDA_TIMEOUT_ERROR });
}

/**
 * Runs real ASL in aws-local-stepfunctions, with every Lambda Task calling the real handler
 * in-process and every Wait resolved on the world's virtual clock.
 */
export class LocalRunner implements ExecutionEngine {
  readonly stats: RunnerStats = {
    stateTransitions: 0,
    lambdaInvocations: 0,
    invocationsByFunction: {},
    largestPayloadBytes: 0,
    largestPayloadState: '',
    lambdaMs: 0,
    longestInvocationMs: 0,
    longestInvocationFunction: '',
    timedOutInvocations: 0,
  };
  readonly visits: StateVisit[] = [];
  private readonly machines = new Map<string, { name: string; definition: Json; handlers: Record<string, (input: Json) => Promise<Json>>; retryOverrides: Record<string, number> }>();
  private readonly aborts = new Map<string, () => void>();
  private readonly handlerCache = new Map<string, LambdaHandler>();
  private readonly waiters: Waiter[] = [];
  private readonly settled: Promise<void>[] = [];
  private running = 0;
  private blocked = 0;
  private idle: (() => void)[] = [];
  private readonly history = new Map<string, number>();
  private readonly waitStates = new Set<string>();
  private readonly taskListeners: ((state: string, output: Json) => void)[] = [];

  /** Called after each Lambda Task state returns (a progress display reads the world then). */
  onTaskDone(listener: (state: string, output: Json) => void): void {
    this.taskListeners.push(listener);
  }

  constructor(
    private readonly world: World,
    private readonly lambdas: Record<string, LambdaDefinition> = lambdaRegistry(),
    private readonly env: Record<string, string> = {},
  ) {
    world.sfn.attach(this);
    this.savedEnv = { ...process.env };
    Object.assign(process.env, env, { AWS_REGION: world.region });
    // Handlers (and the interpreter's $$.Execution.StartTime) read the time: give them the virtual clock.
    this.realDate = globalThis.Date;
    globalThis.Date = virtualDate(this.realDate, () => world.clock.now());
  }

  private readonly realDate: DateConstructor;
  private readonly savedEnv: Record<string, string | undefined>;

  /** Gives Date back to the real clock. */
  dispose(): void {
    // Abort what still runs and release its waits, so no interpreter timer outlives the simulation.
    for (const [arn, abort] of this.aborts) {
      const e = this.world.sfn.executions.get(arn);
      if (e?.status === 'RUNNING') e.status = 'ABORTED';
      abort();
    }
    for (const w of this.waiters.splice(0)) w.resolve();
    globalThis.Date = this.realDate;
    useClients(undefined);
    for (const key of Object.keys(process.env)) if (!(key in this.savedEnv)) delete process.env[key];
    Object.assign(process.env, this.savedEnv);
  }

  stateMachineNames(): Map<string, string> {
    return new Map([...this.machines].map(([arn, m]) => [arn, m.name]));
  }

  /** Loads `statemachines/<file>` and makes it startable through the simulated Step Functions API. */
  registerStateMachine(name: string, file: string): string {
    const raw = JSON.parse(fs.readFileSync(path.isAbsolute(file) ? file : path.join(ROOT, file), 'utf8'));
    const arn = `arn:aws:states:${this.world.region}:${this.world.account}:stateMachine:${name}`;
    const handlers: Record<string, (input: Json) => Promise<Json>> = {};
    const retryOverrides: Record<string, number> = {};
    const definition = this.localise(raw, handlers, retryOverrides);
    // Validated once here; executions skip the (costly) validation.
    new StateMachine(jsonClone(definition), { validationOptions: { checkArn: false, checkPaths: true } });
    this.machines.set(arn, { name, definition, handlers, retryOverrides });
    return arn;
  }

  /** Starts an execution through the simulated API (with its idempotency rules). */
  start(stateMachineArn: string, input: unknown, name?: string): string {
    const out = this.world.router.call('sfn', 'StartExecution', { stateMachineArn, input: JSON.stringify(input), ...(name ? { name } : {}) }) as { executionArn: string };
    return out.executionArn;
  }

  execution(arn: string): SimExecution {
    const e = this.world.sfn.executions.get(arn);
    if (!e) throw new Error(`no execution ${arn}`);
    return e;
  }

  run(execution: SimExecution): void {
    const machine = this.machines.get(execution.stateMachineArn)!;
    // One copy per execution: the interpreter keeps state in the definition objects it is given.
    const sm = new StateMachine(jsonClone(machine.definition), { validationOptions: { noValidate: true } });
    const input = JSON.parse(execution.input);
    const startIso = new Date(execution.startDate).toISOString();
    const run = sm.run(input, {
      noThrowOnAbort: true,
      overrides: { taskResourceLocalHandlers: machine.handlers, retryIntervalOverrides: machine.retryOverrides },
      context: {
        Execution: { Id: execution.arn, Name: execution.name, StartTime: startIso, Input: input, RoleArn: `arn:aws:iam::${this.world.account}:role/sim` },
        StateMachine: { Id: execution.stateMachineArn, Name: machine.name },
      },
    });
    this.aborts.set(execution.arn, run.abort);
    this.running++;
    this.history.set(execution.arn, 2);
    void this.consumeEvents(execution, run.eventLogs);
    const done = run.result.then(
      (output) => {
        if (execution.status !== 'RUNNING') return;
        execution.status = 'SUCCEEDED';
        execution.output = JSON.stringify(output);
      },
      (error: Error & { cause?: { name?: string; message?: string } }) => {
        if (execution.status !== 'RUNNING') return;
        execution.status = 'FAILED';
        // aws-local-stepfunctions wraps the state's error; its cause holds Error/Cause as AWS reports them.
        const inner = error.cause as { name?: string; message?: string } | undefined;
        execution.error = inner?.name ?? error.name;
        execution.cause = inner?.message ?? error.message;
      },
    );
    this.settled.push(
      done.finally(() => {
        execution.stopDate ??= this.world.clock.now();
        this.aborts.delete(execution.arn);
        this.running--;
        this.checkIdle();
      }),
    );
  }

  stop(execution: SimExecution): void {
    this.aborts.get(execution.arn)?.();
  }

  /**
   * Drives virtual time until every execution has ended (or `maxSeconds` of virtual time passed):
   * whenever all executions are blocked in Wait states, the world jumps to the next thing due.
   */
  async runUntilIdle(options: { maxSeconds?: number } = {}): Promise<void> {
    const deadline = this.world.clock.now() + (options.maxSeconds ?? 7 * 24 * 3600) * 1000;
    for (;;) {
      await this.whenIdle();
      if (this.running === 0) return;
      const next = this.waiters.reduce((min, w) => Math.min(min, w.at), Infinity);
      if (next > deadline) throw new Error(`executions still running after the simulation's time budget (${options.maxSeconds ?? 604800} s)`);
      this.world.advanceTo(next, () => this.running > this.blocked);
      this.wake();
    }
  }

  /** Advances virtual time by `seconds` while letting executions run (scenario steps between starts). */
  async advance(seconds: number): Promise<void> {
    const until = this.world.clock.now() + seconds * 1000;
    for (;;) {
      await this.whenIdle();
      const next = Math.min(until, this.waiters.reduce((min, w) => Math.min(min, w.at), Infinity));
      this.world.advanceTo(next, () => this.running > this.blocked);
      this.wake();
      if (this.world.clock.now() >= until && this.running === this.blocked) {
        await this.whenIdle();
        if (this.world.clock.now() >= until) return;
      }
    }
  }

  /**
   * Lambda environment variables. All simulated functions share one process, so the variables are
   * set for the whole simulation (overlapping invocations must not take them from each other) and
   * the process's own environment comes back on dispose().
   */
  setEnv(env: Record<string, string>): void {
    Object.assign(this.env, env);
    Object.assign(process.env, env);
  }

  /** Results of asynchronous invocations (EventBridge and SNS deliver to Lambda asynchronously). */
  readonly asyncInvocations: { functionName: string; at: number; error?: string; result?: Json }[] = [];

  /** An asynchronous invocation (an event delivered to a Lambda): the clock waits for it like for an execution. */
  invokeAsync(functionName: string, event: Json): void {
    this.running++;
    const record: { functionName: string; at: number; error?: string; result?: Json } = { functionName, at: this.world.clock.now() };
    this.asyncInvocations.push(record);
    this.invoke(functionName, event, { timed: true })
      .then(
        (result) => {
          record.result = result;
        },
        (error: Error) => {
          record.error = error.name;
        },
      )
      .finally(() => {
        this.running--;
        this.checkIdle();
      });
  }

  /** Invokes a function as Lambda would: JSON in, JSON out, errors as { errorType, errorMessage }. */
  async invoke(functionName: string, event: Json, options: { timed?: boolean } = {}): Promise<Json> {
    this.stats.lambdaInvocations++;
    this.stats.invocationsByFunction[functionName] = (this.stats.invocationsByFunction[functionName] ?? 0) + 1;
    const payload = JSON.stringify(event ?? null);
    this.measure(payload, `${functionName} (input)`);
    Object.assign(process.env, { AWS_LAMBDA_FUNCTION_NAME: functionName });
    useClients(this.world.clients);
    try {
      const handler = this.handler(functionName);
      const { timeoutSeconds } = this.definition(functionName);
      const timeoutMs = timeoutSeconds * 1000;
      const requestId = this.world.rng.uuid();
      const ctx: CallContext = { functionName, startedAt: this.world.clock.now(), elapsedMs: 0, timeoutMs };
      const context = { functionName, awsRequestId: requestId, getRemainingTimeInMillis: () => Math.max(0, timeoutMs - ctx.elapsedMs) };
      let outcome: { result: Json } | { error: unknown };
      try {
        outcome = { result: await callContext.run(ctx, () => asInvocation(() => handler(JSON.parse(payload), context))) };
      } catch (error) {
        outcome = { error };
      }
      // Lambda stops an invocation at its timeout, whatever the handler would have returned or thrown
      // later. The simulator cannot stop a handler mid-way: it runs to its end, but no call it starts
      // after the timeout reaches the simulated AWS (the router refuses it); what it did before stays.
      const expired = timedOut(ctx.elapsedMs, timeoutMs);
      const durationMs = expired ? timeoutMs : ctx.elapsedMs;
      this.stats.lambdaMs += durationMs;
      if (durationMs > this.stats.longestInvocationMs) {
        this.stats.longestInvocationMs = durationMs;
        this.stats.longestInvocationFunction = functionName;
      }
      // The invocation lasted as long as its calls did (at most its timeout): the execution moves on
      // at that virtual time. (Only when the runner drives the clock: a scenario's direct invoke returns at once.)
      if (options.timed && durationMs > 0 && (expired || 'result' in outcome)) await this.sleepUntil(ctx.startedAt + durationMs);
      if (expired) {
        this.stats.timedOutInvocations++;
        throw timeoutError(requestId, timeoutSeconds);
      }
      if ('error' in outcome) throw outcome.error;
      const { result } = outcome;
      if (options.timed && this.world.faults.chance(this.world.faults.settings.handlerCrashRate, 'handler crash after side effect')) {
        // The work is done in AWS but the response is lost: Step Functions retries the Task.
        throw Object.assign(new Error('Lambda was unable to return the response (simulated crash after the handler ran)'), { name: 'Lambda.ServiceException' });
      }
      const out = JSON.stringify(result ?? null);
      this.measure(out, `${functionName} (output)`);
      return JSON.parse(out);
    } catch (error) {
      const e = error instanceof Error ? error : new Error(String(error));
      const lambdaError = new Error(JSON.stringify({ errorType: e.name, errorMessage: e.message }));
      lambdaError.name = e.name;
      throw lambdaError;
    }
  }

  // ---- internals ------------------------------------------------------------------------------

  private definition(functionName: string): LambdaDefinition {
    const definition = this.lambdas[functionName];
    if (!definition) throw new Error(`serverless.yml has no function '${functionName}'`);
    return definition;
  }

  private handler(functionName: string): LambdaHandler {
    let h = this.handlerCache.get(functionName);
    if (!h) {
      const ref = this.definition(functionName).handler;
      const dot = ref.lastIndexOf('.');
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const mod = require(path.join(ROOT, ref.slice(0, dot)));
      h = mod[ref.slice(dot + 1)] as LambdaHandler;
      if (typeof h !== 'function') throw new Error(`${ref} does not export a handler`);
      this.handlerCache.set(functionName, h);
    }
    return h;
  }

  private measure(json: string, where: string): void {
    const bytes = Buffer.byteLength(json);
    if (bytes > this.stats.largestPayloadBytes) {
      this.stats.largestPayloadBytes = bytes;
      this.stats.largestPayloadState = where;
    }
    if (bytes > MAX_PAYLOAD_BYTES) throw Object.assign(new Error(`payload of ${bytes} bytes exceeds Step Functions' 256 KiB limit at ${where}`), { name: 'States.DataLimitExceeded' });
  }

  /** Rewrites a definition for local execution: Lambda Tasks and Waits get local handlers. */
  private localise(def: Json, handlers: Record<string, (input: Json) => Promise<Json>>, retryOverrides: Record<string, number>): Json {
    const out = jsonClone(def);
    const visit = (states: Record<string, Json>) => {
      for (const [name, state] of Object.entries(states)) {
        if (state.Retry) retryOverrides[name] = 0;
        if (state.Type === 'Task') {
          const fn = lambdaName(state.Resource);
          if (fn) {
            state.Resource = `arn:aws:lambda:${this.world.region}:${this.world.account}:function:${fn}`;
            handlers[name] = async (input) => {
              const output = await this.invoke(fn, input, { timed: true });
              for (const l of this.taskListeners) l(name, output);
              return output;
            };
          } else if (state.Resource === 'arn:aws:states:::lambda:invoke') {
            const target = lambdaName(state.Parameters?.FunctionName);
            if (!target) throw new Error(`state ${name}: lambda:invoke without a function of this project`);
            state.Parameters.FunctionName = target;
            handlers[name] = async (input) => ({ StatusCode: 200, ExecutedVersion: '$LATEST', Payload: await this.invoke(target, input.Payload, { timed: true }) });
          } else {
            throw new Error(`state ${name}: resource ${JSON.stringify(state.Resource)} is not simulated`);
          }
        } else if (state.Type === 'Wait') {
          const wait = { ...state };
          this.waitStates.add(name);
          states[name] = {
            Type: 'Task',
            Resource: 'arn:aws:states:::sim:wait',
            // Long enough for any virtual wait; setTimeout overflows past 2^31 ms.
            TimeoutSeconds: 2_000_000,
            ...(state.InputPath !== undefined ? { InputPath: state.InputPath } : {}),
            ...(state.OutputPath !== undefined ? { OutputPath: state.OutputPath } : {}),
            ...(state.Next ? { Next: state.Next } : { End: true }),
          };
          handlers[name] = async (input) => {
            await this.sleepUntil(this.waitEnd(wait, input));
            return input;
          };
        } else if (state.Type === 'Map') {
          visit((state.ItemProcessor ?? state.Iterator).States);
        } else if (state.Type === 'Parallel') {
          for (const b of state.Branches) visit(b.States);
        }
      }
    };
    visit(out.States);
    return out;
  }

  private waitEnd(wait: Json, input: Json): number {
    const now = this.world.clock.now();
    const at = (p: string) => p.replace(/^\$\./, '').split('.').reduce((o: Json, k: string) => (o == null ? undefined : o[k]), input);
    if (typeof wait.Seconds === 'number') return now + wait.Seconds * 1000;
    if (wait.SecondsPath) {
      const s = at(wait.SecondsPath);
      if (typeof s !== 'number' || s < 0) throw Object.assign(new Error(`SecondsPath ${wait.SecondsPath} is not a non-negative number`), { name: 'States.Runtime' });
      return now + s * 1000;
    }
    const ts = wait.Timestamp ?? at(wait.TimestampPath);
    const t = Date.parse(ts);
    if (Number.isNaN(t)) throw Object.assign(new Error(`Timestamp ${ts} is not a timestamp`), { name: 'States.Runtime' });
    return Math.max(now, t);
  }

  private sleepUntil(at: number): Promise<void> {
    return new Promise((resolve) => {
      this.blocked++;
      this.waiters.push({
        at,
        resolve: () => {
          this.blocked--;
          resolve();
        },
      });
      this.checkIdle();
    });
  }

  private wake(): void {
    const now = this.world.clock.now();
    for (let i = this.waiters.length - 1; i >= 0; i--) {
      if (this.waiters[i].at <= now) {
        const [w] = this.waiters.splice(i, 1);
        w.resolve();
      }
    }
  }

  private checkIdle(): void {
    if (this.blocked >= this.running) {
      const resolvers = this.idle;
      this.idle = [];
      for (const r of resolvers) r();
    }
  }

  private whenIdle(): Promise<void> {
    return new Promise((resolve) => {
      // Let pending microtasks and I/O-free callbacks run first, then check.
      setImmediate(() => {
        if (this.blocked >= this.running) resolve();
        else this.idle.push(resolve);
      });
    });
  }

  private async consumeEvents(execution: SimExecution, events: AsyncGenerator<Json>): Promise<void> {
    for await (const event of events) {
      if (event.type === 'StateEntered') {
        this.stats.stateTransitions++;
        const type = this.waitStates.has(event.state.name) ? 'Wait' : event.state.type;
        this.visits.push({ execution: execution.arn, state: event.state.name, type, at: this.world.clock.now() });
        const count = (this.history.get(execution.arn) ?? 0) + (HISTORY_EVENTS[type] ?? 2);
        this.history.set(execution.arn, count);
        if (count > MAX_HISTORY_EVENTS && execution.status === 'RUNNING') {
          execution.status = 'FAILED';
          execution.error = 'States.Runtime';
          execution.cause = `History of ${count} events exceeds the limit of ${MAX_HISTORY_EVENTS}`;
          this.stop(execution);
        }
        const bytes = Buffer.byteLength(JSON.stringify(event.state.input ?? null));
        if (bytes > this.stats.largestPayloadBytes) {
          this.stats.largestPayloadBytes = bytes;
          this.stats.largestPayloadState = event.state.name;
        }
      }
    }
  }
}

/**
 * A deep copy made in this realm. (structuredClone returns objects of Node's main realm, which
 * under jest fail the interpreter's `instanceof Object` checks and leave nested Parameters unresolved.)
 */
function jsonClone<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

/** A Date whose "now" (new Date(), Date.now()) is the virtual clock; every other use is the real Date. */
function virtualDate(RealDate: DateConstructor, now: () => number): DateConstructor {
  class VirtualDate extends RealDate {
    constructor(...args: unknown[]) {
      if (args.length === 0) super(now());
      else super(...(args as [string | number | Date]));
    }

    static override now(): number {
      return now();
    }
  }
  return VirtualDate as unknown as DateConstructor;
}

function lambdaName(resource: Json): string | undefined {
  if (resource && typeof resource === 'object' && Array.isArray(resource['Fn::GetAtt'])) return resource['Fn::GetAtt'][0];
  return undefined;
}
