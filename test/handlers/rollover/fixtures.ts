import { DescribeSpotFleetInstancesCommand, EC2Client, type DescribeSpotFleetInstancesCommandInput } from '@aws-sdk/client-ec2';
import {
  DescribeContainerInstancesCommand,
  DescribeTasksCommand,
  ECSClient,
  ListContainerInstancesCommand,
  ListTasksCommand,
  StopTaskCommand,
  UpdateContainerInstancesStateCommand,
  type ContainerInstance,
  type DescribeContainerInstancesCommandInput,
  type DescribeTasksCommandInput,
  type ListTasksCommandInput,
  type StopTaskCommandInput,
  type Task,
  type UpdateContainerInstancesStateCommandInput,
} from '@aws-sdk/client-ecs';
import type { AwsClientStub } from 'aws-sdk-client-mock';
import { parseRolloverInput } from '../../../functions/rollover/input';
import type { RolloverState } from '../../../functions/rollover/state';

export const CLUSTER = 'demo';
export const OLD_FLEET = 'sfr-11111111-1111-4111-8111-111111111111';
export const NEW_FLEET = 'sfr-22222222-2222-4222-8222-222222222222';
export const OLD_AMI = 'ami-0a1b2c3d4e5f60718';
export const NEW_AMI = 'ami-0281c9a5cd9de63bd';
export const EXECUTION = {
  id: 'arn:aws:states:us-east-1:123456789012:execution:ecs-fleet-ops-ami-rollover:demo-1',
  name: 'demo-1',
  startedAt: '2026-11-01T10:00:00.000Z',
};

/** The state document as the ami-rollover state machine hands it to a Task, up to the step under test. */
export function rolloverState(input: Record<string, unknown> = {}, extra: Partial<RolloverState> = {}): RolloverState {
  return {
    request: parseRolloverInput({ cluster: CLUSTER, ...input }),
    execution: { ...EXECUTION },
    targetAmi: { imageId: NEW_AMI, source: 'input' },
    plan: {
      fleets: [{ fleetId: OLD_FLEET, targetCapacity: 4, instances: 4, amis: [OLD_AMI], usesLaunchTemplate: false, current: false }],
      replace: [OLD_FLEET],
      upToDate: false,
      containerInstances: 4,
      otherInstances: 0,
      targetGroupArns: [],
      message: 'Replacing 1 of 1 Spot Fleet(s)',
    },
    ...extra,
  };
}

export interface FakeInstance {
  ec2InstanceId: string;
  arn: string;
  fleetId?: string;
  status: string;
  runningTasks: number;
  pendingTasks: number;
  /** CPU units reserved by tasks on it (tasks still stopping included). */
  usedCpu: number;
}

const RESERVED_PORTS = ['22', '2375', '2376', '51678', '51679'];

/** Container instance n of the cluster, from `fleetId`, idle and ACTIVE unless told otherwise. */
export function fakeInstance(n: number, options: Partial<FakeInstance> = {}): FakeInstance {
  const hex = n.toString(16).padStart(17, '0');
  const running = options.runningTasks ?? 0;
  return {
    ec2InstanceId: `i-${hex}`,
    arn: `arn:aws:ecs:us-east-1:123456789012:container-instance/${CLUSTER}/${hex.padStart(32, '0')}`,
    fleetId: OLD_FLEET,
    status: 'ACTIVE',
    runningTasks: running,
    pendingTasks: 0,
    usedCpu: running * 256,
    ...options,
  };
}

export function fakeTask(id: string, on: FakeInstance, group: string, desiredStatus: 'RUNNING' | 'STOPPED' = 'RUNNING'): Task {
  return {
    taskArn: `arn:aws:ecs:us-east-1:123456789012:task/${CLUSTER}/${id}`,
    containerInstanceArn: on.arn,
    group,
    lastStatus: 'RUNNING',
    desiredStatus,
  };
}

/**
 * A cluster behind mocked ECS and EC2 clients: the fleet lists its instances, ECS lists and
 * describes them from the current fake state, and UpdateContainerInstancesState / StopTask change
 * that state, so a handler sees the effect of its own calls. `refuse` holds container instance
 * ARNs that UpdateContainerInstancesState reports as failures (a call that half-succeeds).
 */
export class FakeCluster {
  readonly refuse = new Set<string>();

  constructor(
    readonly instances: FakeInstance[],
    readonly tasks: Task[] = [],
  ) {}

  install(ecsMock: AwsClientStub<ECSClient>, ec2Mock: AwsClientStub<EC2Client>): void {
    ec2Mock.on(DescribeSpotFleetInstancesCommand).callsFake((input: DescribeSpotFleetInstancesCommandInput) => ({
      SpotFleetRequestId: input.SpotFleetRequestId,
      ActiveInstances: this.instances
        .filter((i) => i.fleetId === input.SpotFleetRequestId)
        .map((i) => ({ InstanceId: i.ec2InstanceId, InstanceType: 'm5.large', SpotInstanceRequestId: `sir-${i.ec2InstanceId.slice(-8)}`, InstanceHealth: 'healthy' })),
    }));
    ecsMock.on(ListContainerInstancesCommand).callsFake(() => ({ containerInstanceArns: this.instances.filter((i) => i.status !== 'INACTIVE').map((i) => i.arn) }));
    ecsMock.on(DescribeContainerInstancesCommand).callsFake((input: DescribeContainerInstancesCommandInput) => ({
      containerInstances: (input.containerInstances ?? []).map((arn) => this.describe(this.find(arn))),
      failures: [],
    }));
    ecsMock.on(UpdateContainerInstancesStateCommand).callsFake((input: UpdateContainerInstancesStateCommandInput) => {
      const changed: ContainerInstance[] = [];
      const failures: { arn: string; reason: string; detail: string }[] = [];
      for (const arn of input.containerInstances ?? []) {
        const ci = this.find(arn);
        if (this.refuse.has(arn)) {
          failures.push({ arn, reason: 'INVALID_STATE', detail: 'Container instance is in DEREGISTERING status' });
          continue;
        }
        ci.status = input.status!;
        changed.push(this.describe(ci));
      }
      return { containerInstances: changed, failures };
    });
    ecsMock.on(ListTasksCommand).callsFake((input: ListTasksCommandInput) => ({
      taskArns: this.tasks.filter((t) => t.desiredStatus === (input.desiredStatus ?? 'RUNNING')).map((t) => t.taskArn!),
    }));
    ecsMock.on(DescribeTasksCommand).callsFake((input: DescribeTasksCommandInput) => ({
      tasks: this.tasks.filter((t) => input.tasks?.includes(t.taskArn!)),
      failures: [],
    }));
    ecsMock.on(StopTaskCommand).callsFake((input: StopTaskCommandInput) => {
      const task = this.tasks.find((t) => t.taskArn === input.task)!;
      task.desiredStatus = 'STOPPED';
      return { task };
    });
  }

  private find(arn: string): FakeInstance {
    const ci = this.instances.find((i) => i.arn === arn);
    if (!ci) throw new Error(`the fake cluster has no container instance ${arn}`);
    return ci;
  }

  /** As DescribeContainerInstances returns it: an m5.large, 2048 CPU units and 7936 MiB registered. */
  private describe(ci: FakeInstance): ContainerInstance {
    return {
      containerInstanceArn: ci.arn,
      ec2InstanceId: ci.ec2InstanceId,
      status: ci.status,
      agentConnected: true,
      runningTasksCount: ci.runningTasks,
      pendingTasksCount: ci.pendingTasks,
      registeredResources: [
        { name: 'CPU', type: 'INTEGER', integerValue: 2048 },
        { name: 'MEMORY', type: 'INTEGER', integerValue: 7936 },
        { name: 'PORTS', type: 'STRINGSET', stringSetValue: RESERVED_PORTS },
      ],
      remainingResources: [
        { name: 'CPU', type: 'INTEGER', integerValue: 2048 - ci.usedCpu },
        { name: 'MEMORY', type: 'INTEGER', integerValue: 7936 - ci.usedCpu * 2 },
        { name: 'PORTS', type: 'STRINGSET', stringSetValue: RESERVED_PORTS },
      ],
      attributes: [{ name: 'ecs.ami-id', value: OLD_AMI }],
    };
  }
}
