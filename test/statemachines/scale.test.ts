import { releaseNewAmi } from '../../sim/scenarios/cluster';
import { SCALE_IN_ALARM, SCALE_OUT_ALARM, eventBridgeAlarmEvent, runScaleInScenario, runScaleOutScenario, scaleWorld, snsAlarmEvent, type ScaleWorld } from '../../sim/scenarios/scale';
import type { CallRecord } from '../../sim/router';

let t: ScaleWorld | undefined;

afterEach(() => {
  t?.sim.dispose();
  t = undefined;
});

/** A full cluster: 2 × c5.xlarge (4 units) running 7 web tasks and 2 workers, no room for another web task. */
function fullCluster(overrides: Partial<Parameters<typeof scaleWorld>[0]> = {}): ScaleWorld {
  return scaleWorld({ seed: 4, units: 4, webTasks: 7, outStep: 4, inStep: 2, maxCapacity: 12, ...overrides });
}

/** A cluster with room to spare: 4 × c5.xlarge (8 units) running 12 web tasks and 2 workers. */
function roomyCluster(overrides: Partial<Parameters<typeof scaleWorld>[0]> = {}): ScaleWorld {
  return scaleWorld({ seed: 4, units: 8, webTasks: 12, outStep: 2, inStep: 6, maxCapacity: 12, headroomInstances: 0, ...overrides });
}

const web = (s: ScaleWorld) => s.sim.world.ecs.cluster('demo').services.get('web')!;
const fleet = (s: ScaleWorld) => s.sim.world.ec2.fleets.get(s.built.fleetId)!;
const scaleExecutions = (s: ScaleWorld) => [...s.sim.world.sfn.executions.values()].filter((e) => e.stateMachineArn === s.sim.arns.scaleService);
const outcomeOf = (s: ScaleWorld, arn: string) => JSON.parse(s.sim.execution(arn).output!).outcome;
const callsAfter = (s: ScaleWorld, since: number, operation: string): CallRecord[] => s.sim.world.router.calls.slice(since).filter((c) => c.operation === operation && !c.error);

/** Starts the scale-service state machine as a console user would. */
function startScaling(s: ScaleWorld, input: Record<string, unknown>, name?: string): string {
  return s.sim.runner.start(s.sim.arns.scaleService, { cluster: 'demo', service: 'web', min: 2, max: 40, ...input }, name);
}

describe('State machine: scale-service', () => {
  describe('Scale-out', () => {
    it('grows the fleet in weighted units, waits for the new instance to be ACTIVE, then adds the tasks', async () => {
      // Prepare
      t = fullCluster();
      const { sim } = t;
      const since = sim.world.router.calls.length;
      const activeAtUpdate: number[] = [];
      sim.world.router.intercept((_service, operation) => {
        if (operation === 'UpdateService') activeAtUpdate.push([...sim.world.ecs.cluster('demo').containerInstances.values()].filter((ci) => ci.status === 'ACTIVE').length);
      });

      // Act
      const arn = startScaling(t, { direction: 'out', step: 4 });
      await sim.run();
      sim.world.advance(120);

      // Assess
      expect(sim.execution(arn).status).toBe('SUCCEEDED');
      expect(callsAfter(t, since, 'ModifySpotFleetRequest').map((c) => c.input)).toEqual([{ SpotFleetRequestId: t.built.fleetId, TargetCapacity: 6 }]);
      expect(sim.world.ec2.instancesOfFleet(t.built.fleetId).filter((i) => i.state === 'running').map((i) => i.type)).toEqual(['c5.xlarge', 'c5.xlarge', 'c5.xlarge']);
      expect(activeAtUpdate).toEqual([3]);
      expect(web(t).desiredCount).toBe(11);
      expect(web(t).healthyCount).toBe(11);
      expect(outcomeOf(t, arn)).toMatchObject({ outcome: 'scaled', fromCount: 7, toCount: 11, fleet: { fleetId: t.built.fleetId, fromTarget: 4, toTarget: 6 } });
      expect(sim.world.invariants.violations).toEqual([]);
      expect(web(t).tags.get('ecs-fleet-ops:last-scale')).toMatch(/^out 20\d\d-/);
      expect(sim.world.ssm.parameters.has('/ecs-fleet-ops/sim/locks/demo.scale.web')).toBe(false);
    });

    it('leaves the fleet alone when the cluster has room for the extra tasks', async () => {
      // Prepare
      t = roomyCluster();
      const since = t.sim.world.router.calls.length;

      // Act
      const arn = startScaling(t, { direction: 'out', step: 2 });
      await t.sim.run();

      // Assess
      expect(outcomeOf(t, arn)).toMatchObject({ outcome: 'scaled', fromCount: 12, toCount: 14 });
      expect(callsAfter(t, since, 'ModifySpotFleetRequest')).toEqual([]);
      expect(fleet(t).config.TargetCapacity).toBe(8);
    });

    it('stops at the fleet maximum, and scales the service to what that capacity holds', async () => {
      // Prepare: 8 more tasks would need 4 more units; the maximum allows 2
      t = fullCluster({ maxCapacity: 6 });

      // Act
      const arn = startScaling(t, { direction: 'out', step: 8 });
      await t.sim.run();

      // Assess
      expect(outcomeOf(t, arn)).toMatchObject({ outcome: 'scaled', fromCount: 7, toCount: 11, fleet: { fromTarget: 4, toTarget: 6 } });
      expect(fleet(t).config.TargetCapacity).toBe(6);
      expect(t.sim.world.invariants.violations).toEqual([]);
    });

    it('changes nothing when the fleet is at its maximum and the cluster is full', async () => {
      // Prepare
      t = fullCluster({ maxCapacity: 4 });
      const since = t.sim.world.router.calls.length;

      // Act
      const arn = startScaling(t, { direction: 'out', step: 2 });
      await t.sim.run();

      // Assess
      expect(t.sim.execution(arn).status).toBe('SUCCEEDED');
      expect(outcomeOf(t, arn)).toMatchObject({ outcome: 'noChange', message: expect.stringContaining('at its maximum of 4 units') });
      expect(callsAfter(t, since, 'UpdateService')).toEqual([]);
      expect(callsAfter(t, since, 'ModifySpotFleetRequest')).toEqual([]);
    });

    it('scales the service within the room it has when no fleet is configured for the cluster', async () => {
      // Prepare
      t = fullCluster();
      t.sim.setEnv({ SCALE_FLEETS: '[]' });

      // Act
      const arn = startScaling(t, { direction: 'out', step: 2 });
      await t.sim.run();

      // Assess
      expect(outcomeOf(t, arn)).toMatchObject({ outcome: 'noChange', message: expect.stringContaining('no fleet is configured') });
      expect(fleet(t).config.TargetCapacity).toBe(4);
    });

    it('fails with CapacityNotReady, the service untouched, when the fleet cannot launch', async () => {
      // Prepare
      t = fullCluster();
      for (const type of ['c5.xlarge', 'm5.large']) t.sim.world.ec2.behaviour.noCapacityTypes.add(type);
      t.sim.setEnv({ SCALE_FLEETS: JSON.stringify([{ cluster: 'demo', minCapacity: 2, maxCapacity: 12, capacityTimeoutSeconds: 300 }]) });

      // Act
      const arn = startScaling(t, { direction: 'out', step: 4 });
      await t.sim.run();

      // Assess
      const execution = t.sim.execution(arn);
      expect(execution.status).toBe('FAILED');
      expect(execution.error).toBe('CapacityNotReady');
      expect(execution.cause).toMatch(/fulfilled 4\/6 units/);
      expect(web(t).desiredCount).toBe(7);
      expect(t.sim.world.ssm.parameters.has('/ecs-fleet-ops/sim/locks/demo.scale.web')).toBe(false);
    });
  });

  describe('Scale-in', () => {
    it('drains the spare instances before it shrinks the fleet, and terminates only empty ones', async () => {
      // Prepare
      t = roomyCluster();
      const { sim } = t;
      const since = sim.world.router.calls.length;
      const drainedAtModify: string[][] = [];
      const tasksAtTerminate: number[] = [];
      sim.world.router.intercept((service, operation, input) => {
        if (operation === 'ModifySpotFleetRequest') {
          drainedAtModify.push([...sim.world.ecs.cluster('demo').containerInstances.values()].filter((ci) => ci.status === 'DRAINING' && ci.tasks.size === 0).map((ci) => ci.instanceId).sort());
        }
        if (service === 'ec2' && operation === 'TerminateInstances') {
          for (const id of (input as { InstanceIds: string[] }).InstanceIds) tasksAtTerminate.push(sim.world.ecs.liveTasksOn(id).length);
        }
      });

      // Act
      const arn = startScaling(t, { direction: 'in', step: 6 });
      await sim.run();
      sim.world.advance(600);

      // Assess
      expect(sim.execution(arn).status).toBe('SUCCEEDED');
      const terminated = (callsAfter(t, since, 'TerminateInstances')[0].input as { InstanceIds: string[] }).InstanceIds.sort();
      expect(terminated.length).toBeGreaterThan(0);
      expect(drainedAtModify).toEqual([terminated]);
      expect(tasksAtTerminate.every((n) => n === 0)).toBe(true);
      expect(callsAfter(t, since, 'ModifySpotFleetRequest').map((c) => c.input)).toEqual([
        { SpotFleetRequestId: t.built.fleetId, TargetCapacity: 8 - 2 * terminated.length, ExcessCapacityTerminationPolicy: 'noTermination' },
      ]);
      // Nothing relaunched: the fleet holds exactly its lowered target ten minutes on.
      expect(sim.world.ec2.fulfilledCapacity(fleet(t))).toBe(fleet(t).config.TargetCapacity);
      expect(sim.world.ec2.instancesOfFleet(t.built.fleetId).every((i) => !terminated.includes(i.id))).toBe(true);
      expect(web(t).healthyCount).toBe(6);
      expect(sim.world.invariants.violations).toEqual([]);
      sim.world.invariants.checkNothingDraining('demo');
      expect(sim.world.invariants.violations).toEqual([]);
    });

    it('keeps the configured headroom of spare instances', async () => {
      // Prepare: the same cluster twice (same seed), one simulation at a time (each drives the clock)
      const removedWith = async (headroomInstances: number) => {
        const s = roomyCluster({ headroomInstances });
        try {
          const arn = startScaling(s, { direction: 'in', step: 6 });
          await s.sim.run();
          return outcomeOf(s, arn).terminatedInstances?.length ?? 0;
        } finally {
          s.sim.dispose();
        }
      };

      // Act
      const withoutHeadroom = await removedWith(0);
      const withHeadroom = await removedWith(1);

      // Assess
      expect(withoutHeadroom).toBeGreaterThan(0);
      expect(withHeadroom).toBe(withoutHeadroom - 1);
    });

    it('gives the capacity back and changes nothing else when the drain times out on a task that does not move', async () => {
      // Prepare: a standalone task that never ends on every instance (it reserves no CPU, so it fits on the full ones too)
      t = roomyCluster();
      const { sim } = t;
      const td = sim.world.ecs.registerTaskDefinition('forever-batch', 0, 64);
      for (const i of sim.world.ec2.instancesOfFleet(t.built.fleetId)) expect(sim.world.ecs.runStandaloneTask('demo', td, { instanceId: i.id, startedBy: 'cron' })).toBeDefined();
      sim.world.advance(60);
      sim.setEnv({ SCALE_FLEETS: JSON.stringify([{ cluster: 'demo', minCapacity: 2, maxCapacity: 12, headroomInstances: 0, drain: { timeoutSeconds: 300 } }]) });
      const since = sim.world.router.calls.length;

      // Act
      const arn = startScaling(t, { direction: 'in', step: 6 });
      await sim.run();

      // Assess
      const execution = sim.execution(arn);
      expect(execution.error).toBe('DrainTimeout');
      expect(execution.cause).toContain('family:forever-batch');
      expect(callsAfter(t, since, 'ModifySpotFleetRequest')).toEqual([]);
      expect(callsAfter(t, since, 'TerminateInstances')).toEqual([]);
      expect([...sim.world.ecs.cluster('demo').containerInstances.values()].every((ci) => ci.status === 'ACTIVE')).toBe(true);
      expect(fleet(t).config.TargetCapacity).toBe(8);
      expect(sim.world.invariants.violations).toEqual([]);
    });
  });

  describe('Guards', () => {
    it('changes nothing within the cooldown of its last scaling, which it keeps in a tag on the service', async () => {
      // Prepare
      t = roomyCluster();
      const first = startScaling(t, { direction: 'out', step: 1, cooldownSeconds: 600 });
      await t.sim.run();
      const since = t.sim.world.router.calls.length;

      // Act
      const again = startScaling(t, { direction: 'out', step: 1, cooldownSeconds: 600 });
      await t.sim.run();
      const inward = startScaling(t, { direction: 'in', step: 1, cooldownSeconds: 600 }, 'inward');
      await t.sim.run();

      // Assess
      expect(outcomeOf(t, first)).toMatchObject({ outcome: 'scaled', toCount: 13 });
      expect(outcomeOf(t, again)).toMatchObject({ outcome: 'noChange', message: expect.stringContaining('cooldown') });
      expect(outcomeOf(t, inward)).toMatchObject({ outcome: 'noChange', message: expect.stringContaining('cooldown') });
      expect(callsAfter(t, since, 'UpdateService')).toEqual([]);
      expect(web(t).desiredCount).toBe(13);
    });

    it('refuses a second scaling of the service while one runs (ScaleInProgress), having changed nothing', async () => {
      // Prepare
      t = fullCluster();
      const first = startScaling(t, { direction: 'out', step: 4 }, 'first');
      await t.sim.runner.advance(30);

      // Act
      const second = startScaling(t, { direction: 'out', step: 1 }, 'second');
      await t.sim.run();

      // Assess
      expect(t.sim.execution(second).status).toBe('FAILED');
      expect(t.sim.execution(second).error).toBe('ScaleInProgress');
      expect(t.sim.execution(second).cause).toContain('first');
      expect(t.sim.execution(first).status).toBe('SUCCEEDED');
      expect(web(t).desiredCount).toBe(11);
    });

    it('refuses to scale while a rollover of the cluster runs (RolloverInProgress), having changed nothing', async () => {
      // Prepare
      t = fullCluster();
      const { sim } = t;
      releaseNewAmi(sim.world);
      sim.startRollover({ cluster: 'demo' }, 'rollover');
      await sim.runner.advance(60);
      const since = sim.world.router.calls.length;

      // Act
      const arn = startScaling(t, { direction: 'out', step: 2 }, 'during-rollover');
      await sim.runner.advance(30);

      // Assess
      expect(sim.execution(arn).status).toBe('FAILED');
      expect(sim.execution(arn).error).toBe('RolloverInProgress');
      expect(callsAfter(t, since, 'UpdateService')).toEqual([]);
      expect(callsAfter(t, since, 'ModifySpotFleetRequest')).toEqual([]);
      await sim.run();
    });

    it('makes a rollover started while a scaling runs refuse (ScaleInProgress), giving its lock back and changing nothing', async () => {
      // Prepare: a scale-out waiting for its new capacity
      t = fullCluster();
      const { sim } = t;
      const scaling = startScaling(t, { direction: 'out', step: 4 }, 'scaling');
      await sim.runner.advance(30);
      releaseNewAmi(sim.world);
      const since = sim.world.router.calls.length;

      // Act
      const arn = sim.startRollover({ cluster: 'demo' }, 'rollover-during-scaling');
      await sim.runner.advance(30);

      // Assess
      expect(sim.execution(arn).status).toBe('FAILED');
      expect(sim.execution(arn).error).toBe('ScaleInProgress');
      expect(sim.execution(arn).cause).toContain('service(s) web');
      const changes = sim.world.router.calls.slice(since).filter((c) => c.by?.startsWith('rollover') && !/^(Describe|List|Get)/.test(c.operation)).map((c) => `${c.service}:${c.operation}`);
      expect(changes).toEqual(['ssm:PutParameter', 'ssm:DeleteParameter']);
      expect(sim.world.ssm.parameters.has('/ecs-fleet-ops/sim/locks/demo')).toBe(false);
      await sim.run();
      expect(sim.execution(scaling).status).toBe('SUCCEEDED');
    });

    it('refuses bad input with InvalidInput before touching anything', async () => {
      // Prepare
      t = roomyCluster();
      const since = t.sim.world.router.calls.length;

      // Act
      const arn = t.sim.runner.start(t.sim.arns.scaleService, { cluster: 'demo', service: 'web', direction: 'out', min: 5, max: 2 });
      await t.sim.run();

      // Assess
      expect(t.sim.execution(arn).error).toBe('InvalidInput');
      expect(t.sim.world.router.mutatingCalls(since).map((c) => c.operation)).toEqual(['StartExecution']);
    });

    it('refuses an unknown service with NotFound and releases its lock', async () => {
      // Prepare
      t = roomyCluster();

      // Act
      const arn = startScaling(t, { service: 'nope', direction: 'out' });
      await t.sim.run();

      // Assess
      expect(t.sim.execution(arn).error).toBe('NotFound');
      expect([...t.sim.world.ssm.parameters.keys()].filter((k) => k.includes('.scale.'))).toEqual([]);
    });
  });

  describe('Triggers', () => {
    it('starts one execution for a burst of alarms: SNS redeliveries and the same change through EventBridge', async () => {
      // Prepare
      t = fullCluster();
      const { sim } = t;

      // Act
      const sns = snsAlarmEvent(sim.world, SCALE_OUT_ALARM);
      await sim.runner.invoke('alarmScaleTrigger', sns);
      await sim.runner.invoke('alarmScaleTrigger', sns);
      await sim.runner.advance(20);
      await sim.runner.invoke('alarmScaleTrigger', eventBridgeAlarmEvent(sim.world, SCALE_OUT_ALARM));
      await sim.run();

      // Assess
      expect(scaleExecutions(t)).toHaveLength(1);
      expect(scaleExecutions(t)[0].status).toBe('SUCCEEDED');
      expect(web(t).desiredCount).toBe(11);
    });

    it('starts nothing for an OK transition or an alarm of no configured action', async () => {
      // Prepare
      t = fullCluster();
      const since = t.sim.world.router.calls.length;

      // Act
      const results = [
        await t.sim.runner.invoke('alarmScaleTrigger', snsAlarmEvent(t.sim.world, SCALE_OUT_ALARM, 'OK', 'ALARM')),
        await t.sim.runner.invoke('alarmScaleTrigger', eventBridgeAlarmEvent(t.sim.world, 'someone-elses-alarm')),
      ];

      // Assess
      expect(results.map((r) => r.alarms[0].outcome)).toEqual(['notIntoAlarm', 'unknownAlarm']);
      expect(t.sim.world.router.calls.slice(since)).toEqual([]);
    });

    it('scales in from an EventBridge alarm', async () => {
      // Prepare
      t = roomyCluster();

      // Act
      await t.sim.runner.invoke('alarmScaleTrigger', eventBridgeAlarmEvent(t.sim.world, SCALE_IN_ALARM));
      await t.sim.run();

      // Assess
      expect(scaleExecutions(t).map((e) => e.status)).toEqual(['SUCCEEDED']);
      expect(web(t).desiredCount).toBe(6);
    });
  });

  describe('Scenarios', () => {
    it('scale-out: succeeds from an SNS alarm with the fleet grown and no invariant broken', async () => {
      // Act
      const { summary } = await runScaleOutScenario({ seed: 2 });

      // Assess
      expect(summary.ok).toBe(true);
      expect(summary.apiCalls['ec2:ModifySpotFleetRequest']).toBe(1);
      expect(summary.violations).toEqual([]);
    });

    it('scale-in: succeeds from an EventBridge alarm, the fleet shrunk with zero tasks killed', async () => {
      // Act
      const { summary } = await runScaleInScenario({ seed: 2 });

      // Assess
      expect(summary.ok).toBe(true);
      expect(summary.apiCalls['ec2:TerminateInstances']).toBe(1);
      expect(summary.violations).toEqual([]);
    });
  });
});
