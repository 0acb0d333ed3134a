import { ErrorNames } from '../../functions/lib/errors';
import type { Simulation } from '../../sim/harness';
import type { CallRecord } from '../../sim/router';
import { addAutoScalingGroup } from '../../sim/scenarios/cluster';
import { SCALE_GROUP, runScaleInGroupScenario, runScaleOutGroupScenario, scaleGroupWorld, scaleWorld } from '../../sim/scenarios/scale';
import { mutatingCalls } from '../support/simulation';

let sim: Simulation | undefined;

afterEach(() => {
  sim?.dispose();
  sim = undefined;
});

/** A full cluster on group demo-asg: 2 × c5.xlarge (4 web tasks each) running 7 web tasks and 2 workers. */
function fullGroupCluster(overrides: Partial<Parameters<typeof scaleGroupWorld>[0]> = {}) {
  const world = scaleGroupWorld({ seed: 4, instances: 2, webTasks: 7, outStep: 4, inStep: 2, maxSize: 6, ...overrides });
  sim = world.sim;
  return world;
}

/** A cluster with room to spare on group demo-asg: 4 × c5.xlarge running 12 web tasks and 2 workers, no headroom kept. */
function roomyGroupCluster(overrides: Partial<Parameters<typeof scaleGroupWorld>[0]> = {}) {
  const world = scaleGroupWorld({ seed: 4, instances: 4, webTasks: 12, outStep: 2, inStep: 6, maxSize: 6, headroomInstances: 0, ...overrides });
  sim = world.sim;
  return world;
}

const group = (s: Simulation) => s.world.autoscaling.groups.get(SCALE_GROUP)!;
const web = (s: Simulation) => s.world.ecs.cluster('demo').services.get('web')!;
const outputOf = (s: Simulation, arn: string) => JSON.parse(s.execution(arn).output!);
const callsAfter = (s: Simulation, since: number, operation: string): CallRecord[] => s.world.router.calls.slice(since).filter((c) => c.operation === operation && !c.error);
/** Mutating calls to the services that hold capacity and tasks (the lock's SSM parameter aside). */
const capacityChanges = (s: Simulation, since: number) => mutatingCalls(s, since).filter((c) => ['autoscaling', 'ec2', 'ecs', 'elbv2'].includes(c.service)).map((c) => `${c.service}:${c.operation}`);

function startScaling(s: Simulation, input: Record<string, unknown>, name?: string): string {
  return s.runner.start(s.arns.scaleService, { cluster: 'demo', service: 'web', min: 2, max: 40, ...input }, name);
}

describe('State machine: scale-service (Auto Scaling group)', () => {
  describe('Scale-out', () => {
    it("raises the group's desired capacity by the instances needed, waits until they are InService and ACTIVE, then adds the tasks", async () => {
      // Prepare
      fullGroupCluster();
      const s = sim!;
      const since = s.world.router.calls.length;
      const atUpdate: { inService: number; active: number }[] = [];
      s.world.router.intercept((_service, operation) => {
        if (operation !== 'UpdateService') return;
        const inService = [...group(s).instances.values()].filter((m) => m.lifecycleState === 'InService').length;
        const active = [...s.world.ecs.cluster('demo').containerInstances.values()].filter((ci) => ci.status === 'ACTIVE' && ci.agentConnected).length;
        atUpdate.push({ inService, active });
      });

      // Act
      const arn = startScaling(s, { direction: 'out', step: 4 });
      await s.run();
      s.world.advance(120);

      // Assess
      expect(s.execution(arn).status).toBe('SUCCEEDED');
      expect(callsAfter(s, since, 'SetDesiredCapacity').map((c) => c.input)).toEqual([{ AutoScalingGroupName: SCALE_GROUP, DesiredCapacity: 3, HonorCooldown: false }]);
      expect(callsAfter(s, since, 'UpdateAutoScalingGroup')).toEqual([]);
      expect(atUpdate).toEqual([{ inService: 3, active: 3 }]);
      expect(group(s).desiredCapacity).toBe(3);
      expect(group(s).maxSize).toBe(6);
      expect(web(s).desiredCount).toBe(11);
      expect(web(s).healthyCount).toBe(11);
      expect(outputOf(s, arn).outcome).toMatchObject({ outcome: 'scaled', fromCount: 7, toCount: 11, group: { groupName: SCALE_GROUP, fromDesired: 2, toDesired: 3 } });
      expect(outputOf(s, arn).outcome).not.toHaveProperty('fleet');
      expect(s.world.invariants.violations).toEqual([]);
      expect(s.world.ssm.parameters.has('/ecs-fleet-ops/sim/locks/demo.scale.web')).toBe(false);
    });

    it("scales as far as the group's max size allows, says so, and never raises the max", async () => {
      // Prepare: 8 more tasks need 2 more instances; max size 3 allows 1
      fullGroupCluster({ maxSize: 3 });
      const s = sim!;
      const since = s.world.router.calls.length;

      // Act
      const arn = startScaling(s, { direction: 'out', step: 8 });
      await s.run();

      // Assess
      const output = outputOf(s, arn);
      expect(output.outcome).toMatchObject({ outcome: 'scaled', fromCount: 7, toCount: 11, group: { fromDesired: 2, toDesired: 3 } });
      expect(output.plan.message).toContain("capped by the group's max size of 3 instances");
      expect(group(s).desiredCapacity).toBe(3);
      expect(group(s).maxSize).toBe(3);
      expect(callsAfter(s, since, 'UpdateAutoScalingGroup')).toEqual([]);
      expect(s.world.invariants.violations).toEqual([]);
    });

    it('changes nothing when the group is at its max size and the cluster is full', async () => {
      // Prepare
      fullGroupCluster({ maxSize: 2 });
      const s = sim!;
      const since = s.world.router.calls.length;

      // Act
      const arn = startScaling(s, { direction: 'out', step: 2 });
      await s.run();

      // Assess
      expect(outputOf(s, arn).outcome).toMatchObject({ outcome: 'noChange', message: expect.stringContaining('Auto Scaling group demo-asg is at its max size of 2 instances') });
      expect(capacityChanges(s, since)).toEqual([]);
    });

    it('refuses to grow a group whose Launch process is suspended (UnsupportedGroup), having changed nothing', async () => {
      // Prepare
      fullGroupCluster();
      const s = sim!;
      s.world.router.call('autoscaling', 'SuspendProcesses', { AutoScalingGroupName: SCALE_GROUP, ScalingProcesses: ['Launch'] });
      const since = s.world.router.calls.length;

      // Act
      const arn = startScaling(s, { direction: 'out', step: 4 });
      await s.run();

      // Assess
      const execution = s.execution(arn);
      expect(execution.status).toBe('FAILED');
      expect(execution.error).toBe(ErrorNames.UnsupportedGroup);
      expect(execution.cause).toMatch(/demo-asg has its Launch process suspended/);
      expect(capacityChanges(s, since)).toEqual([]);
      expect(group(s).desiredCapacity).toBe(2);
      expect(web(s).desiredCount).toBe(7);
    });
  });

  describe('Scale-in', () => {
    it('drains the spare instances, then terminates exactly them with the desired capacity decremented; no task killed', async () => {
      // Prepare
      roomyGroupCluster();
      const s = sim!;
      const since = s.world.router.calls.length;
      const atTerminate: { id: string; decrement: boolean; status?: string; tasks: number }[] = [];
      s.world.router.intercept((_service, operation, input) => {
        if (operation !== 'TerminateInstanceInAutoScalingGroup') return;
        const { InstanceId: id, ShouldDecrementDesiredCapacity: decrement } = input as { InstanceId: string; ShouldDecrementDesiredCapacity: boolean };
        const ci = [...s.world.ecs.cluster('demo').containerInstances.values()].find((c) => c.instanceId === id);
        atTerminate.push({ id, decrement, status: ci?.status, tasks: s.world.ecs.liveTasksOn(id).length });
      });

      // Act
      const arn = startScaling(s, { direction: 'in', step: 6 });
      await s.run();
      s.world.advance(600);

      // Assess
      expect(s.execution(arn).status).toBe('SUCCEEDED');
      const output = outputOf(s, arn);
      const spare = (output.shrink.instances as { instanceId: string }[]).map((i) => i.instanceId).sort();
      expect(spare).toHaveLength(2);
      expect(atTerminate.map((t) => t.id).sort()).toEqual(spare);
      expect(atTerminate.every((t) => t.decrement && t.status === 'DRAINING' && t.tasks === 0)).toBe(true);
      expect(callsAfter(s, since, 'SetDesiredCapacity')).toEqual([]);
      expect(callsAfter(s, since, 'UpdateAutoScalingGroup')).toEqual([]);
      expect(group(s).desiredCapacity).toBe(2);
      // Nothing relaunched, nothing else terminated: the group holds exactly its desired capacity ten minutes on.
      const live = s.world.autoscaling.liveInstances(group(s)).map((m) => m.id);
      expect(live).toHaveLength(2);
      expect(live.some((id) => spare.includes(id))).toBe(false);
      expect(output.outcome).toMatchObject({ outcome: 'scaled', toCount: 6, group: { groupName: SCALE_GROUP, fromDesired: 4, toDesired: 2 }, terminatedInstances: expect.arrayContaining(spare) });
      expect(web(s).healthyCount).toBe(6);
      expect(s.world.invariants.tasksKilled).toBe(0);
      expect(s.world.invariants.violations).toEqual([]);
      s.world.invariants.checkNothingDraining('demo');
      expect(s.world.invariants.violations).toEqual([]);
    });

    it("keeps the group's MinSize: plans fewer spare instances and says so", async () => {
      // Prepare: 2 instances would be spare; MinSize 3 lets 1 go
      roomyGroupCluster({ minSize: 3 });
      const s = sim!;
      const since = s.world.router.calls.length;

      // Act
      const arn = startScaling(s, { direction: 'in', step: 6 });
      await s.run();

      // Assess
      const output = outputOf(s, arn);
      expect(s.execution(arn).status).toBe('SUCCEEDED');
      expect(output.shrink.instances).toHaveLength(1);
      expect(output.shrink.message).toContain('1 more would be spare, but group demo-asg keeps its MinSize of 3');
      expect(callsAfter(s, since, 'TerminateInstanceInAutoScalingGroup')).toHaveLength(1);
      expect(group(s).desiredCapacity).toBe(3);
      expect(s.world.invariants.violations).toEqual([]);
    });

    it('terminates drained instances protected from scale-in too (the call names them), and says so', async () => {
      // Prepare
      roomyGroupCluster({ newInstancesProtectedFromScaleIn: true });
      const s = sim!;

      // Act
      const arn = startScaling(s, { direction: 'in', step: 6 });
      await s.run();

      // Assess
      const output = outputOf(s, arn);
      expect(output.shrink.message).toContain('2 of them protected from scale-in');
      expect(output.outcome.terminatedInstances).toHaveLength(2);
      expect(group(s).desiredCapacity).toBe(2);
      expect(s.world.invariants.tasksKilled).toBe(0);
    });

    it('refuses to shrink a group whose Terminate process is suspended (UnsupportedGroup), having changed nothing', async () => {
      // Prepare
      roomyGroupCluster();
      const s = sim!;
      s.world.router.call('autoscaling', 'SuspendProcesses', { AutoScalingGroupName: SCALE_GROUP, ScalingProcesses: ['Terminate'] });
      const since = s.world.router.calls.length;

      // Act
      const arn = startScaling(s, { direction: 'in', step: 6 });
      await s.run();

      // Assess
      const execution = s.execution(arn);
      expect(execution.status).toBe('FAILED');
      expect(execution.error).toBe(ErrorNames.UnsupportedGroup);
      expect(execution.cause).toMatch(/demo-asg has its Terminate process suspended.*not scaled in; nothing changed/);
      expect(capacityChanges(s, since)).toEqual([]);
      expect(web(s).desiredCount).toBe(12);
      expect(group(s).desiredCapacity).toBe(4);
      expect(s.world.ssm.parameters.has('/ecs-fleet-ops/sim/locks/demo.scale.web')).toBe(false);
    });
  });

  describe('Hybrid cluster (a Spot Fleet and an Auto Scaling group)', () => {
    /** The fleet cluster of the scale scenarios with a group of 2 c5.xlarge beside its fleet. */
    function hybridCluster(scaleFleets?: Record<string, unknown>) {
      const world = scaleWorld({ seed: 4, units: 8, webTasks: 12, outStep: 4, inStep: 6, maxCapacity: 12, headroomInstances: 0 });
      sim = world.sim;
      addAutoScalingGroup(world.sim.world, { cluster: 'demo', name: SCALE_GROUP, minSize: 1, maxSize: 4, desiredCapacity: 2, instanceTypes: ['c5.xlarge'] });
      if (scaleFleets) world.sim.setEnv({ SCALE_FLEETS: JSON.stringify([{ cluster: 'demo', ...scaleFleets }]) });
      return world;
    }

    it.each([['in'], ['out']])('refuses a scale-%s with no source named (UnsupportedFleet, what to configure), having changed nothing', async (direction) => {
      // Prepare: scale-out needs capacity (step 16), scale-in has spare instances
      const { built } = hybridCluster();
      const s = sim!;
      const since = s.world.router.calls.length;

      // Act
      const arn = startScaling(s, { direction, step: direction === 'out' ? 16 : 6 });
      await s.run();

      // Assess
      const execution = s.execution(arn);
      expect(execution.status).toBe('FAILED');
      expect(execution.error).toBe(ErrorNames.UnsupportedFleet);
      expect(execution.cause).toContain(`capacity from 2 sources (Spot Fleet ${built.fleetId}, Auto Scaling group ${SCALE_GROUP})`);
      expect(execution.cause).toContain('name the one to scale with fleetId or groupName in its scaleFleets entry');
      expect(capacityChanges(s, since)).toEqual([]);
      expect(web(s).desiredCount).toBe(12);
    });

    it('grows the group the configuration names, and leaves the fleet alone', async () => {
      // Prepare
      const { built } = hybridCluster({ groupName: SCALE_GROUP, minCapacity: 1, maxCapacity: 4 });
      const s = sim!;
      const since = s.world.router.calls.length;

      // Act: room for 11 more tasks, 5 need 2 more instances
      const arn = startScaling(s, { direction: 'out', step: 16 });
      await s.run();

      // Assess
      expect(s.execution(arn).status).toBe('SUCCEEDED');
      expect(outputOf(s, arn).outcome).toMatchObject({ outcome: 'scaled', fromCount: 12, toCount: 28, group: { groupName: SCALE_GROUP, fromDesired: 2, toDesired: 4 } });
      expect(group(s).desiredCapacity).toBe(4);
      expect(callsAfter(s, since, 'ModifySpotFleetRequest')).toEqual([]);
      expect(s.world.ec2.fleets.get(built.fleetId)!.config.TargetCapacity).toBe(8);
      expect(s.world.invariants.violations).toEqual([]);
    });
  });

  describe('Scenarios', () => {
    it('scale-out-asg: the group grows by one instance before web gets its 4 extra tasks, no invariant broken', async () => {
      // Act
      const { summary } = await runScaleOutGroupScenario({ seed: 2 });

      // Assess
      expect(summary.ok).toBe(true);
      expect(summary.apiCalls['autoscaling:SetDesiredCapacity']).toBe(1);
      expect(summary.apiCalls['autoscaling:UpdateAutoScalingGroup']).toBeUndefined();
      expect(summary.violations).toEqual([]);
      expect(summary.notes).toContain('tasks killed: 0');
    });

    it('scale-in-asg: the drained spare instances terminated by name, zero tasks killed', async () => {
      // Act
      const { summary } = await runScaleInGroupScenario({ seed: 2 });

      // Assess
      expect(summary.ok).toBe(true);
      expect(summary.apiCalls['autoscaling:TerminateInstanceInAutoScalingGroup']).toBe(2);
      expect(summary.apiCalls['autoscaling:SetDesiredCapacity']).toBeUndefined();
      expect(summary.violations).toEqual([]);
      expect(summary.notes).toContain('tasks killed: 0');
    });
  });
});
