import {
  CreateOrUpdateTagsCommand,
  DeleteTagsCommand,
  DescribeAutoScalingGroupsCommand,
  ResumeProcessesCommand,
  SetDesiredCapacityCommand,
  SuspendProcessesCommand,
  TerminateInstanceInAutoScalingGroupCommand,
} from '@aws-sdk/client-auto-scaling';
import { Ec2Sim } from '../../../sim/aws/ec2';
import { OLD_AMI } from '../../../sim/scenarios/cluster';
import type { World } from '../../../sim/world';
import { emptyAccount, errorOf } from './helpers';

function group(world: World, overrides: Record<string, unknown> = {}): string {
  world.ecs.createCluster('demo');
  const lt = world.ec2.addLaunchTemplate('demo-asg', { ImageId: OLD_AMI, InstanceType: 'm5.large', UserData: Ec2Sim.userDataFor('demo') });
  world.router.call('autoscaling', 'CreateAutoScalingGroup', {
    AutoScalingGroupName: 'demo-asg',
    MinSize: 1,
    MaxSize: 4,
    DesiredCapacity: 2,
    LaunchTemplate: { LaunchTemplateId: lt.id, Version: '$Latest' },
    VPCZoneIdentifier: 'subnet-0aaa1111,subnet-0bbb2222',
    ...overrides,
  });
  return 'demo-asg';
}

/** A tag of the demo group, as CreateOrUpdateTags and DeleteTags take it. */
function groupTag(Key: string, Value?: string, PropagateAtLaunch?: boolean) {
  return { ResourceId: 'demo-asg', ResourceType: 'auto-scaling-group', Key, ...(Value !== undefined ? { Value } : {}), ...(PropagateAtLaunch !== undefined ? { PropagateAtLaunch } : {}) };
}

function described(world: World, name = 'demo-asg') {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  return (world.router.call('autoscaling', 'DescribeAutoScalingGroups', { AutoScalingGroupNames: [name] }) as any).AutoScalingGroups[0];
}

describe('Class: AutoScalingSim', () => {
  describe('Method: CreateAutoScalingGroup', () => {
    it('launches the desired capacity, tags the instances with the group name, and they join the cluster', async () => {
      // Prepare
      const world = emptyAccount();
      group(world);

      // Act
      world.advance(600);
      const res = await world.clients.autoscaling.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: ['demo-asg'] }));

      // Assess
      const g = res.AutoScalingGroups![0];
      expect(g.Instances).toHaveLength(2);
      expect(g.Instances!.every((i) => i.LifecycleState === 'InService' && i.LaunchTemplate?.Version === '1')).toBe(true);
      for (const i of g.Instances!) expect(world.ec2.instances.get(i.InstanceId!)!.tags.get('aws:autoscaling:groupName')).toBe('demo-asg');
      expect(world.ecs.clusters.get('demo')!.containerInstances.size).toBe(2);
      expect(new Set(g.Instances!.map((i) => i.AvailabilityZone)).size).toBe(2);
    });

    it('refuses a group with no launch template, configuration or instance, and one whose desired capacity is out of bounds', () => {
      // Prepare
      const world = emptyAccount();

      // Act
      const none = errorOf(world, 'autoscaling', 'CreateAutoScalingGroup', { AutoScalingGroupName: 'x', MinSize: 0, MaxSize: 1 });
      const lt = world.ec2.addLaunchTemplate('x', { ImageId: OLD_AMI, InstanceType: 'm5.large' });
      const bounds = errorOf(world, 'autoscaling', 'CreateAutoScalingGroup', { AutoScalingGroupName: 'x', MinSize: 0, MaxSize: 1, DesiredCapacity: 2, LaunchTemplate: { LaunchTemplateId: lt.id } });

      // Assess
      expect(none.name).toBe('ValidationError');
      expect(bounds.name).toBe('ValidationError');
      expect(bounds.message).toContain('Desired capacity:2 must be between the specified min size:0 and max size:1');
      expect(world.autoscaling.groups.size).toBe(0);
    });
  });

  describe('Method: SetDesiredCapacity', () => {
    it('refuses a capacity above the max, and scales in around protected instances', async () => {
      // Prepare
      const world = emptyAccount();
      group(world, { DesiredCapacity: 3 });
      world.advance(600);
      const [keep] = described(world).Instances.map((i: { InstanceId: string }) => i.InstanceId);
      world.router.call('autoscaling', 'SetInstanceProtection', { AutoScalingGroupName: 'demo-asg', InstanceIds: [keep], ProtectedFromScaleIn: true });

      // Act
      const above = errorOf(world, 'autoscaling', 'SetDesiredCapacity', { AutoScalingGroupName: 'demo-asg', DesiredCapacity: 5 });
      await world.clients.autoscaling.send(new SetDesiredCapacityCommand({ AutoScalingGroupName: 'demo-asg', DesiredCapacity: 1 }));
      world.advance(600);

      // Assess
      expect(above.message).toBe('New SetDesiredCapacity value 5 is above max value 4 for the AutoScalingGroup.');
      const g = described(world);
      expect(g.Instances.map((i: { InstanceId: string }) => i.InstanceId)).toEqual([keep]);
      expect(g.Instances[0].ProtectedFromScaleIn).toBe(true);
    });

    it('cannot scale in when every instance is protected', () => {
      // Prepare
      const world = emptyAccount();
      group(world, { NewInstancesProtectedFromScaleIn: true });
      world.advance(600);

      // Act
      world.router.call('autoscaling', 'SetDesiredCapacity', { AutoScalingGroupName: 'demo-asg', DesiredCapacity: 1 });
      world.advance(600);

      // Assess
      expect(described(world).Instances).toHaveLength(2);
    });
  });

  describe('Method: TerminateInstanceInAutoScalingGroup', () => {
    it('terminates exactly that instance (protected or not) and decrements the desired capacity', async () => {
      // Prepare
      const world = emptyAccount();
      group(world, { NewInstancesProtectedFromScaleIn: true });
      world.advance(600);
      const [victim, other] = described(world).Instances.map((i: { InstanceId: string }) => i.InstanceId);

      // Act
      await world.clients.autoscaling.send(new TerminateInstanceInAutoScalingGroupCommand({ InstanceId: victim, ShouldDecrementDesiredCapacity: true }));
      world.advance(600);

      // Assess
      const g = described(world);
      expect(g.DesiredCapacity).toBe(1);
      expect(g.Instances.map((i: { InstanceId: string }) => i.InstanceId)).toEqual([other]);
      expect(world.ec2.instances.get(victim)!.state).toBe('terminated');
    });

    it('refuses to go below the min size, and an instance outside any group', () => {
      // Prepare
      const world = emptyAccount();
      group(world, { MinSize: 2 });
      world.advance(600);
      const [victim] = described(world).Instances.map((i: { InstanceId: string }) => i.InstanceId);
      const since = world.router.calls.length;

      // Act
      const belowMin = errorOf(world, 'autoscaling', 'TerminateInstanceInAutoScalingGroup', { InstanceId: victim, ShouldDecrementDesiredCapacity: true });
      const unknown = errorOf(world, 'autoscaling', 'TerminateInstanceInAutoScalingGroup', { InstanceId: 'i-0123456789abcdef0', ShouldDecrementDesiredCapacity: false });

      // Assess
      expect(belowMin.name).toBe('ValidationError');
      expect(belowMin.message).toContain("violate group's min size constraint");
      expect(unknown.message).toContain('No managed instance found for instance ID: i-0123456789abcdef0');
      expect(world.router.calls.slice(since).every((c) => c.error === 'ValidationError')).toBe(true);
      expect(world.ec2.instances.get(victim)!.state).toBe('running');
    });

    it('holds a terminating instance for the termination hook\'s heartbeat timeout', () => {
      // Prepare
      const world = emptyAccount();
      group(world, { LifecycleHookSpecificationList: [{ LifecycleHookName: 'drain', LifecycleTransition: 'autoscaling:EC2_INSTANCE_TERMINATING', HeartbeatTimeout: 300, DefaultResult: 'CONTINUE' }] });
      world.advance(600);
      const [victim] = described(world).Instances.map((i: { InstanceId: string }) => i.InstanceId);

      // Act
      world.router.call('autoscaling', 'TerminateInstanceInAutoScalingGroup', { InstanceId: victim, ShouldDecrementDesiredCapacity: true });
      world.advance(60);
      const waiting = described(world).Instances.find((i: { InstanceId: string }) => i.InstanceId === victim).LifecycleState;
      world.advance(600);

      // Assess
      expect(waiting).toBe('Terminating:Wait');
      expect(world.ec2.instances.get(victim)!.state).toBe('terminated');
      const hooks = world.router.call('autoscaling', 'DescribeLifecycleHooks', { AutoScalingGroupName: 'demo-asg' }) as { LifecycleHooks: { LifecycleHookName: string }[] };
      expect(hooks.LifecycleHooks.map((h) => h.LifecycleHookName)).toEqual(['drain']);
    });
  });

  describe('Method: UpdateAutoScalingGroup', () => {
    it('takes a new launch template version for new launches, and refuses min above max', () => {
      // Prepare
      const world = emptyAccount();
      group(world);
      world.advance(600);
      const lt = [...world.ec2.launchTemplates.values()][0];
      world.router.call('ec2', 'CreateLaunchTemplateVersion', { LaunchTemplateId: lt.id, SourceVersion: '1', LaunchTemplateData: { ImageId: 'ami-0281c9a5cd9de63bd' } });

      // Act
      const bad = errorOf(world, 'autoscaling', 'UpdateAutoScalingGroup', { AutoScalingGroupName: 'demo-asg', MinSize: 5 });
      world.router.call('autoscaling', 'UpdateAutoScalingGroup', { AutoScalingGroupName: 'demo-asg', LaunchTemplate: { LaunchTemplateId: lt.id, Version: '2' }, MaxSize: 6, DesiredCapacity: 4 });
      world.advance(600);

      // Assess
      expect(bad.message).toBe('Max bound, 4, must be greater than or equal to min bound, 5');
      const versions = described(world).Instances.map((i: { LaunchTemplate: { Version: string } }) => i.LaunchTemplate.Version).sort();
      expect(versions).toEqual(['1', '1', '2', '2']);
    });

    it('answers ValidationError for an unknown group', () => {
      // Prepare
      const world = emptyAccount();

      // Act
      const error = errorOf(world, 'autoscaling', 'UpdateAutoScalingGroup', { AutoScalingGroupName: 'nope', DesiredCapacity: 1 });

      // Assess
      expect(error.name).toBe('ValidationError');
    });
  });

  describe('Method: CreateOrUpdateTags', () => {
    it('creates a tag on the group, then updates its value and propagation in place', async () => {
      // Prepare
      const world = emptyAccount();
      group(world);
      world.router.call('autoscaling', 'CreateOrUpdateTags', { Tags: [groupTag('team', 'web', true)] });

      // Act
      await world.clients.autoscaling.send(new CreateOrUpdateTagsCommand({ Tags: [groupTag('team', 'api', false)] }));

      // Assess
      expect(described(world).Tags).toEqual([{ ResourceId: 'demo-asg', ResourceType: 'auto-scaling-group', Key: 'team', Value: 'api', PropagateAtLaunch: false }]);
    });

    it('takes a value of 256 characters', () => {
      // Prepare
      const world = emptyAccount();
      group(world);

      // Act
      world.router.call('autoscaling', 'CreateOrUpdateTags', { Tags: [groupTag('note', 'v'.repeat(256))] });

      // Assess
      expect(described(world).Tags.map((t: { Key: string; Value: string }) => [t.Key, t.Value.length])).toEqual([['note', 256]]);
    });

    it.each([
      ['a key starting with aws:', groupTag('aws:autoscaling:groupName', 'demo-asg')],
      ['a resource type other than auto-scaling-group', { ...groupTag('team', 'web'), ResourceType: 'instance' }],
      ['a value longer than 256 characters', groupTag('note', 'v'.repeat(257))],
    ])('refuses %s (ValidationError), applying none of the call\'s tags', (_what, bad) => {
      // Prepare
      const world = emptyAccount();
      group(world);

      // Act
      const error = errorOf(world, 'autoscaling', 'CreateOrUpdateTags', { Tags: [groupTag('team', 'web'), bad] });

      // Assess
      expect(error.name).toBe('ValidationError');
      expect(described(world).Tags).toEqual([]);
    });
  });

  describe('Method: DeleteTags', () => {
    it('deletes a tag named with its value, and leaves it when the value given is not its value', async () => {
      // Prepare
      const world = emptyAccount();
      group(world);
      world.router.call('autoscaling', 'CreateOrUpdateTags', { Tags: [groupTag('team', 'web'), groupTag('stage', 'prod')] });

      // Act
      await world.clients.autoscaling.send(new DeleteTagsCommand({ Tags: [groupTag('team', 'web'), groupTag('stage', 'dev')] }));

      // Assess
      expect(described(world).Tags.map((t: { Key: string; Value: string }) => `${t.Key}=${t.Value}`)).toEqual(['stage=prod']);
    });

    it('deletes a tag named without a value, whatever its value', () => {
      // Prepare
      const world = emptyAccount();
      group(world);
      world.router.call('autoscaling', 'CreateOrUpdateTags', { Tags: [groupTag('team', 'web'), groupTag('stage', 'prod')] });

      // Act
      world.router.call('autoscaling', 'DeleteTags', { Tags: [groupTag('team')] });

      // Assess
      expect(described(world).Tags.map((t: { Key: string }) => t.Key)).toEqual(['stage']);
    });
  });

  describe('Method: SuspendProcesses / ResumeProcesses', () => {
    it('lists the suspended processes in DescribeAutoScalingGroups, and resumes only those named', async () => {
      // Prepare
      const world = emptyAccount();
      group(world);
      await world.clients.autoscaling.send(new SuspendProcessesCommand({ AutoScalingGroupName: 'demo-asg', ScalingProcesses: ['Launch', 'AZRebalance', 'AlarmNotification'] }));

      // Act
      await world.clients.autoscaling.send(new ResumeProcessesCommand({ AutoScalingGroupName: 'demo-asg', ScalingProcesses: ['AZRebalance'] }));
      const res = await world.clients.autoscaling.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: ['demo-asg'] }));

      // Assess
      const suspended = res.AutoScalingGroups![0].SuspendedProcesses!;
      expect(suspended.map((p) => p.ProcessName).sort()).toEqual(['AlarmNotification', 'Launch']);
      expect(suspended.every((p) => p.SuspensionReason?.startsWith('User suspended at '))).toBe(true);
    });

    it.each(['SuspendProcesses', 'ResumeProcesses'])('%s refuses an unknown process name (ValidationError), changing nothing', (operation) => {
      // Prepare
      const world = emptyAccount();
      group(world);
      world.router.call('autoscaling', 'SuspendProcesses', { AutoScalingGroupName: 'demo-asg', ScalingProcesses: ['Terminate'] });

      // Act
      const error = errorOf(world, 'autoscaling', operation, { AutoScalingGroupName: 'demo-asg', ScalingProcesses: ['Terminate', 'Launch', 'Relaunch'] });

      // Assess
      expect(error.name).toBe('ValidationError');
      expect(error.message).toContain('Relaunch');
      expect(described(world).SuspendedProcesses.map((p: { ProcessName: string }) => p.ProcessName)).toEqual(['Terminate']);
    });

    it('does not launch toward a higher desired capacity while Launch is suspended, and does once it is resumed', () => {
      // Prepare
      const world = emptyAccount();
      group(world);
      world.advance(600);
      world.router.call('autoscaling', 'SuspendProcesses', { AutoScalingGroupName: 'demo-asg', ScalingProcesses: ['Launch'] });

      // Act
      world.router.call('autoscaling', 'SetDesiredCapacity', { AutoScalingGroupName: 'demo-asg', DesiredCapacity: 4 });
      world.advance(600);
      const whileSuspended = described(world).Instances.length;
      world.router.call('autoscaling', 'ResumeProcesses', { AutoScalingGroupName: 'demo-asg', ScalingProcesses: ['Launch'] });
      world.advance(600);

      // Assess
      expect(whileSuspended).toBe(2);
      const g = described(world);
      expect(g.DesiredCapacity).toBe(4);
      expect(g.Instances.filter((i: { LifecycleState: string }) => i.LifecycleState === 'InService')).toHaveLength(4);
      expect(g.SuspendedProcesses).toEqual([]);
    });
  });

  describe('Cross-service', () => {
    it('replaces an instance terminated outside the group', () => {
      // Prepare
      const world = emptyAccount();
      group(world);
      world.advance(600);
      const [victim] = described(world).Instances.map((i: { InstanceId: string }) => i.InstanceId);

      // Act
      world.router.call('ec2', 'TerminateInstances', { InstanceIds: [victim] });
      world.advance(600);

      // Assess
      const g = described(world);
      expect(g.Instances).toHaveLength(2);
      expect(g.Instances.map((i: { InstanceId: string }) => i.InstanceId)).not.toContain(victim);
    });
  });
});
