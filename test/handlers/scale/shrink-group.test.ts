import { useClients } from '../../../functions/lib/clients';
import { logger } from '../../../functions/lib/log';
import { parseScaleInput } from '../../../functions/scale/input';
import { handler } from '../../../functions/scale/shrink-fleet';
import type { ScaleState } from '../../../functions/scale/state';
import type { Simulation } from '../../../sim/harness';
import { SCALE_GROUP, scaleGroupWorld } from '../../../sim/scenarios/scale';

let sim: Simulation | undefined;

beforeEach(() => {
  jest.spyOn(logger, 'info').mockImplementation(() => undefined);
  jest.spyOn(logger, 'warn').mockImplementation(() => undefined);
});

afterEach(() => {
  jest.restoreAllMocks();
  useClients(undefined);
  sim?.dispose();
  sim = undefined;
});

/**
 * Group demo-asg of 4 instances, 2 of them drained by hand (web has room on the other two), and the
 * ShrinkFleet state that gives those 2 back.
 */
function drainedTwo(): { s: Simulation; spare: string[]; state: ScaleState } {
  const world = scaleGroupWorld({ seed: 5, instances: 4, webTasks: 6, outStep: 2, inStep: 2, maxSize: 6 });
  sim = world.sim;
  const s = sim;
  const cluster = s.world.ecs.cluster('demo');
  const drained = [...cluster.containerInstances.values()].sort((a, b) => a.tasks.size - b.tasks.size).slice(0, 2);
  s.world.router.call('ecs', 'UpdateContainerInstancesState', { cluster: 'demo', containerInstances: drained.map((ci) => ci.arn), status: 'DRAINING' });
  s.world.advance(600);
  expect(drained.every((ci) => ci.status === 'DRAINING' && ci.tasks.size === 0)).toBe(true);
  const spare = drained.map((ci) => ci.instanceId);
  const state: ScaleState = {
    request: parseScaleInput({ cluster: 'demo', service: 'web', direction: 'in', min: 2, max: 20 }, [{ cluster: 'demo', minCapacity: 1, maxCapacity: 12, headroomInstances: 0 }]),
    execution: { id: 'arn:aws:states:us-east-1:123456789012:execution:scale:retry', name: 'retry', startedAt: new Date(s.world.clock.now()).toISOString() },
    shrink: { status: 'shrink', groupName: SCALE_GROUP, instances: spare.map((instanceId) => ({ instanceId, weight: 1 })), units: 2, targetGroupArns: [world.built.targetGroup!.arn], message: '' },
  };
  useClients(s.world.clients);
  return { s, spare, state };
}

const terminationsAfter = (s: Simulation, since: number) => s.world.router.calls.slice(since).filter((c) => c.operation === 'TerminateInstanceInAutoScalingGroup' && !c.error).map((c) => c.input);

/** The handler against the simulated AWS (its Auto Scaling group keeps the state a retry sees). */
describe('Function: shrink-fleet handler (ShrinkFleet) on an Auto Scaling group', () => {
  it('terminates nothing twice when retried, and decrements the desired capacity once per instance', async () => {
    // Prepare
    const { s, spare, state } = drainedTwo();
    const since = s.world.router.calls.length;

    // Act
    const first = await handler(state);
    const second = await handler(state);

    // Assess
    expect(terminationsAfter(s, since)).toEqual(spare.map((InstanceId) => ({ InstanceId, ShouldDecrementDesiredCapacity: true })));
    expect(first).toEqual({ status: 'shrunk', terminated: spare, fromTarget: 4, toTarget: 2 });
    expect(second).toEqual({ status: 'shrunk', terminated: [] });
    expect(s.world.autoscaling.groups.get(SCALE_GROUP)!.desiredCapacity).toBe(2);
    expect(s.world.invariants.tasksKilled).toBe(0);
  });

  it('terminates only the rest when retried after an attempt that died between two terminations', async () => {
    // Prepare: the first attempt dies (as a Lambda timing out would) before its second termination
    const { s, spare, state } = drainedTwo();
    const since = s.world.router.calls.length;
    let calls = 0;
    s.world.router.intercept((_service, operation) => {
      if (operation === 'TerminateInstanceInAutoScalingGroup' && ++calls === 2) throw new Error('Task timed out');
    });

    // Act
    const first = await handler(state).catch((error: Error) => error);
    const second = await handler(state);

    // Assess
    expect(first).toBeInstanceOf(Error);
    expect(terminationsAfter(s, since).map((c) => (c as { InstanceId: string }).InstanceId)).toEqual([spare[0], spare[1]]);
    expect(second).toEqual({ status: 'shrunk', terminated: [spare[1]], fromTarget: 3, toTarget: 2 });
    expect(s.world.autoscaling.groups.get(SCALE_GROUP)!.desiredCapacity).toBe(2);
  });
});
