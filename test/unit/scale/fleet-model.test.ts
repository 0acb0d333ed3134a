import { scaleWorld, type ScaleWorld } from '../../../sim/scenarios/scale';
import { errorOf } from '../sim/helpers';

/**
 * The parts of the simulated Spot Fleet the scaling workflow relies on, and whose kindness would
 * hide a bug: what lowering the target capacity does under each ExcessCapacityTerminationPolicy.
 */

let t: ScaleWorld | undefined;

afterEach(() => {
  t?.sim.dispose();
  t = undefined;
});

/** 4 × c5.xlarge (8 units) running 6 web tasks and 2 workers: any one instance can be drained. */
function cluster(): ScaleWorld {
  return scaleWorld({ seed: 6, units: 8, webTasks: 6, outStep: 2, inStep: 2, maxCapacity: 12 });
}

const modify = (s: ScaleWorld, input: Record<string, unknown>) => s.sim.world.router.call('ec2', 'ModifySpotFleetRequest', { SpotFleetRequestId: s.built.fleetId, ...input });
const live = (s: ScaleWorld) => s.sim.world.ec2.instancesOfFleet(s.built.fleetId).filter((i) => i.state === 'running' || i.state === 'pending');

describe('Simulator: ModifySpotFleetRequest', () => {
  it('lets the fleet terminate instances of its own choosing, tasks or not, under the default policy', () => {
    // Prepare
    t = cluster();

    // Act
    modify(t, { TargetCapacity: 4 });
    t.sim.world.advance(120);

    // Assess
    expect(live(t)).toHaveLength(2);
    expect(t.sim.world.invariants.violations.map((v) => v.kind)).toContain('instance-terminated-with-tasks');
  });

  it('terminates nothing with noTermination, and does not replace an instance terminated while the fleet holds its target', () => {
    // Prepare
    t = cluster();
    const victim = live(t)[0];

    // Act
    modify(t, { TargetCapacity: 6, ExcessCapacityTerminationPolicy: 'noTermination' });
    t.sim.world.advance(60);
    const afterModify = live(t).length;
    t.sim.world.router.call('ecs', 'UpdateContainerInstancesState', { cluster: 'demo', containerInstances: [t.sim.world.ecs.containerInstanceOf(victim.id)!.arn], status: 'DRAINING' });
    t.sim.world.advance(600);
    t.sim.world.router.call('ec2', 'TerminateInstances', { InstanceIds: [victim.id] });
    t.sim.world.advance(600);

    // Assess
    expect(afterModify).toBe(4);
    expect(live(t)).toHaveLength(3);
    expect(t.sim.world.ec2.fleets.get(t.built.fleetId)!.config.ExcessCapacityTerminationPolicy).toBe('noTermination');
    expect(t.sim.world.invariants.violations).toEqual([]);
  });

  it('replaces an instance terminated without lowering the target first', () => {
    // Prepare
    t = cluster();
    const victim = live(t)[0];
    t.sim.world.router.call('ecs', 'UpdateContainerInstancesState', { cluster: 'demo', containerInstances: [t.sim.world.ecs.containerInstanceOf(victim.id)!.arn], status: 'DRAINING' });
    t.sim.world.advance(600);

    // Act
    t.sim.world.router.call('ec2', 'TerminateInstances', { InstanceIds: [victim.id] });
    t.sim.world.advance(300);

    // Assess
    expect(live(t)).toHaveLength(4);
    expect(live(t).some((i) => i.id === victim.id)).toBe(false);
  });

  it('is refused for a negative target or an unknown termination policy, and while the fleet is modifying', () => {
    // Prepare
    t = cluster();

    // Act
    const negative = errorOf(t.sim.world, 'ec2', 'ModifySpotFleetRequest', { SpotFleetRequestId: t.built.fleetId, TargetCapacity: -1 });
    const policy = errorOf(t.sim.world, 'ec2', 'ModifySpotFleetRequest', { SpotFleetRequestId: t.built.fleetId, ExcessCapacityTerminationPolicy: 'terminateOldest' });
    modify(t, { TargetCapacity: 10 });
    const busy = errorOf(t.sim.world, 'ec2', 'ModifySpotFleetRequest', { SpotFleetRequestId: t.built.fleetId, TargetCapacity: 12 });

    // Assess
    expect([negative.name, policy.name, busy.name]).toEqual(['InvalidParameterValue', 'InvalidParameterValue', 'InvalidSpotFleetRequestConfig']);
    expect(t.sim.world.ec2.fleets.get(t.built.fleetId)!.config.TargetCapacity).toBe(10);
  });
});

describe('Simulator: DescribeInstanceTypes', () => {
  it('describes vCPUs and memory of known types, and refuses unknown ones', () => {
    // Prepare
    t = cluster();

    // Act
    const known = t.sim.world.router.call('ec2', 'DescribeInstanceTypes', { InstanceTypes: ['c5.xlarge'] });
    const unknown = errorOf(t.sim.world, 'ec2', 'DescribeInstanceTypes', { InstanceTypes: ['x9.huge'] });

    // Assess
    expect(known).toEqual({ InstanceTypes: [{ InstanceType: 'c5.xlarge', VCpuInfo: { DefaultVCpus: 4 }, MemoryInfo: { SizeInMiB: 8192 } }] });
    expect(unknown.name).toBe('InvalidInstanceType');
  });
});
