import { awsError } from './errors';
import type { ServiceKey } from '../router';

/** AWS's API rate limits (token buckets per account and region), from aws-facts.md. */
export interface BucketSpec {
  name: string;
  burst: number;
  refillPerSecond: number;
}

export const BUCKETS: Record<string, BucketSpec> = {
  'ecs-cluster-read': { name: 'ECS cluster-resource reads', burst: 100, refillPerSecond: 20 },
  'ecs-cluster-write': { name: 'ECS cluster-resource writes', burst: 100, refillPerSecond: 40 },
  'ecs-service-read': { name: 'ECS service reads', burst: 100, refillPerSecond: 20 },
  'ecs-service-write': { name: 'ECS service writes', burst: 50, refillPerSecond: 5 },
  'ec2-describe': { name: 'EC2 non-mutating Describe*', burst: 100, refillPerSecond: 20 },
  'ec2-spot-fleet-instances': { name: 'EC2 DescribeSpotFleetInstances', burst: 100, refillPerSecond: 5 },
  'ec2-spot-fleet-requests': { name: 'EC2 DescribeSpotFleetRequests', burst: 50, refillPerSecond: 3 },
  'ec2-mutating': { name: 'EC2 mutating', burst: 50, refillPerSecond: 5 },
  'elbv2': { name: 'ELBv2', burst: 40, refillPerSecond: 10 },
  'sfn-start': { name: 'SFN StartExecution', burst: 1300, refillPerSecond: 300 },
};

/** Which bucket an operation draws from (undefined: not rate-limited in this model). */
export function bucketOf(service: ServiceKey, operation: string): string | undefined {
  switch (service) {
    case 'ecs':
      if (/^(DescribeServices|ListServices)$/.test(operation)) return 'ecs-service-read';
      if (/^(UpdateService|CreateService|DeleteService|TagResource)$/.test(operation)) return 'ecs-service-write';
      if (/^(Describe|List)/.test(operation)) return 'ecs-cluster-read';
      return 'ecs-cluster-write';
    case 'ec2':
      if (operation === 'DescribeSpotFleetInstances') return 'ec2-spot-fleet-instances';
      if (operation === 'DescribeSpotFleetRequests') return 'ec2-spot-fleet-requests';
      if (operation.startsWith('Describe')) return 'ec2-describe';
      return 'ec2-mutating';
    case 'elbv2':
      return 'elbv2';
    case 'sfn':
      return operation === 'StartExecution' ? 'sfn-start' : undefined;
    default:
      return undefined;
  }
}

/** The error each service throttles with. */
export function throttlingError(service: ServiceKey): Error {
  if (service === 'ec2') return awsError('RequestLimitExceeded', 'Request limit exceeded.', 503);
  if (service === 'elbv2' || service === 'autoscaling') return awsError('Throttling', 'Rate exceeded', 400);
  return awsError('ThrottlingException', 'Rate exceeded', 400);
}

export const THROTTLING_ERRORS = new Set(['ThrottlingException', 'RequestLimitExceeded', 'Throttling', 'TooManyRequestsException']);

/** Token buckets refilled continuously in virtual time. */
export class TokenBuckets {
  private readonly state = new Map<string, { tokens: number; at: number }>();

  /** Takes a token at virtual time `at` (ms); false when the bucket is empty (the call is throttled). */
  take(bucket: string, at: number): boolean {
    const spec = BUCKETS[bucket];
    const s = this.state.get(bucket) ?? { tokens: spec.burst, at };
    const tokens = Math.min(spec.burst, s.tokens + (Math.max(0, at - s.at) / 1000) * spec.refillPerSecond);
    const ok = tokens >= 1;
    this.state.set(bucket, { tokens: ok ? tokens - 1 : tokens, at: Math.max(at, s.at) });
    return ok;
  }
}
