import { formatPlan } from '../../cli/plan-format';
import { useClients } from '../../functions/lib/clients';
import { ErrorNames } from '../../functions/lib/errors';
import { ROLL_TAG } from '../../functions/rollover/group-roll';
import { handler as discoverFleets } from '../../functions/rollover/discover-fleets';
import { handler as prepareGroups } from '../../functions/rollover/prepare-groups';
import { handler as retireFleets } from '../../functions/rollover/retire-fleets';
import type { RolloverPlan } from '../../functions/rollover/planning';
import type { RolloverState } from '../../functions/rollover/state';
import type { Simulation } from '../../sim/harness';
import type { CallRecord } from '../../sim/router';
import { addAutoScalingGroup, NEW_AMI, OLD_AMI, releaseNewAmi, type GroupSpec } from '../../sim/scenarios/cluster';
import { SCALE_GROUP, scaleGroupWorld } from '../../sim/scenarios/scale';
import { clusterOnOldAmi, liveContainerInstances, mutatingCalls, type TestCluster } from '../support/simulation';

let t: TestCluster | undefined;

afterEach(() => {
  useClients(undefined);
  t?.sim.dispose();
  t = undefined;
});

const GROUP = 'demo-asg';

/** The default cluster (one Spot Fleet) with an Auto Scaling group of 2 beside it. */
function hybrid(group: Partial<GroupSpec> = {}, spec: Parameters<typeof clusterOnOldAmi>[0] = {}): TestCluster {
  const c = clusterOnOldAmi(spec);
  addAutoScalingGroup(c.sim.world, { cluster: 'demo', name: GROUP, minSize: 1, maxSize: 6, desiredCapacity: 2, instanceTypes: ['m5.large', 'm6i.large'], ...group });
  return { ...c, mark: c.sim.world.router.calls.length };
}

function groupOf(sim: Simulation) {
  return sim.world.autoscaling.groups.get(GROUP)!;
}

function liveGroupInstances(sim: Simulation) {
  return sim.world.autoscaling.liveInstances(groupOf(sim)).map((m) => sim.world.ec2.instances.get(m.id)!);
}

function callsTo(sim: Simulation, since: number, operation: string): CallRecord[] {
  return sim.world.router.calls.slice(since).filter((c) => c.operation === operation && !c.error);
}

function template(sim: Simulation) {
  const g = groupOf(sim);
  return g.mixedInstancesPolicy?.LaunchTemplate?.LaunchTemplateSpecification ?? g.launchTemplate!;
}

describe('State machine: ami-rollover (Auto Scaling groups)', () => {
  it('rolls the group onto the new AMI: grows it, drains the old instances, terminates exactly them, and puts the group back', async () => {
    // Prepare
    t = hybrid();
    const { sim } = t;
    const old = liveGroupInstances(sim).map((i) => i.id).sort();

    // Act
    const arn = sim.startRollover({ cluster: 'demo' });
    await sim.run();

    // Assess: every instance of the cluster on the new AMI
    const execution = sim.execution(arn);
    expect(execution.status).toBe('SUCCEEDED');
    expect(JSON.parse(execution.output!).plan.message).toMatch(/rolling Auto Scaling group\(s\) demo-asg onto ami-\w+/);
    expect(JSON.parse(sim.world.sns.published.at(-1)!.message)).toMatchObject({ outcome: 'succeeded', message: expect.stringMatching(/on 1 replacement fleet\(s\) and Auto Scaling group\(s\) demo-asg$/), rolledGroups: [GROUP] });
    expect(liveContainerInstances(sim).filter((ci) => ci.status === 'ACTIVE').every((ci) => ci.attributes['ecs.ami-id'] === NEW_AMI)).toBe(true);
    expect(liveGroupInstances(sim).map((i) => i.imageId)).toEqual([NEW_AMI, NEW_AMI]);
    // ...the group grown by its old instances on the new version, and never above what it needed
    const updates = callsTo(sim, t.mark, 'UpdateAutoScalingGroup').map((c) => c.input as { DesiredCapacity?: number; MaxSize?: number });
    expect(updates[0]).toMatchObject({ DesiredCapacity: 4, MaxSize: 6 });
    // ...exactly the old instances terminated, each decrementing the desired capacity
    const terminations = callsTo(sim, t.mark, 'TerminateInstanceInAutoScalingGroup').map((c) => c.input as { InstanceId: string; ShouldDecrementDesiredCapacity: boolean });
    expect(terminations.map((c) => c.InstanceId).sort()).toEqual(old);
    expect(terminations.every((c) => c.ShouldDecrementDesiredCapacity)).toBe(true);
    // ...and the group back to its shape: sizes, processes, no roll tag, its template reference ($Latest) kept
    const g = groupOf(sim);
    expect({ desired: g.desiredCapacity, min: g.minSize, max: g.maxSize }).toEqual({ desired: 2, min: 1, max: 6 });
    expect([...g.suspended.keys()]).toEqual([]);
    expect(g.tags.find((x) => x.Key === ROLL_TAG)).toBeUndefined();
    expect(template(sim).Version).toBe('$Latest');
    // Its own scaling was held for the roll, and given back
    expect(callsTo(sim, t.mark, 'SuspendProcesses').map((c) => (c.input as { ScalingProcesses: string[] }).ScalingProcesses)).toEqual([['AlarmNotification', 'ScheduledActions', 'AZRebalance']]);
    expect(callsTo(sim, t.mark, 'ResumeProcesses').map((c) => (c.input as { ScalingProcesses: string[] }).ScalingProcesses)).toEqual([['AlarmNotification', 'ScheduledActions', 'AZRebalance']]);
    for (const s of sim.world.ecs.cluster('demo').services.values()) expect(s.healthyCount).toBe(s.desiredCount);
    expect(sim.world.invariants.violations).toEqual([]);
  });

  it('ends at the group\'s original size when an old instance is lost mid-roll and the group replaces it: the extra new instance is drained and terminated too', async () => {
    // Prepare: AWS reclaims an old group instance while the new ones are coming up
    t = hybrid();
    const { sim } = t;
    const [lost] = liveGroupInstances(sim).map((i) => i.id).sort();
    const arn = sim.startRollover({ cluster: 'demo' });
    await sim.runner.advance(60);
    sim.world.interruptSpotInstance(lost);

    // Act
    await sim.run();

    // Assess
    expect(sim.execution(arn).status).toBe('SUCCEEDED');
    const g = groupOf(sim);
    expect({ desired: g.desiredCapacity, max: g.maxSize }).toEqual({ desired: 2, max: 6 });
    expect(liveGroupInstances(sim).map((i) => i.imageId)).toEqual([NEW_AMI, NEW_AMI]);
    const terminated = callsTo(sim, t.mark, 'TerminateInstanceInAutoScalingGroup').map((c) => (c.input as { InstanceId: string }).InstanceId);
    expect(terminated).toHaveLength(2);
    expect(terminated).not.toContain(lost);
    for (const s of sim.world.ecs.cluster('demo').services.values()) expect(s.healthyCount).toBe(s.desiredCount);
    expect(sim.world.invariants.violations).toEqual([]);
  });

  it('raises a max too small for old and new side by side for the roll, and restores it', async () => {
    // Prepare: 2 instances, max 3 — the roll needs 4
    t = hybrid({ maxSize: 3 });
    const { sim } = t;

    // Act
    const arn = sim.startRollover({ cluster: 'demo' });
    await sim.run();

    // Assess
    expect(sim.execution(arn).status).toBe('SUCCEEDED');
    const updates = callsTo(sim, t.mark, 'UpdateAutoScalingGroup').map((c) => c.input as { DesiredCapacity?: number; MaxSize?: number });
    expect(updates[0]).toMatchObject({ DesiredCapacity: 4, MaxSize: 4 });
    expect(updates.at(-1)).toMatchObject({ MaxSize: 3 });
    expect({ desired: groupOf(sim).desiredCapacity, max: groupOf(sim).maxSize }).toEqual({ desired: 2, max: 3 });
    expect(liveGroupInstances(sim).map((i) => i.imageId)).toEqual([NEW_AMI, NEW_AMI]);
    expect(sim.world.invariants.violations).toEqual([]);
  });

  it('leaves a process the operator had suspended suspended, and goes through a termination lifecycle hook', async () => {
    // Prepare
    t = hybrid({ lifecycleHooks: [{ LifecycleHookName: 'ship-logs', LifecycleTransition: 'autoscaling:EC2_INSTANCE_TERMINATING', HeartbeatTimeout: 300, DefaultResult: 'CONTINUE' }] });
    const { sim } = t;
    sim.world.router.call('autoscaling', 'SuspendProcesses', { AutoScalingGroupName: GROUP, ScalingProcesses: ['AlarmNotification'] });
    const mark = sim.world.router.calls.length;

    // Act
    const arn = sim.startRollover({ cluster: 'demo' });
    await sim.run();

    // Assess
    expect(sim.execution(arn).status).toBe('SUCCEEDED');
    expect(callsTo(sim, mark, 'SuspendProcesses').map((c) => (c.input as { ScalingProcesses: string[] }).ScalingProcesses)).toEqual([['ScheduledActions', 'AZRebalance']]);
    expect([...groupOf(sim).suspended.keys()]).toEqual(['AlarmNotification']);
    // The old instances sit in the hook (drained and empty) when the rollover reports success
    const waiting = [...groupOf(sim).instances.values()].filter((m) => m.lifecycleState === 'Terminating:Wait');
    expect(waiting).toHaveLength(2);
    expect(waiting.every((m) => sim.world.ec2.instances.get(m.id)!.imageId === OLD_AMI)).toBe(true);
    expect(sim.world.invariants.violations).toEqual([]);
  });

  it('rolls back a group whose new instances a launch lifecycle hook holds past the deadline: new ones terminated, group as it was', async () => {
    // Prepare: a launch hook nobody completes holds new instances in Pending:Wait for 2 h
    t = hybrid({ lifecycleHooks: [{ LifecycleHookName: 'bootstrap', LifecycleTransition: 'autoscaling:EC2_INSTANCE_LAUNCHING', HeartbeatTimeout: 7200, DefaultResult: 'CONTINUE' }] });
    const { sim } = t;
    const old = liveGroupInstances(sim).map((i) => i.id).sort();
    const versionsBefore = [...sim.world.ec2.launchTemplates.values()].find((lt) => lt.name === `${GROUP}-lt`)!.versions.map((v) => v.number);

    // Act
    const arn = sim.startRollover({ cluster: 'demo', replacementTimeoutSeconds: 900 });
    await sim.run();

    // Assess
    const execution = sim.execution(arn);
    expect(execution.error).toBe(ErrorNames.ReplacementFailed);
    expect(execution.cause).toMatch(/group demo-asg: 0\/2 new instances InService and ACTIVE in the cluster \(2 held by a launch lifecycle hook\)/);
    const g = groupOf(sim);
    expect({ desired: g.desiredCapacity, min: g.minSize, max: g.maxSize }).toEqual({ desired: 2, min: 1, max: 6 });
    expect(liveGroupInstances(sim).map((i) => i.id).sort()).toEqual(old);
    expect(template(sim).Version).toBe('$Latest');
    // The roll's version is gone: $Latest launches the old AMI again
    const lt = [...sim.world.ec2.launchTemplates.values()].find((x) => x.name === `${GROUP}-lt`)!;
    expect(lt.versions.map((v) => v.number)).toEqual(versionsBefore);
    expect([...g.suspended.keys()]).toEqual([]);
    expect(g.tags.find((x) => x.Key === ROLL_TAG)).toBeUndefined();
    expect(liveContainerInstances(sim).filter((ci) => ci.status === 'ACTIVE').every((ci) => ci.attributes['ecs.ami-id'] === OLD_AMI)).toBe(true);
    expect(sim.world.invariants.violations).toEqual([]);
  });

  it('after a drain timeout, drains the tasks back off the new group instances before terminating them', async () => {
    // Prepare: a standalone task that never ends blocks the drain
    t = hybrid({}, { spec: { standaloneTasks: [{ family: 'forever-batch', cpu: 128, memory: 128 }] } });
    const { sim } = t;
    const old = liveGroupInstances(sim).map((i) => i.id).sort();

    // Act
    const arn = sim.startRollover({ cluster: 'demo', drain: { timeoutSeconds: 900 } });
    await sim.run();

    // Assess
    const execution = sim.execution(arn);
    expect(execution.error).toBe(ErrorNames.DrainTimeout);
    const terminated = callsTo(sim, t.mark, 'TerminateInstanceInAutoScalingGroup').map((c) => (c.input as { InstanceId: string }).InstanceId);
    expect(terminated).toHaveLength(2);
    expect(terminated.some((id) => old.includes(id))).toBe(false);
    expect(liveGroupInstances(sim).map((i) => i.id).sort()).toEqual(old);
    expect({ desired: groupOf(sim).desiredCapacity, max: groupOf(sim).maxSize }).toEqual({ desired: 2, max: 6 });
    expect(liveContainerInstances(sim).filter((ci) => ci.status === 'ACTIVE').every((ci) => ci.attributes['ecs.ami-id'] === OLD_AMI)).toBe(true);
    for (const s of sim.world.ecs.cluster('demo').services.values()) expect(s.healthyCount).toBe(s.desiredCount);
    expect(sim.world.invariants.violations).toEqual([]);
  });

  it('puts the group back as it was when PrepareGroups fails after recording the roll and suspending its scaling', async () => {
    // Prepare: AWS refuses the group's update (after the template version, the tag and the suspension)
    t = hybrid();
    const { sim } = t;
    const old = liveGroupInstances(sim).map((i) => i.id).sort();
    const versionsBefore = [...sim.world.ec2.launchTemplates.values()].find((lt) => lt.name === `${GROUP}-lt`)!.versions.map((v) => v.number);
    let refused = 0;
    sim.world.router.intercept((_service, operation, input) => {
      if (operation === 'UpdateAutoScalingGroup' && (input as { DesiredCapacity?: number }).DesiredCapacity === 4 && refused++ === 0) {
        throw Object.assign(new Error('An instance type in the overrides is not supported in this Region'), { name: 'ValidationError', $fault: 'client' });
      }
    });

    // Act
    const arn = sim.startRollover({ cluster: 'demo' });
    await sim.run();

    // Assess: the rollover failed with AWS's error, and every trace of the roll on the group is gone
    const execution = sim.execution(arn);
    expect(execution.status).toBe('FAILED');
    expect(execution.error).toBe('ValidationError');
    expect(refused).toBe(1);
    const g = groupOf(sim);
    expect({ desired: g.desiredCapacity, min: g.minSize, max: g.maxSize }).toEqual({ desired: 2, min: 1, max: 6 });
    expect([...g.suspended.keys()]).toEqual([]);
    expect(g.tags.find((x) => x.Key === ROLL_TAG)).toBeUndefined();
    expect(template(sim).Version).toBe('$Latest');
    expect([...sim.world.ec2.launchTemplates.values()].find((x) => x.name === `${GROUP}-lt`)!.versions.map((v) => v.number)).toEqual(versionsBefore);
    expect(liveGroupInstances(sim).map((i) => i.id).sort()).toEqual(old);
    expect(callsTo(sim, t.mark, 'TerminateInstanceInAutoScalingGroup')).toEqual([]);
    // ...what it undid had been done
    expect(['CreateLaunchTemplateVersion', 'CreateOrUpdateTags', 'SuspendProcesses', 'DeleteLaunchTemplateVersions', 'ResumeProcesses', 'DeleteTags'].map((op) => callsTo(sim, t!.mark, op).length)).toEqual([1, 1, 1, 1, 1, 1]);
    expect(sim.world.invariants.violations).toEqual([]);
  });

  it.each([
    ['has Launch suspended', (sim: Simulation) => sim.world.router.call('autoscaling', 'SuspendProcesses', { AutoScalingGroupName: GROUP, ScalingProcesses: ['Launch'] }), /has Launch suspended/],
    [
      'carries the unfinished roll of another execution',
      (sim: Simulation) =>
        sim.world.router.call('autoscaling', 'CreateOrUpdateTags', { Tags: [{ ResourceId: GROUP, ResourceType: 'auto-scaling-group', Key: ROLL_TAG, Value: 'demo-old|lt-0123|7', PropagateAtLaunch: false }] }),
      /carries the unfinished rollover of execution demo-old/,
    ],
  ])('refuses, changing nothing, a group that %s (UnsupportedGroup)', async (_what, arrange, cause) => {
    // Prepare
    t = hybrid();
    const { sim } = t;
    arrange(sim);
    const mark = sim.world.router.calls.length;

    // Act
    const arn = sim.startRollover({ cluster: 'demo' });
    await sim.run();

    // Assess
    const execution = sim.execution(arn);
    expect(execution.error).toBe(ErrorNames.UnsupportedGroup);
    expect(execution.cause).toMatch(cause);
    expect(mutatingCalls(sim, mark).map((c) => `${c.service}:${c.operation}`)).toEqual(['sfn:StartExecution']);
  });
});

describe('State machine: ami-rollover of a cluster whose only capacity is an Auto Scaling group', () => {
  it('rolls the group — new instances protected from scale-in included — with no Spot Fleet call that changes anything', async () => {
    // Prepare: 3 × c5.xlarge in a group whose new instances are protected from scale-in, no Spot Fleet
    const { sim } = scaleGroupWorld({ instances: 3, webTasks: 7, outStep: 2, inStep: 2, maxSize: 6, newInstancesProtectedFromScaleIn: true });
    t = { sim, mark: 0 } as unknown as TestCluster;
    releaseNewAmi(sim.world);
    const mark = sim.world.router.calls.length;

    // Act
    const arn = sim.startRollover({ cluster: 'demo' });
    await sim.run();

    // Assess
    expect(sim.execution(arn).status).toBe('SUCCEEDED');
    const g = sim.world.autoscaling.groups.get(SCALE_GROUP)!;
    const live = sim.world.autoscaling.liveInstances(g);
    expect(live.map((m) => sim.world.ec2.instances.get(m.id)!.imageId)).toEqual([NEW_AMI, NEW_AMI, NEW_AMI]);
    expect(live.every((m) => m.protectedFromScaleIn)).toBe(true);
    expect({ desired: g.desiredCapacity, max: g.maxSize }).toEqual({ desired: 3, max: 6 });
    const changes = mutatingCalls(sim, mark).map((c) => `${c.service}:${c.operation}`);
    expect(changes.filter((c) => /SpotFleet/.test(c))).toEqual([]);
    expect(changes.filter((c) => c === 'autoscaling:TerminateInstanceInAutoScalingGroup')).toHaveLength(3);
    for (const s of sim.world.ecs.cluster('demo').services.values()) expect(s.healthyCount).toBe(s.desiredCount);
    expect(sim.world.invariants.violations).toEqual([]);
  });
});

describe('State machine: ami-rollover dry run of a hybrid cluster', () => {
  it('plans the group beside the fleet — sizes during the roll, processes it suspends, hooks — and changes nothing', async () => {
    // Prepare
    t = hybrid({ maxSize: 3, lifecycleHooks: [{ LifecycleHookName: 'bootstrap', LifecycleTransition: 'autoscaling:EC2_INSTANCE_LAUNCHING', HeartbeatTimeout: 60, DefaultResult: 'CONTINUE' }] });
    const { sim } = t;

    // Act
    const arn = sim.startRollover({ cluster: 'demo', dryRun: true });
    await sim.run();

    // Assess
    const plan = JSON.parse(sim.execution(arn).output!) as RolloverPlan;
    expect(plan.verdict).toBe('wouldRoll');
    expect(plan.summary).toMatch(/^Would replace 1 Spot Fleet\(s\) and roll 1 Auto Scaling group\(s\) of demo \(7 instance\(s\)\) onto ami-\w+/);
    expect(plan.groups).toEqual([
      expect.objectContaining({ groupName: GROUP, action: 'roll', instances: 2, desiredCapacity: 2, maxSize: 3, peakSize: 4, maxDuringRoll: 4, suspendsProcesses: ['AlarmNotification', 'ScheduledActions', 'AZRebalance'], lifecycleHooks: ['bootstrap (EC2_INSTANCE_LAUNCHING)'] }),
    ]);
    expect(plan.drain.instances).toBe(7);
    expect(plan.warnings).toEqual(expect.arrayContaining([expect.stringMatching(/max size 3 is raised to 4/), expect.stringMatching(/launch lifecycle hook\(s\) bootstrap/)]));
    expect(formatPlan(plan)).toContain('roll     demo-asg  2 instance(s), desired 2 (min 1, max 3)');
    expect(mutatingCalls(sim, t.mark).map((c) => `${c.service}:${c.operation}`)).toEqual(['sfn:StartExecution']);
  });
});

describe('Handlers: PrepareGroups and RetireOldFleets on a group, retried', () => {
  /** The execution's state once DiscoverFleets ran. */
  async function discovered(sim: Simulation): Promise<RolloverState> {
    useClients(sim.world.clients);
    const state = { request: { cluster: 'demo' }, execution: { id: 'arn:exec:retry', name: 'retry', startedAt: '' }, targetAmi: { imageId: NEW_AMI, source: 'input' } } as unknown as RolloverState;
    return { ...state, plan: await discoverFleets(state) };
  }

  it('PrepareGroups run twice creates one template version and asks for the same size', async () => {
    // Prepare
    t = hybrid();
    const { sim } = t;
    const state = await discovered(sim);
    useClients(sim.world.clients);
    const mark = sim.world.router.calls.length;

    // Act
    const first = await prepareGroups(state);
    const second = await prepareGroups(state);

    // Assess
    expect(first).toEqual({ groups: 1, newInstances: 2, maxRaised: 0 });
    expect(second).toEqual(first);
    expect(callsTo(sim, mark, 'CreateLaunchTemplateVersion')).toHaveLength(1);
    expect(callsTo(sim, mark, 'UpdateAutoScalingGroup').map((c) => (c.input as { DesiredCapacity: number }).DesiredCapacity)).toEqual([4, 4]);
    expect(groupOf(sim).tags.find((x) => x.Key === ROLL_TAG)?.Value).toMatch(/^retry\|lt-\w+\|2$/);
  });

  it('RetireOldFleets run twice terminates each old instance once and decrements the desired capacity once for each', async () => {
    // Prepare: the group prepared and grown, its new instances in service, the old ones drained
    t = hybrid();
    const { sim } = t;
    const state = await discovered(sim);
    useClients(sim.world.clients);
    const old = liveGroupInstances(sim).map((i) => i.id);
    await prepareGroups(state);
    sim.world.advance(600);
    const cluster = sim.world.ecs.cluster('demo');
    for (const ci of cluster.containerInstances.values()) if (old.includes(ci.instanceId)) sim.world.router.call('ecs', 'UpdateContainerInstancesState', { cluster: 'demo', containerInstances: [ci.arn], status: 'DRAINING' });
    sim.world.advance(600);
    const retiring: RolloverState = { ...state, plan: { ...state.plan!, replace: [] }, drain: { scope: 'old' } };
    const mark = sim.world.router.calls.length;

    // Act
    const first = await retireFleets(retiring);
    const second = await retireFleets(retiring);

    // Assess
    expect(first).toMatchObject({ status: 'retired', groups: [{ groupName: GROUP, terminated: 2 }] });
    expect(second).toMatchObject({ status: 'retired' });
    expect(second.groups).toBeUndefined();
    expect(callsTo(sim, mark, 'TerminateInstanceInAutoScalingGroup').map((c) => (c.input as { InstanceId: string }).InstanceId).sort()).toEqual([...old].sort());
    expect(groupOf(sim).desiredCapacity).toBe(2);
    expect(sim.world.invariants.violations).toEqual([]);
  });
});
