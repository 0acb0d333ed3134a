import { EC2Client } from '@aws-sdk/client-ec2';
import { ECSClient } from '@aws-sdk/client-ecs';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SNSClient } from '@aws-sdk/client-sns';
import { SSMClient } from '@aws-sdk/client-ssm';

/** The AWS clients the handlers use: one per service, built once and reused across invocations. */
export interface AwsClients {
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
  current ??= {
    ec2: new EC2Client({ maxAttempts: 5 }),
    ecs: new ECSClient({ maxAttempts: 5 }),
    elbv2: new ElasticLoadBalancingV2Client({ maxAttempts: 5 }),
    sfn: new SFNClient({ maxAttempts: 5 }),
    sns: new SNSClient({ maxAttempts: 5 }),
    ssm: new SSMClient({ maxAttempts: 5 }),
  };
  return current;
}

/** Injects the clients every handler of this process will use (tests, the local runner). */
export function useClients(provided: AwsClients | undefined): void {
  current = provided;
}
