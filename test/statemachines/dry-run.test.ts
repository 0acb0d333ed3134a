import type { RolloverPlan } from '../../functions/rollover/planning';
import { NEW_AMI } from '../../sim/scenarios/cluster';
import { clusterOnOldAmi, fleetsOf, liveContainerInstances, mutatingCalls, type TestCluster } from '../support/simulation';

let t: TestCluster | undefined;

afterEach(() => {
  t?.sim.dispose();
  t = undefined;
});

function planOf(t: TestCluster, arn: string): RolloverPlan {
  const execution = t.sim.execution(arn);
  expect(execution.status).toBe('SUCCEEDED');
  return JSON.parse(execution.output!) as RolloverPlan;
}

describe('State machine: ami-rollover with dryRun', () => {
  it('returns the plan and makes no mutating call: no lock, no fleet, nothing drained', async () => {
    // Prepare
    t = clusterOnOldAmi();
    const { sim, built, mark } = t;
    const before = liveContainerInstances(sim).map((ci) => `${ci.arn}:${ci.status}`).sort();

    // Act
    const arn = sim.startRollover({ cluster: 'demo', dryRun: true });
    await sim.run();

    // Assess
    const plan = planOf(t, arn);
    expect(mutatingCalls(sim, mark).map((c) => `${c.service}:${c.operation}`)).toEqual(['sfn:StartExecution']);
    expect(sim.runner.visits.filter((v) => v.execution === arn).map((v) => v.state)).toEqual(['ValidateInput', 'ResolveTargetAmi', 'DiscoverFleets', 'RolloverNeeded', 'PlanRollover', 'DryRunPlanned']);
    expect(fleetsOf(sim)).toHaveLength(1);
    expect(liveContainerInstances(sim).map((ci) => `${ci.arn}:${ci.status}`).sort()).toEqual(before);
    expect(sim.world.ssm.parameters.has('/ecs-fleet-ops/sim/locks/demo')).toBe(false);
    expect(sim.world.sns.published).toEqual([]);

    const oldInstances = sim.world.ec2.instancesOfFleet(built.fleetId).filter((i) => i.state === 'running');
    const tasks = oldInstances.flatMap((i) => sim.world.ecs.liveTasksOn(i.id));
    expect(plan).toMatchObject({ dryRun: true, cluster: 'demo', verdict: 'wouldRoll', targetAmi: { imageId: NEW_AMI }, refusals: [] });
    expect(plan.fleets).toEqual([expect.objectContaining({ fleetId: built.fleetId, action: 'replace', targetCapacity: 6, instances: oldInstances.length })]);
    expect(plan.fleets[0].launchOptions.map((o) => `${o.instanceType}×${o.weight}`)).toEqual(['c5.xlarge×2', 'm5.large×1', 'm5.xlarge×2']);
    for (const s of plan.services) expect(s.tasksToMove).toBe(tasks.filter((task) => task.group === `service:${s.name}`).length);
    expect(plan.drain.standaloneTasks).toEqual([{ group: 'family:nightly-report', count: 1 }]);
    expect(plan.capacity.verdict).toBe('fits');
    expect(plan.targetGroups).toEqual([expect.objectContaining({ name: 'demo-web', healthySeconds: 30, deregistrationDelaySeconds: 60 })]);
    expect(plan.warnings).toEqual([expect.stringContaining('standalone task(s) (family:nightly-report)')]);
  });

  it('expects about the duration the rollover then takes', async () => {
    // Prepare
    t = clusterOnOldAmi({ spec: { standaloneTasks: [] } });
    const { sim } = t;
    const dryRun = sim.startRollover({ cluster: 'demo', dryRun: true });
    await sim.run();
    const expected = planOf(t, dryRun).duration.expectedSeconds;

    // Act
    const arn = sim.startRollover({ cluster: 'demo' });
    await sim.run();

    // Assess
    const execution = sim.execution(arn);
    const actual = (execution.stopDate! - execution.startDate) / 1000;
    expect(execution.status).toBe('SUCCEEDED');
    expect(expected).toBeGreaterThan(actual * 0.75);
    expect(expected).toBeLessThan(actual * 1.25);
  });

  it('names the running rollover that would refuse it, and disturbs nothing', async () => {
    // Prepare
    t = clusterOnOldAmi();
    const { sim } = t;
    const first = sim.startRollover({ cluster: 'demo' }, 'first');
    await sim.runner.advance(120);

    // Act
    const dryRun = sim.startRollover({ cluster: 'demo', dryRun: true }, 'plan-while-rolling');
    await sim.run();

    // Assess
    const plan = planOf(t, dryRun);
    expect(plan.verdict).toBe('wouldBeRefused');
    expect(plan.refusals).toEqual([expect.objectContaining({ error: 'RolloverInProgress', at: 'AcquireLock', reason: expect.stringContaining(':first') })]);
    expect(sim.execution(first).status).toBe('SUCCEEDED');
    expect(sim.world.invariants.violations).toEqual([]);
  });

  it('finds a service whose deployment configuration would keep the drain from ever progressing', async () => {
    // Prepare: both percentages at 100 — ECS may neither stop a task first nor start one more.
    t = clusterOnOldAmi({ spec: { services: [{ name: 'stuck', desiredCount: 2, cpu: 256, memory: 256, minimumHealthyPercent: 100, maximumPercent: 100 }], standaloneTasks: [] } });
    const { sim, mark } = t;

    // Act
    const arn = sim.startRollover({ cluster: 'demo', dryRun: true });
    await sim.run();

    // Assess
    const plan = planOf(t, arn);
    expect(plan.verdict).toBe('wouldBeRefused');
    expect(plan.refusals).toEqual([expect.objectContaining({ error: 'DrainTimeout', at: 'CheckOldDrain' })]);
    expect(mutatingCalls(sim, mark).map((c) => c.operation)).toEqual(['StartExecution']);
  });

  it('says there is nothing to do when the fleets already run the AMI', async () => {
    // Prepare
    t = clusterOnOldAmi();
    const { sim } = t;
    sim.startRollover({ cluster: 'demo' });
    await sim.run();
    const mark = sim.world.router.calls.length;

    // Act
    const arn = sim.startRollover({ cluster: 'demo', dryRun: true }, 'plan-after');
    await sim.run();

    // Assess
    const plan = planOf(t, arn);
    expect(plan.verdict).toBe('nothingToDo');
    expect(plan.fleets.every((f) => f.action === 'keep')).toBe(true);
    expect(mutatingCalls(sim, mark).map((c) => c.operation)).toEqual(['StartExecution']);
  });

  it('ends as Refused, like the rollover would, when the AMI does not exist', async () => {
    // Prepare
    t = clusterOnOldAmi();
    const { sim, mark } = t;

    // Act
    const arn = sim.startRollover({ cluster: 'demo', dryRun: true, amiId: 'ami-0123456789abcdef0' });
    await sim.run();

    // Assess
    const execution = sim.execution(arn);
    expect(execution.status).toBe('FAILED');
    expect(execution.error).toBe('NotFound');
    expect(mutatingCalls(sim, mark).map((c) => c.operation)).toEqual(['StartExecution']);
  });
});
