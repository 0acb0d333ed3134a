import type { ApplicationAutoScalingClient } from '@aws-sdk/client-application-auto-scaling';
import type { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import type { EC2Client } from '@aws-sdk/client-ec2';
import type { ECSClient } from '@aws-sdk/client-ecs';
import type { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import type { SFNClient } from '@aws-sdk/client-sfn';
import type { SNSClient } from '@aws-sdk/client-sns';
import type { SSMClient } from '@aws-sdk/client-ssm';
import type { HandlerExecutionContext, InitializeMiddleware, MetadataBearer, ResponseMetadata } from '@smithy/types';
import { errorName } from './errors';
import { recordMetrics } from './metrics';

/** The AWS clients the handlers use: one per service, built once and reused across invocations. */
export interface AwsClients {
  autoscaling: AutoScalingClient;
  applicationAutoScaling: ApplicationAutoScalingClient;
  ec2: EC2Client;
  ecs: ECSClient;
  elbv2: ElasticLoadBalancingV2Client;
  sfn: SFNClient;
  sns: SNSClient;
  ssm: SSMClient;
}

let current: AwsClients | undefined;

/**
 * The clients for this process. Lambda gets real clients (region and credentials from its
 * environment; standard retry mode, which backs off on throttling). Tests and the local runner
 * provide their own with {@link useClients}; building a client makes no network call.
 */
export function clients(): AwsClients {
  current ??= createClients();
  return current;
}

/**
 * Real clients (standard retry mode, 5 attempts), each instrumented with {@link instrumentClient}.
 * `region` defaults to the environment's (Lambda's own region, or the local AWS profile's).
 */
export function createClients(options: { region?: string } = {}): AwsClients {
  const config = { maxAttempts: 5, ...(options.region ? { region: options.region } : {}) };
  // Each client's SDK package is loaded when a handler first uses it: a handler that talks to two
  // services does not pay for loading eight (they are most of a cold start).
  /* eslint-disable @typescript-eslint/no-require-imports */
  const loaders: { [K in keyof AwsClients]: () => new (c: object) => AwsClients[K] } = {
    autoscaling: () => require('@aws-sdk/client-auto-scaling').AutoScalingClient,
    applicationAutoScaling: () => require('@aws-sdk/client-application-auto-scaling').ApplicationAutoScalingClient,
    ec2: () => require('@aws-sdk/client-ec2').EC2Client,
    ecs: () => require('@aws-sdk/client-ecs').ECSClient,
    elbv2: () => require('@aws-sdk/client-elastic-load-balancing-v2').ElasticLoadBalancingV2Client,
    sfn: () => require('@aws-sdk/client-sfn').SFNClient,
    sns: () => require('@aws-sdk/client-sns').SNSClient,
    ssm: () => require('@aws-sdk/client-ssm').SSMClient,
  };
  /* eslint-enable @typescript-eslint/no-require-imports */
  const built: Partial<AwsClients> = {};
  const lazy = {} as AwsClients;
  for (const key of Object.keys(loaders) as (keyof AwsClients)[]) {
    Object.defineProperty(lazy, key, {
      enumerable: true,
      get: () => {
        if (!built[key]) {
          const Client = loaders[key]() as new (c: object) => AwsClients[typeof key];
          const client = new Client(config);
          instrumentClient(client as unknown as Parameters<typeof instrumentClient>[0]);
          (built as Record<string, unknown>)[key] = client;
        }
        return built[key];
      },
    });
  }
  return lazy;
}

/** Injects the clients every handler of this process will use (tests, the local runner). */
export function useClients(provided: AwsClients | undefined): void {
  current = provided;
}

/** The error names AWS throttles with (EC2, ECS, ELB, SSM, Step Functions, Lambda). */
const THROTTLING_ERRORS = new Set(['ThrottlingException', 'RequestLimitExceeded', 'Throttling', 'TooManyRequestsException', 'ThrottledException']);

/**
 * Counts what the SDK's retries cost: the SDK puts `attempts` and `totalRetryDelay` in the
 * `$metadata` of every response and error. A retried call (most often throttled: the account's
 * token buckets are shared with everyone else) and a call that stayed throttled after its last
 * attempt become one EMF line (SdkRetries, SdkRetryDelay, ThrottledCalls) naming the operation —
 * never the request or the response. (No logger here: this module is loaded before a handler
 * runs, and the logger reads its level when it is first loaded.)
 */
const apiRetryMetrics: InitializeMiddleware<object, MetadataBearer> = (next, context) => async (args) => {
  try {
    const result = await next(args);
    noteRetries(context, result.output?.$metadata);
    return result;
  } catch (error) {
    noteRetries(context, (error as { $metadata?: ResponseMetadata } | undefined)?.$metadata, error);
    throw error;
  }
};

function noteRetries(context: HandlerExecutionContext, metadata: ResponseMetadata | undefined, error?: unknown): void {
  const retries = Math.max(0, (metadata?.attempts ?? 1) - 1);
  const throttled = error !== undefined && THROTTLING_ERRORS.has(errorName(error));
  if (retries === 0 && !throttled) return;
  const awsService = (context.clientName ?? 'AWS').replace(/Client$/, '');
  const operation = (context.commandName ?? '').replace(/Command$/, '');
  recordMetrics(
    { awsService },
    { SdkRetries: [retries, 'Count'], SdkRetryDelay: [metadata?.totalRetryDelay ?? 0, 'Milliseconds'], ThrottledCalls: [throttled ? 1 : 0, 'Count'] },
    { operation, attempts: String(metadata?.attempts ?? 1), ...(error === undefined ? {} : { error: errorName(error) }) },
  );
}

/**
 * Adds the retry metrics to a client. It must be the outermost middleware to see the SDK's final
 * `$metadata`, so add it before anything that answers in its place (a test stub, the simulator).
 */
export function instrumentClient(client: { middlewareStack: { add: (mw: InitializeMiddleware<object, MetadataBearer>, options: { step: 'initialize'; priority: 'high'; name: string; override: boolean }) => void } }): void {
  client.middlewareStack.add(apiRetryMetrics, { step: 'initialize', priority: 'high', name: 'ecsFleetOpsRetryMetrics', override: true });
}
