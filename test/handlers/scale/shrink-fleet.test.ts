import { DescribeInstancesCommand, DescribeSpotFleetRequestsCommand, EC2Client, ModifySpotFleetRequestCommand, TerminateInstancesCommand } from '@aws-sdk/client-ec2';
import { DescribeContainerInstancesCommand, ECSClient, ListContainerInstancesCommand, type ContainerInstance } from '@aws-sdk/client-ecs';
import { DeregisterTargetsCommand, DescribeTargetHealthCommand, ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { useClients } from '../../../functions/lib/clients';
import { logger } from '../../../functions/lib/log';
import { handler } from '../../../functions/scale/shrink-fleet';
import type { ShrinkPlan } from '../../../functions/scale/state';
import { testClients } from '../triggers/fixtures';
import { FLEET, TARGET_GROUP, containerInstance, instanceId, scaleState } from './fixtures';

const ec2Mock = mockClient(EC2Client);
const ecsMock = mockClient(ECSClient);
const elbMock = mockClient(ElasticLoadBalancingV2Client);

const SHRINK: ShrinkPlan = {
  status: 'shrink',
  fleetId: FLEET,
  instances: [
    { instanceId: instanceId(1), weight: 2 },
    { instanceId: instanceId(2), weight: 1 },
  ],
  units: 3,
  targetGroupArns: [TARGET_GROUP],
  message: 'Giving back 2 spare instance(s)',
};

/** The cluster as ECS describes it, and the instances as EC2 does. */
function install(cluster: ContainerInstance[], ec2States: Record<string, string>, fleet: { target: number; fulfilled: number; state?: string; policy?: string }): void {
  ecsMock.on(ListContainerInstancesCommand).resolves({ containerInstanceArns: cluster.map((ci) => ci.containerInstanceArn!) });
  ecsMock.on(DescribeContainerInstancesCommand).resolves({ containerInstances: cluster });
  ec2Mock.on(DescribeInstancesCommand).resolves({
    Reservations: [{ Instances: Object.entries(ec2States).map(([id, state]) => ({ InstanceId: id, State: { Name: state as 'running' }, Tags: [{ Key: 'aws:ec2spot:fleet-request-id', Value: FLEET }] })) }],
  });
  ec2Mock.on(DescribeSpotFleetRequestsCommand).resolves({
    SpotFleetRequestConfigs: [
      {
        SpotFleetRequestId: FLEET,
        SpotFleetRequestState: (fleet.state ?? 'active') as 'active',
        SpotFleetRequestConfig: { IamFleetRole: 'r', TargetCapacity: fleet.target, FulfilledCapacity: fleet.fulfilled, Type: 'maintain', ExcessCapacityTerminationPolicy: (fleet.policy ?? 'default') as 'default' },
      },
    ],
  });
  elbMock.on(DescribeTargetHealthCommand).resolves({
    TargetHealthDescriptions: [
      { Target: { Id: instanceId(1), Port: 80 }, TargetHealth: { State: 'healthy' } },
      { Target: { Id: instanceId(9), Port: 80 }, TargetHealth: { State: 'healthy' } },
    ],
  });
  ec2Mock.on(ModifySpotFleetRequestCommand).resolves({ Return: true });
  ec2Mock.on(TerminateInstancesCommand).resolves({});
  elbMock.on(DeregisterTargetsCommand).resolves({});
}

/** The mutating calls in the order they were made, across the three clients (see recordOrder). */
let order: string[] = [];

function recordOrder(): void {
  ec2Mock.on(ModifySpotFleetRequestCommand).callsFake(() => (order.push('ModifySpotFleetRequest'), { Return: true }));
  ec2Mock.on(TerminateInstancesCommand).callsFake(() => (order.push('TerminateInstances'), {}));
  elbMock.on(DeregisterTargetsCommand).callsFake(() => (order.push('DeregisterTargets'), {}));
}

describe('Function: shrink-fleet handler (ShrinkFleet)', () => {
  beforeEach(() => {
    ec2Mock.reset();
    ecsMock.reset();
    elbMock.reset();
    order = [];
    useClients(testClients());
    jest.spyOn(logger, 'info').mockImplementation(() => undefined);
    jest.spyOn(logger, 'warn').mockImplementation(() => undefined);
  });

  afterEach(() => {
    jest.restoreAllMocks();
    useClients(undefined);
  });

  it('lowers the target by their units with noTermination, deregisters their targets, then terminates exactly them', async () => {
    // Prepare
    install([containerInstance(1, { status: 'DRAINING' }), containerInstance(2, { status: 'DRAINING' }), containerInstance(3, { tasks: 2 })], { [instanceId(1)]: 'running', [instanceId(2)]: 'running' }, { target: 6, fulfilled: 6 });
    recordOrder();

    // Act
    const result = await handler(scaleState({}, { shrink: SHRINK }));

    // Assess
    expect(result).toEqual({ status: 'shrunk', terminated: [instanceId(1), instanceId(2)], fromTarget: 6, toTarget: 3 });
    expect(order).toEqual(['ModifySpotFleetRequest', 'DeregisterTargets', 'TerminateInstances']);
    expect(ec2Mock).toHaveReceivedCommandWith(ModifySpotFleetRequestCommand, { SpotFleetRequestId: FLEET, TargetCapacity: 3, ExcessCapacityTerminationPolicy: 'noTermination' });
    expect(elbMock).toHaveReceivedCommandWith(DeregisterTargetsCommand, { TargetGroupArn: TARGET_GROUP, Targets: [{ Id: instanceId(1), Port: 80 }] });
    expect(ec2Mock.commandCalls(TerminateInstancesCommand).map((c) => c.args[0].input.InstanceIds)).toEqual([[instanceId(1), instanceId(2)]]);
  });

  it.each([
    ['one still ACTIVE', containerInstance(2)],
    ['one still running a task', containerInstance(2, { status: 'DRAINING', tasks: 1 })],
    ['one whose stopping task still holds its reservation', containerInstance(2, { status: 'DRAINING', stoppingCpu: 256 })],
  ])('changes nothing and drains again when %s', async (_what, second) => {
    // Prepare
    install([containerInstance(1, { status: 'DRAINING' }), second], { [instanceId(1)]: 'running', [instanceId(2)]: 'running' }, { target: 6, fulfilled: 6 });

    // Act
    const result = await handler(scaleState({}, { shrink: SHRINK }));

    // Assess
    expect(result).toEqual({ status: 'notDrained', terminated: [] });
    expect(ec2Mock).not.toHaveReceivedCommand(ModifySpotFleetRequestCommand);
    expect(ec2Mock).not.toHaveReceivedCommand(TerminateInstancesCommand);
    expect(elbMock).not.toHaveReceivedCommand(DeregisterTargetsCommand);
  });

  it('lowers to what the fleet holds once they are gone when it had launched more than its target, never below the minimum', async () => {
    // Prepare: target 6, fulfilled 7 (weights overshoot); minimum 2
    install([containerInstance(1, { status: 'DRAINING' }), containerInstance(2, { status: 'DRAINING' })], { [instanceId(1)]: 'running', [instanceId(2)]: 'running' }, { target: 6, fulfilled: 7 });
    const small = { ...SHRINK, instances: [{ instanceId: instanceId(1), weight: 2 }, { instanceId: instanceId(2), weight: 4 }] };

    // Act
    const result = await handler(scaleState({}, { shrink: small }));

    // Assess: min(6, 7 − 6) = 1, raised to the minimum of 2
    expect(result.toTarget).toBe(2);
  });

  it('does not lower the target again on a retry after the termination began, and terminates the rest', async () => {
    // Prepare: instance 1 is already shutting down (an earlier attempt got that far)
    install([containerInstance(2, { status: 'DRAINING' })], { [instanceId(1)]: 'shutting-down', [instanceId(2)]: 'running' }, { target: 3, fulfilled: 4 });

    // Act
    const result = await handler(scaleState({}, { shrink: SHRINK }));

    // Assess
    expect(ec2Mock).not.toHaveReceivedCommand(ModifySpotFleetRequestCommand);
    expect(ec2Mock).not.toHaveReceivedCommand(DescribeSpotFleetRequestsCommand);
    expect(ec2Mock).toHaveReceivedCommandWith(TerminateInstancesCommand, { InstanceIds: [instanceId(2)] });
    expect(result.terminated).toEqual([instanceId(2)]);
  });

  it('gives the same target on a retry before the termination (the figures have not moved)', async () => {
    // Prepare: a first attempt lowered 6 → 3 and died; the instances still run, so fulfilled is still 6
    install([containerInstance(1, { status: 'DRAINING' }), containerInstance(2, { status: 'DRAINING' })], { [instanceId(1)]: 'running', [instanceId(2)]: 'running' }, { target: 3, fulfilled: 6, policy: 'noTermination' });

    // Act
    const result = await handler(scaleState({}, { shrink: SHRINK }));

    // Assess
    expect(result.toTarget).toBe(3);
    expect(ec2Mock).not.toHaveReceivedCommand(ModifySpotFleetRequestCommand);
    expect(ec2Mock).toHaveReceivedCommand(TerminateInstancesCommand);
  });

  it('never terminates an instance that left the fleet', async () => {
    // Prepare: DescribeInstances says instance 2 carries no fleet tag of ours
    install([containerInstance(1, { status: 'DRAINING' }), containerInstance(2, { status: 'DRAINING' })], { [instanceId(1)]: 'running' }, { target: 6, fulfilled: 6 });

    // Act
    await handler(scaleState({}, { shrink: SHRINK }));

    // Assess
    expect(ec2Mock).toHaveReceivedCommandWith(TerminateInstancesCommand, { InstanceIds: [instanceId(1)] });
    expect(ec2Mock).toHaveReceivedCommandWith(ModifySpotFleetRequestCommand, { TargetCapacity: 4 });
  });

  it('fails with FleetBusy, changing nothing, while the fleet is being modified', async () => {
    // Prepare
    install([containerInstance(1, { status: 'DRAINING' }), containerInstance(2, { status: 'DRAINING' })], { [instanceId(1)]: 'running', [instanceId(2)]: 'running' }, { target: 6, fulfilled: 6, state: 'modifying' });

    // Act
    const result = handler(scaleState({}, { shrink: SHRINK }));

    // Assess
    await expect(result).rejects.toMatchObject({ name: 'FleetBusy' });
    expect(ec2Mock).not.toHaveReceivedCommand(TerminateInstancesCommand);
  });
});
