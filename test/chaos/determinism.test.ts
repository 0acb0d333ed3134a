import { chaosRun } from '../../sim/chaos/run';

describe('Chaos: a seeded run', () => {
  it('is reproducible: the same seed injects the same faults and ends the same way', async () => {
    // Act
    const first = await chaosRun(42);
    const again = await chaosRun(42);

    // Assess
    expect(again).toEqual(first);
    expect(Object.values(first.faults).reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
  });

  it('finds a broken safety rule: a scenario that terminates a busy instance is reported', async () => {
    // Prepare: seed 3 injects faults and runs a rollover; sabotage it by killing a busy old instance outside any workflow.
    const { Simulation } = await import('../../sim/harness');
    const { baseAccount, buildCluster, defaultClusterSpec } = await import('../../sim/scenarios/cluster');
    const sim = new Simulation({ seed: 3 });
    baseAccount(sim.world);
    const built = buildCluster(sim.world, defaultClusterSpec());
    const busy = sim.world.ec2.instancesOfFleet(built.fleetId).find((i) => sim.world.ecs.liveTasksOn(i.id).length > 0)!;

    // Act
    sim.world.router.call('ec2', 'TerminateInstances', { InstanceIds: [busy.id] });
    sim.dispose();

    // Assess
    expect(sim.world.invariants.violations.map((v) => v.kind)).toContain('instance-terminated-with-tasks');
  });
});
