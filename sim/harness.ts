import './polyfills';
import fs from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { World, type WorldOptions } from './world';
import { LocalRunner } from './runner';
import type { SimExecution } from './aws/sfn';
import type { Violation, ServiceHealthRecord } from './invariants';
import { useMetricsSink } from '../functions/lib/metrics';

/**
 * The state machines serverless.yml deploys (key → definition file), and the environment variable
 * through which Lambdas find each one's ARN (as serverless.yml wires it with a Ref).
 */
export const STATE_MACHINE_ENV: Record<string, string> = {
  amiRollover: 'ROLLOVER_STATE_MACHINE_ARN',
  syncTargets: 'SYNC_STATE_MACHINE_ARN',
  scaleService: 'SCALE_STATE_MACHINE_ARN',
};

type Pattern = { source?: string[]; 'detail-type'?: string[] };

export interface EventRule {
  pattern: Pattern;
  target: { kind: 'function' | 'stateMachine'; name: string };
}

/** The EventBridge rules serverless.yml deploys with a literal pattern (on functions and state machines). */
export function deployedEventRules(file = path.join(__dirname, '..', 'serverless.yml')): EventRule[] {
  type Events = { eventBridge?: { pattern?: Pattern; event?: Pattern } }[];
  const doc = parseYaml(fs.readFileSync(file, 'utf8'), { logLevel: 'silent' }) as {
    functions?: Record<string, { events?: Events | string }>;
    stepFunctions?: { stateMachines?: Record<string, { events?: Events | string }> };
  };
  const rules: EventRule[] = [];
  const collect = (events: Events | string | undefined, target: EventRule['target']) => {
    if (!Array.isArray(events)) return;
    for (const e of events) {
      const pattern = e.eventBridge?.pattern ?? e.eventBridge?.event;
      if (pattern && typeof pattern === 'object') rules.push({ pattern, target });
    }
  };
  for (const [name, fn] of Object.entries(doc.functions ?? {})) collect(fn.events, { kind: 'function', name });
  for (const [name, sm] of Object.entries(doc.stepFunctions?.stateMachines ?? {})) collect(sm.events, { kind: 'stateMachine', name });
  return rules;
}

export function deployedStateMachines(file = path.join(__dirname, '..', 'serverless.yml')): Record<string, string> {
  const doc = parseYaml(fs.readFileSync(file, 'utf8'), { logLevel: 'silent' }) as { stepFunctions?: { stateMachines?: Record<string, { definition: string }> } };
  const out: Record<string, string> = {};
  for (const [key, sm] of Object.entries(doc.stepFunctions?.stateMachines ?? {})) {
    const match = /\$\{file\(\.\/(.+?)\)\}/.exec(sm.definition);
    if (!match) throw new Error(`serverless.yml: state machine ${key} does not load its definition with \${file(...)}`);
    out[key] = match[1];
  }
  return out;
}

/** An embedded-metric-format document: metric values and dimensions as top-level members, `_aws` describing them. */
export interface EmfDocument {
  _aws: { Timestamp: number; CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string; Unit: string }[] }[] };
  [member: string]: unknown;
}

export interface Summary {
  ok: boolean;
  scenario: string;
  virtualSeconds: number;
  stateTransitions: number;
  lambdaInvocations: number;
  apiCalls: Record<string, number>;
  apiCallsTotal: number;
  largestPayloadBytes: number;
  /** The longest single Lambda invocation (virtual time, at most the function's timeout). */
  longestInvocation: { functionName: string; ms: number };
  violations: Violation[];
  services: ServiceHealthRecord[];
  executions: { name: string; status: string; error?: string; cause?: string }[];
  /** What a scenario adds about its own outcome. */
  notes?: string[];
}

/**
 * A simulated AWS account with this project deployed in it: the state machines registered, the
 * Lambda environment set as serverless.yml would set it. Tests and `npm run simulate` use it.
 */
export class Simulation {
  readonly world: World;
  readonly runner: LocalRunner;
  /** State machine ARNs by serverless.yml key (amiRollover, …). */
  readonly arns: Record<string, string> = {};
  readonly notifyTopicArn: string;
  private readonly startedAt: number;
  private readonly callsAtStart: number;
  /** The EMF documents the handlers published (functions/lib/metrics.ts), parsed. */
  readonly metrics: EmfDocument[] = [];
  private static readonly observers = new Set<(sim: Simulation) => void>();

  /**
   * Calls `observer` with every Simulation constructed from now on (the CLI attaches its timeline
   * recorder and progress display this way, whatever the scenario builds); returns the undo.
   */
  static observe(observer: (sim: Simulation) => void): () => void {
    Simulation.observers.add(observer);
    return () => Simulation.observers.delete(observer);
  }

  constructor(options: WorldOptions & { env?: Record<string, string> } = {}) {
    this.world = new World(options);
    this.notifyTopicArn = this.world.sns.createTopic('ecs-fleet-ops-notifications');
    const machines = deployedStateMachines();
    const env: Record<string, string> = {};
    for (const key of Object.keys(machines)) {
      this.arns[key] = `arn:aws:states:${this.world.region}:${this.world.account}:stateMachine:ecs-fleet-ops-sim-${key}`;
      if (STATE_MACHINE_ENV[key]) env[STATE_MACHINE_ENV[key]] = this.arns[key];
    }
    this.runner = new LocalRunner(this.world, undefined, {
      ...env,
      NOTIFY_TOPIC_ARN: this.notifyTopicArn,
      LOCK_PARAMETER_PREFIX: '/ecs-fleet-ops/sim/locks',
      POWERTOOLS_LOG_LEVEL: process.env.POWERTOOLS_LOG_LEVEL ?? 'SILENT',
      ...options.env,
    });
    for (const [key, file] of Object.entries(machines)) this.runner.registerStateMachine(`ecs-fleet-ops-sim-${key}`, file);
    this.startedAt = this.world.clock.now();
    this.callsAtStart = this.world.router.calls.length;
    useMetricsSink((emf) => this.metrics.push(JSON.parse(emf) as EmfDocument));
    for (const observer of Simulation.observers) observer(this);
  }

  /** Sets Lambda environment variables (as a deployment's stage params would). */
  setEnv(env: Record<string, string>): void {
    this.runner.setEnv(env);
  }

  /**
   * Turns on the EventBridge rules serverless.yml deploys: events the simulated services emit reach
   * their target about a second later, as a Lambda invocation or a state machine execution.
   */
  connectEventRules(): EventRule[] {
    const rules = deployedEventRules();
    for (const rule of rules) {
      this.world.events.rule(rule.pattern, (event) => {
        this.world.clock.after(1, `deliver ${event['detail-type']}`, () => {
          if (rule.target.kind === 'function') this.runner.invokeAsync(rule.target.name, event);
          else this.world.router.call('sfn', 'StartExecution', { stateMachineArn: this.arns[rule.target.name], input: JSON.stringify(event) });
        });
      });
    }
    return rules;
  }

  /** Starts a rollover as a console user would (StartExecution with the documented input). */
  startRollover(input: unknown, name?: string): string {
    return this.runner.start(this.arns.amiRollover, input, name);
  }

  execution(arn: string): SimExecution {
    return this.runner.execution(arn);
  }

  async run(maxSeconds?: number): Promise<void> {
    await this.runner.runUntilIdle({ maxSeconds });
  }

  /** Calls made since `since` (an index into the call log), by "service:Operation". */
  callsSince(since: number): Record<string, number> {
    return this.world.router.countByOperation(since);
  }

  summary(scenario: string, since = this.callsAtStart, from = this.startedAt): Summary {
    const executions = [...this.world.sfn.executions.values()].map((e) => ({ name: e.name, status: e.status, error: e.error, cause: e.cause }));
    const apiCalls = this.world.router.countByOperation(since);
    const violations = this.world.invariants.violations;
    return {
      ok: violations.length === 0 && executions.length > 0 && executions.every((e) => e.status === 'SUCCEEDED'),
      scenario,
      virtualSeconds: Math.round((this.world.clock.now() - from) / 1000),
      stateTransitions: this.runner.stats.stateTransitions,
      lambdaInvocations: this.runner.stats.lambdaInvocations,
      apiCalls,
      apiCallsTotal: Object.values(apiCalls).reduce((a, b) => a + b, 0),
      largestPayloadBytes: this.runner.stats.largestPayloadBytes,
      longestInvocation: { functionName: this.runner.stats.longestInvocationFunction, ms: this.runner.stats.longestInvocationMs },
      violations,
      services: this.world.invariants.serviceHealth(),
      executions,
    };
  }

  dispose(): void {
    useMetricsSink(undefined);
    this.runner.dispose();
  }
}
