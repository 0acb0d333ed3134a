import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ApplicationAutoScalingClient } from '@aws-sdk/client-application-auto-scaling';
import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { EC2Client } from '@aws-sdk/client-ec2';
import { ECSClient } from '@aws-sdk/client-ecs';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SNSClient } from '@aws-sdk/client-sns';
import { SSMClient } from '@aws-sdk/client-ssm';
import type { AwsClients } from '../../../functions/lib/clients';

const EVENTS = join(__dirname, '..', '..', '..', '..', 'shared', 'events');
const loaded = new Map<string, unknown>();

/** A sample event from ../shared/events, as a fresh copy each call (tests may change it). */
export function sampleEvent<T>(file: string): T {
  if (!loaded.has(file)) loaded.set(file, JSON.parse(readFileSync(join(EVENTS, file), 'utf8')));
  return structuredClone(loaded.get(file)) as T;
}

/** Real client instances (no network: aws-sdk-client-mock replaces `send` on each class). */
export function testClients(): AwsClients {
  const config = { region: 'us-east-1' };
  return {
    autoscaling: new AutoScalingClient(config),
    applicationAutoScaling: new ApplicationAutoScalingClient(config),
    ec2: new EC2Client(config),
    ecs: new ECSClient(config),
    elbv2: new ElasticLoadBalancingV2Client(config),
    sfn: new SFNClient(config),
    sns: new SNSClient(config),
    ssm: new SSMClient(config),
  };
}

export const STATE_MACHINE_ARN = 'arn:aws:states:us-east-1:123456789012:stateMachine:ami-rollover';
export const AL2023_RECOMMENDED = '/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended';
export const AL2023_IMAGE_ID = `${AL2023_RECOMMENDED}/image_id`;
/** The image_id inside ssm-get-parameter-ecs-ami-al2023.json. */
export const AL2023_AMI = 'ami-0281c9a5cd9de63bd';

export function containerInstanceArn(cluster: string, id: string): string {
  return `arn:aws:ecs:us-east-1:123456789012:container-instance/${cluster}/${id}`;
}
