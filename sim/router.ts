import * as AAS from '@aws-sdk/client-application-auto-scaling';
import * as ASG from '@aws-sdk/client-auto-scaling';
import * as EC2 from '@aws-sdk/client-ec2';
import * as ECS from '@aws-sdk/client-ecs';
import * as ELBv2 from '@aws-sdk/client-elastic-load-balancing-v2';
import * as SFN from '@aws-sdk/client-sfn';
import * as SNS from '@aws-sdk/client-sns';
import * as SSM from '@aws-sdk/client-ssm';
import { instrumentClient, type AwsClients } from '../functions/lib/clients';
import { checkAgainstModel, inputSchemaOf } from './model-check';
import { awsError } from './aws/errors';
import { callContext, pastTimeout, timedOut } from './call-context';
import { THROTTLING_ERRORS, TokenBuckets, bucketOf, throttlingError } from './aws/throttle';

export type ServiceKey = keyof AwsClients;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Operation = (input: any) => unknown;
export type Operations = Record<string, Operation>;

export interface CallRecord {
  service: ServiceKey;
  operation: string;
  /** Virtual time of the call (ms since epoch). */
  at: number;
  input: unknown;
  error?: string;
  /** The Lambda function that made it (absent: the scenario itself). */
  by?: string;
}

export interface NetworkModel {
  /** Time one call takes on the wire, as seen by the caller. */
  latencyMs: number;
  /** AWS's token buckets: throttled calls fail with the service's throttling error. */
  throttling: boolean;
  /** Attempts per call, as functions/lib/clients.ts configures the SDK (standard retry mode). */
  maxAttempts: number;
}

/** Runs before each call; may throw an AwsError (faults, throttling) or return nothing. */
export type CallInterceptor = (service: ServiceKey, operation: string, input: unknown) => void;

const SDK_MODULES: Record<ServiceKey, Record<string, unknown>> = {
  autoscaling: ASG,
  applicationAutoScaling: AAS,
  ec2: EC2,
  ecs: ECS,
  elbv2: ELBv2,
  sfn: SFN,
  sns: SNS,
  ssm: SSM,
};

const READ_ONLY = /^(Describe|List|Get)/;

export function isMutating(operation: string): boolean {
  return !READ_ONLY.test(operation);
}

/**
 * Where every simulated AWS call lands: checks the request against the SDK's own API model,
 * records it, lets interceptors inject faults, then runs the service model's operation.
 */
export class ApiRouter {
  readonly calls: CallRecord[] = [];
  private readonly services = new Map<ServiceKey, Operations>();
  private readonly interceptors: CallInterceptor[] = [];
  private readonly schemas = new Map<string, unknown>();
  private readonly buckets = new TokenBuckets();
  readonly network: NetworkModel = { latencyMs: 20, throttling: false, maxAttempts: 5 };

  constructor(
    private readonly now: () => number,
    private readonly random: () => number = Math.random,
  ) {}

  register(service: ServiceKey, operations: Operations): void {
    this.services.set(service, operations);
  }

  intercept(interceptor: CallInterceptor): void {
    this.interceptors.push(interceptor);
  }

  /**
   * One call as the SDK makes it from inside a Lambda: each attempt takes the network latency;
   * throttling and server errors are retried with the standard mode's capped exponential backoff
   * (in virtual time), up to maxAttempts. No attempt starts once the invocation's timeout is reached.
   * The call starts at the invocation's clock (`elapsedMs`) and takes `durationMs`; the clock moves
   * when the answer reaches the handler ({@link route}), so calls a handler keeps in flight at once
   * overlap in virtual time as they do on the wire.
   */
  send(service: ServiceKey, operation: string, input: unknown): { output: unknown; attempts: number; retryDelayMs: number; durationMs: number } {
    const ctx = callContext.getStore();
    const start = ctx?.elapsedMs ?? 0;
    let spent = 0;
    let retryDelayMs = 0;
    for (let attempt = 1; ; attempt++) {
      if (ctx?.timeoutMs !== undefined && timedOut(start + spent, ctx.timeoutMs)) {
        ctx.elapsedMs = Math.max(ctx.elapsedMs, start + spent);
        throw pastTimeout(ctx);
      }
      try {
        const output = this.call(service, operation, input, start + spent);
        spent += ctx ? this.network.latencyMs : 0;
        return { output, attempts: attempt, retryDelayMs, durationMs: spent };
      } catch (error) {
        spent += ctx ? this.network.latencyMs : 0;
        const e = error as Error & { $fault?: string };
        const retryable = THROTTLING_ERRORS.has(e.name) || e.$fault === 'server';
        if (!ctx || !retryable || attempt >= this.network.maxAttempts) {
          if (ctx) ctx.elapsedMs = Math.max(ctx.elapsedMs, start + spent);
          throw error;
        }
        const base = THROTTLING_ERRORS.has(e.name) ? 500 : 100;
        const delay = Math.round(this.random() * Math.min(20_000, base * 2 ** (attempt - 1)));
        retryDelayMs += delay;
        spent += delay;
      }
    }
  }

  /** One attempt, `offsetMs` into the calling invocation (its start time in virtual time). */
  call(service: ServiceKey, operation: string, input: unknown, offsetMs?: number): unknown {
    const ctx = callContext.getStore();
    const record: CallRecord = { service, operation, at: this.now() + (offsetMs ?? ctx?.elapsedMs ?? 0), input, ...(ctx ? { by: ctx.functionName } : {}) };
    this.calls.push(record);
    try {
      this.checkModel(service, operation, input);
      if (this.network.throttling && ctx) {
        const bucket = bucketOf(service, operation);
        if (bucket && !this.buckets.take(bucket, record.at)) throw throttlingError(service);
      }
      for (const interceptor of this.interceptors) interceptor(service, operation, input);
      const op = this.services.get(service)?.[operation];
      if (!op) throw awsError('UnsupportedOperation', `The simulator does not model ${service}:${operation}`);
      return op(input ?? {});
    } catch (error) {
      record.error = error instanceof Error ? error.name : 'Error';
      throw error;
    }
  }

  /** Calls by "service:Operation", e.g. { 'ecs:DescribeContainerInstances': 12 }. */
  countByOperation(since = 0): Record<string, number> {
    const out: Record<string, number> = {};
    for (const c of this.calls.slice(since)) {
      const key = `${c.service}:${c.operation}`;
      out[key] = (out[key] ?? 0) + 1;
    }
    return Object.fromEntries(Object.entries(out).sort(([a], [b]) => a.localeCompare(b)));
  }

  mutatingCalls(since = 0): CallRecord[] {
    return this.calls.slice(since).filter((c) => isMutating(c.operation));
  }

  private checkModel(service: ServiceKey, operation: string, input: unknown): void {
    const key = `${service}:${operation}`;
    if (!this.schemas.has(key)) {
      const Command = SDK_MODULES[service][`${operation}Command`] as (new (input: object) => unknown) | undefined;
      this.schemas.set(key, Command ? inputSchemaOf(new Command({})) : undefined);
    }
    const schema = this.schemas.get(key);
    if (schema) checkAgainstModel(input, schema, `${operation}Request`);
  }
}

type AnyClient = {
  middlewareStack: { add: (mw: unknown, options: { step: string; name: string; priority?: string }) => void };
};

function route(client: AnyClient, service: ServiceKey, router: ApiRouter): void {
  client.middlewareStack.add(
    (_next: unknown, context: { commandName?: string }) => async (args: { input: unknown }) => {
      const operation = (context.commandName ?? '').replace(/Command$/, '');
      // Copy through JSON, as the wire would: the model never shares objects with the caller.
      const input = args.input === undefined ? {} : structuredClone(args.input);
      const ctx = callContext.getStore();
      const startedAt = ctx?.elapsedMs ?? 0;
      const { output: result, attempts, retryDelayMs, durationMs } = router.send(service, operation, input);
      const output = result === undefined ? {} : structuredClone(result);
      // Other calls the handler sends before this answer reaches it start at the same clock: in flight together.
      await null;
      if (ctx) ctx.elapsedMs = Math.max(ctx.elapsedMs, startedAt + durationMs);
      return { output: { $metadata: { httpStatusCode: 200, requestId: 'sim', attempts, totalRetryDelay: retryDelayMs }, ...(output as object) }, response: {} };
    },
    { step: 'initialize', name: 'ecsFleetOpsSimulator', priority: 'high' },
  );
}

/** Real SDK v3 clients whose requests go to the simulator instead of the network. */
export function simulatedClients(router: ApiRouter, region = 'us-east-1'): AwsClients {
  const config = { region, credentials: { accessKeyId: 'SIMULATED', secretAccessKey: 'SIMULATED' }, maxAttempts: 1 };
  const clients: AwsClients = {
    autoscaling: new ASG.AutoScalingClient(config),
    applicationAutoScaling: new AAS.ApplicationAutoScalingClient(config),
    ec2: new EC2.EC2Client(config),
    ecs: new ECS.ECSClient(config),
    elbv2: new ELBv2.ElasticLoadBalancingV2Client(config),
    sfn: new SFN.SFNClient(config),
    sns: new SNS.SNSClient(config),
    ssm: new SSM.SSMClient(config),
  };
  for (const [service, client] of Object.entries(clients)) {
    // The product's own instrumentation first (outermost), so it sees what the SDK would report.
    instrumentClient(client);
    route(client as unknown as AnyClient, service as ServiceKey, router);
  }
  return clients;
}
