import type { AutoScalingGroup } from '@aws-sdk/client-auto-scaling';
import type { ContainerInstanceSummary } from '../../../functions/lib/aws/container-instances';
import { groupReadiness, scalingRefusal } from '../../../functions/scale/group';

const GROUP: AutoScalingGroup = {
  AutoScalingGroupName: 'demo-asg',
  MinSize: 1,
  MaxSize: 6,
  DesiredCapacity: 3,
  DefaultCooldown: 300,
  AvailabilityZones: ['us-east-1a'],
  HealthCheckType: 'EC2',
  CreatedTime: new Date('2026-11-01T10:00:00Z'),
  Instances: [
    { InstanceId: 'i-1', LifecycleState: 'InService', AvailabilityZone: 'us-east-1a', HealthStatus: 'Healthy', ProtectedFromScaleIn: false },
    { InstanceId: 'i-2', LifecycleState: 'InService', AvailabilityZone: 'us-east-1a', HealthStatus: 'Healthy', ProtectedFromScaleIn: false },
    { InstanceId: 'i-3', LifecycleState: 'Pending', AvailabilityZone: 'us-east-1a', HealthStatus: 'Healthy', ProtectedFromScaleIn: false },
    { InstanceId: 'i-9', LifecycleState: 'Terminating', AvailabilityZone: 'us-east-1a', HealthStatus: 'Healthy', ProtectedFromScaleIn: false },
  ],
};

function group(changes: Partial<AutoScalingGroup>): AutoScalingGroup {
  return { ...structuredClone(GROUP), ...changes };
}

function containerInstance(ec2InstanceId: string, status = 'ACTIVE', agentConnected = true): ContainerInstanceSummary {
  return { arn: `arn:ci/${ec2InstanceId}`, ec2InstanceId, status, agentConnected, runningTasks: 0, pendingTasks: 0, registeredCpu: 4096, registeredMemory: 7936, freeCpu: 4096, freeMemory: 7936, usedPorts: [], holdsReservations: false };
}

describe('Function: scalingRefusal', () => {
  it.each([
    ['out', 'Launch', /Launch process suspended, so it cannot be grown/],
    ['in', 'Terminate', /Terminate process suspended, so it cannot be shrunk/],
  ] as const)('refuses to scale %s a group with %s suspended', (direction, ProcessName, message) => {
    // Prepare
    const suspended = group({ SuspendedProcesses: [{ ProcessName, SuspensionReason: 'User suspended' }] });

    // Act
    const refusal = scalingRefusal(suspended, direction);

    // Assess
    expect(refusal).toMatch(message);
  });

  it('lets a group grow with Terminate suspended, and shrink with Launch suspended', () => {
    // Prepare
    const suspend = (ProcessName: string) => group({ SuspendedProcesses: [{ ProcessName, SuspensionReason: 'User suspended' }] });

    // Act
    const refusals = [scalingRefusal(suspend('Terminate'), 'out'), scalingRefusal(suspend('Launch'), 'in'), scalingRefusal(suspend('AZRebalance'), 'in')];

    // Assess
    expect(refusals).toEqual([undefined, undefined, undefined]);
  });

  it.each([
    ['counts capacity in vCPUs', { DesiredCapacityType: 'vcpu' }, /counts its capacity in vcpu/],
    ['weights its instance types', { MixedInstancesPolicy: { LaunchTemplate: { Overrides: [{ InstanceType: 'c5.xlarge', WeightedCapacity: '2' }] } } }, /weights its instance types \(c5.xlarge 2\)/],
    ['is being deleted', { Status: 'Delete in progress' }, /is Delete in progress/],
  ])('refuses a group that %s', (_what, changes, message) => {
    // Act
    const refusal = scalingRefusal(group(changes as Partial<AutoScalingGroup>), 'out');

    // Assess
    expect(refusal).toMatch(message);
  });
});

describe('Function: groupReadiness', () => {
  it('is not ready while an instance is launching or not yet ACTIVE in the cluster', () => {
    // Act
    const readiness = groupReadiness(GROUP, [containerInstance('i-1'), containerInstance('i-2', 'ACTIVE', false)]);

    // Assess: i-9 is terminating and does not count
    expect(readiness).toEqual({
      desired: 3,
      live: 3,
      inService: 2,
      activeInCluster: 1,
      problems: ['2/3 instances InService in group demo-asg', '1/3 instances of group demo-asg ACTIVE in the cluster'],
    });
  });

  it('is ready when as many instances as desired are InService and ACTIVE with their agent connected', () => {
    // Prepare
    const ready = group({ Instances: GROUP.Instances!.map((i) => (i.InstanceId === 'i-3' ? { ...i, LifecycleState: 'InService' } : i)) });

    // Act
    const readiness = groupReadiness(ready, ['i-1', 'i-2', 'i-3'].map((id) => containerInstance(id)));

    // Assess
    expect(readiness.problems).toEqual([]);
  });

  it('waits for the instances a raised desired capacity has not launched yet', () => {
    // Act
    const readiness = groupReadiness(group({ DesiredCapacity: 5 }), ['i-1', 'i-2', 'i-3'].map((id) => containerInstance(id)));

    // Assess
    expect(readiness.problems).toContain('group demo-asg has 3/5 instances');
  });
});
