import type { ContainerInstance } from '@aws-sdk/client-ecs';
import { parseScaleInput, type ScaleInput } from '../../../functions/scale/input';
import type { ScaleState } from '../../../functions/scale/state';

export const CLUSTER = 'demo';
export const FLEET = 'sfr-11111111-1111-4111-8111-111111111111';
export const TARGET_GROUP = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/demo-web/0123456789abcdef';
export const EXECUTION = {
  id: 'arn:aws:states:us-east-1:123456789012:execution:ecs-fleet-ops-dev-scale-service:demo-web-in-20261101T1010Z',
  name: 'demo-web-in-20261101T1010Z',
  startedAt: '2026-11-01T10:10:00.000Z',
};

/** The state document as the scale-service state machine hands it to a Task. */
export function scaleState(input: Partial<ScaleInput> = {}, extra: Partial<ScaleState> = {}): ScaleState {
  return {
    request: parseScaleInput({ cluster: CLUSTER, service: 'web', direction: 'in', min: 2, max: 20, ...input }, [{ cluster: CLUSTER, minCapacity: 2, maxCapacity: 24 }]),
    execution: { ...EXECUTION },
    ...extra,
  };
}

export function instanceId(n: number): string {
  return `i-${String(n).padStart(17, '0')}`;
}

/** A container instance as DescribeContainerInstances returns it (c5.xlarge-sized). */
export function containerInstance(n: number, options: { status?: string; tasks?: number; stoppingCpu?: number } = {}): ContainerInstance {
  const usedCpu = (options.tasks ?? 0) * 1024 + (options.stoppingCpu ?? 0);
  return {
    containerInstanceArn: `arn:aws:ecs:us-east-1:123456789012:container-instance/${CLUSTER}/${String(n).padStart(32, '0')}`,
    ec2InstanceId: instanceId(n),
    status: options.status ?? 'ACTIVE',
    agentConnected: true,
    runningTasksCount: options.tasks ?? 0,
    pendingTasksCount: 0,
    registeredResources: [
      { name: 'CPU', integerValue: 4096 },
      { name: 'MEMORY', integerValue: 7936 },
      { name: 'PORTS', stringSetValue: ['22'] },
    ],
    remainingResources: [
      { name: 'CPU', integerValue: 4096 - usedCpu },
      { name: 'MEMORY', integerValue: 7936 - (options.tasks ?? 0) * 512 },
      { name: 'PORTS', stringSetValue: ['22'] },
    ],
    attributes: [{ name: 'ecs.instance-type', value: 'c5.xlarge' }],
  };
}
