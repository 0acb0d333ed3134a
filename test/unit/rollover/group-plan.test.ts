import type { AutoScalingGroup } from '@aws-sdk/client-auto-scaling';
import { RAISE_MAX_TAG, groupRefusal, planGroup } from '../../../functions/rollover/group-plan';

const OLD = 'ami-0a1b2c3d4e5f60718';
const NEW = 'ami-0281c9a5cd9de63bd';

function group(overrides: Partial<AutoScalingGroup> = {}): AutoScalingGroup {
  return {
    AutoScalingGroupName: 'demo-asg',
    MinSize: 1,
    MaxSize: 4,
    DesiredCapacity: 3,
    LaunchTemplate: { LaunchTemplateId: 'lt-0123456789abcdef0', Version: '$Latest' },
    Instances: ['i-1', 'i-2', 'i-3'].map((InstanceId, n) => ({ InstanceId, LifecycleState: 'InService', ProtectedFromScaleIn: n === 0, AvailabilityZone: 'us-east-1a', HealthStatus: 'Healthy' })),
    ...overrides,
  } as AutoScalingGroup;
}

describe('Function: planGroup', () => {
  it('plans the overlap: the group grows by its old instances, past its max when needed', () => {
    // Act
    const plan = planGroup(group(), [], [OLD, OLD, OLD], NEW);

    // Assess
    expect(plan).toMatchObject({ instances: 3, protectedInstances: 1, peakSize: 6, raisesMax: true, current: false, usesLaunchTemplate: true });
  });

  it('is current when every instance of the group in the cluster runs the target AMI', () => {
    // Act
    const plan = planGroup(group(), [], [NEW, NEW], NEW);

    // Assess
    expect(plan.current).toBe(true);
  });
});

describe('Function: groupRefusal', () => {
  it('accepts raising the max unless the group forbids it', () => {
    // Prepare
    const free = group();
    const fixed = group({ Tags: [{ Key: RAISE_MAX_TAG, Value: 'false', ResourceId: 'demo-asg', ResourceType: 'auto-scaling-group', PropagateAtLaunch: false }] });

    // Act
    const ok = groupRefusal(free, planGroup(free, [], [OLD], NEW), 'x');
    const refused = groupRefusal(fixed, planGroup(fixed, [], [OLD], NEW), 'x');

    // Assess
    expect(ok).toBeUndefined();
    expect(refused).toMatch(/would need 6 instances to replace its 3 before draining them, above its max size 4/);
  });

  it.each([
    ['a launch configuration', group({ LaunchTemplate: undefined, LaunchConfigurationName: 'legacy' }), /launch configuration legacy/],
    ['a mixed instances policy without a template', group({ LaunchTemplate: undefined, MixedInstancesPolicy: {} }), /no launch template/],
    ['a group being deleted', group({ Status: 'Delete in progress' }), /being deleted/],
  ])('refuses %s', (_what, g, reason) => {
    // Act
    const refusal = groupRefusal(g, planGroup(g, [], [OLD], NEW), 'x');

    // Assess
    expect(refusal).toMatch(reason);
  });
});
