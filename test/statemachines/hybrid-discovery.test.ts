import { formatPlan } from '../../cli/plan-format';
import { useClients } from '../../functions/lib/clients';
import type { RolloverPlan } from '../../functions/rollover/planning';
import { ErrorNames } from '../../functions/lib/errors';
import { handler as discoverFleets } from '../../functions/rollover/discover-fleets';
import type { RolloverState } from '../../functions/rollover/state';
import { RAISE_MAX_TAG } from '../../functions/rollover/group-plan';
import { addAutoScalingGroup, NEW_AMI, type GroupSpec } from '../../sim/scenarios/cluster';
import { runHybridRolloverScenario } from '../../sim/scenarios/hybrid';
import { clusterOnOldAmi, fleetsOf, mutatingCalls, type TestCluster } from '../support/simulation';

let t: TestCluster | undefined;

afterEach(() => {
  useClients(undefined);
  t?.sim.dispose();
  t = undefined;
});

/** The default cluster with an Auto Scaling group beside its Spot Fleet (the mark moved past the group's setup). */
function hybrid(group: Partial<GroupSpec> = {}): TestCluster {
  const c = clusterOnOldAmi();
  addAutoScalingGroup(c.sim.world, { cluster: 'demo', name: 'demo-asg', minSize: 1, maxSize: 6, desiredCapacity: 2, instanceTypes: ['m5.large', 'm6i.large'], ...group });
  return { ...c, mark: c.sim.world.router.calls.length };
}

describe('State machine: ami-rollover (Auto Scaling group discovery)', () => {
  it('finds the cluster\'s Auto Scaling group beside its Spot Fleet and plans it', async () => {
    // Prepare
    t = hybrid({ lifecycleHooks: [{ LifecycleHookName: 'drain-first', LifecycleTransition: 'autoscaling:EC2_INSTANCE_TERMINATING', HeartbeatTimeout: 300, DefaultResult: 'CONTINUE' }] });
    const { sim } = t;

    useClients(sim.world.clients);
    const state = { request: { cluster: 'demo' }, execution: { id: 'x', name: 'x', startedAt: '' }, targetAmi: { imageId: NEW_AMI, source: 'input' } } as unknown as RolloverState;

    // Act
    const plan = await discoverFleets(state);

    // Assess
    const output = { plan };
    expect(output.plan.groups).toEqual([
      expect.objectContaining({ groupName: 'demo-asg', instances: 2, desiredCapacity: 2, maxSize: 6, peakSize: 4, raisesMax: false, usesLaunchTemplate: true, current: false, lifecycleHooks: ['drain-first (EC2_INSTANCE_TERMINATING)'] }),
    ]);
    expect(output.plan.replaceGroups).toEqual(['demo-asg']);
    expect(output.plan.otherInstances).toBe(0);
    expect(mutatingCalls(sim, t.mark)).toEqual([]);
  });

  it.each([
    ['launches from a launch configuration', { launchConfiguration: true }, /launch configuration demo-asg-lc: a rollover needs a launch template/],
    ['would exceed a max it may not raise', { maxSize: 3, tags: [{ Key: RAISE_MAX_TAG, Value: 'false' }] }, /would need 4 instances .* above its max size 3/],
  ])('refuses, changing nothing, a group that %s (UnsupportedGroup)', async (_what, group, cause) => {
    // Prepare
    t = hybrid(group);
    const { sim } = t;

    // Act
    const arn = sim.startRollover({ cluster: 'demo' });
    await sim.run();

    // Assess
    const execution = sim.execution(arn);
    expect(execution.status).toBe('FAILED');
    expect(execution.error).toBe(ErrorNames.UnsupportedGroup);
    expect(execution.cause).toMatch(cause);
    expect(mutatingCalls(sim, t.mark).map((c) => `${c.service}:${c.operation}`)).toEqual(['sfn:StartExecution']);
    expect(fleetsOf(sim)).toHaveLength(1);
  });

  it.each([
    ['launches from a launch configuration', { launchConfiguration: true }, /launch configuration demo-asg-lc/],
    ['would exceed a max it may not raise', { maxSize: 3, tags: [{ Key: RAISE_MAX_TAG, Value: 'false' }] }, /above its max size 3/],
  ])('says in a dry run\'s plan that a rollover would stop at a group that %s', async (_what, group, cause) => {
    // Prepare
    t = hybrid(group);
    const { sim } = t;

    // Act
    const arn = sim.startRollover({ cluster: 'demo', dryRun: true });
    await sim.run();

    // Assess
    const execution = sim.execution(arn);
    expect(execution.status).toBe('SUCCEEDED');
    const plan = JSON.parse(execution.output!) as RolloverPlan;
    expect(plan.verdict).toBe('wouldBeRefused');
    expect(plan.refusals).toEqual([{ error: ErrorNames.UnsupportedGroup, at: 'DiscoverFleets', reason: expect.stringMatching(cause) }]);
    expect(formatPlan(plan)).toMatch(/REFUSED: Auto Scaling group demo-asg/);
    expect(mutatingCalls(sim, t.mark).map((c) => `${c.service}:${c.operation}`)).toEqual(['sfn:StartExecution']);
  });
});

describe('Scenario: hybrid-rollover', () => {
  it('rolls the whole cluster — fleet and group — with the fleet\'s scaling registrations carried over and the group back to its shape', async () => {
    // Act
    const { summary } = await runHybridRolloverScenario({ seed: 3 });

    // Assess
    expect(summary.ok).toBe(true);
    expect(summary.violations).toEqual([]);
    expect(summary.notes?.[1]).toBe('scaling carried over: target 2..12, 2 policies, 1 scheduled actions; left on the retired fleet: 0 target, 0 policies');
    expect(summary.notes?.[2]).toMatch(/^Auto Scaling group half: 3\/3 instances on ami-\w+; group before (desired 3 min 1 max 4, suspended: none, roll tag: none, template lt-\w+:\$Latest), after \1$/);
    expect(summary.notes?.[3]).toMatch(/^cluster: 6\/6 ACTIVE container instances on ami-\w+/);
  });
});
