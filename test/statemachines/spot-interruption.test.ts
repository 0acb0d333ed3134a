import fs from 'node:fs';
import path from 'node:path';
import { NEW_AMI } from '../../sim/scenarios/cluster';
import { runSpotInterruptionScenario } from '../../sim/scenarios/targets';
import { clusterOnOldAmi, mutatingCalls, type TestCluster } from '../support/simulation';

let t: TestCluster | undefined;

afterEach(() => {
  t?.sim.dispose();
  t = undefined;
});

const sample = (file: string) => JSON.parse(fs.readFileSync(path.join(__dirname, '../../../shared/events', file), 'utf8'));

function warningFor(instanceId: string, time: string) {
  const event = sample('eventbridge-spot-interruption-warning.json');
  event.detail['instance-id'] = instanceId;
  event.resources = [`arn:aws:ec2:us-east-1:123456789012:instance/${instanceId}`];
  event.time = time;
  event.region = 'us-east-1';
  return event;
}

describe('State machine: spot-interruption', () => {
  it('drains the warned instance so its tasks move before AWS reclaims it', async () => {
    // Act
    const { summary } = await runSpotInterruptionScenario({ seed: 3 });

    // Assess
    expect(summary.violations).toEqual([]);
    expect(summary.executions.every((e) => e.status === 'SUCCEEDED')).toBe(true);
    expect(summary.apiCalls['ecs:UpdateContainerInstancesState']).toBe(1);
    expect(summary.apiCalls['ec2:CreateTags']).toBe(1);
  });

  it('reports what moved and what was lost, and takes the instance out of its bound target group at once', async () => {
    // Prepare
    t = clusterOnOldAmi({ spec: { standaloneTasks: [{ family: 'forever-batch', cpu: 128, memory: 128 }] } });
    const { sim } = t;
    const web = sim.world.ecs.cluster('demo').services.get('web')!;
    const bound = sim.world.elbv2.createTargetGroup('demo-instances', 80, { deregistrationDelaySeconds: 30 });
    const instances = sim.world.ec2.instancesOfFleet(t.built.fleetId);
    for (const i of instances) sim.world.elbv2.registerInternal(bound.arn, i.id, 80);
    sim.setEnv({ TARGET_BINDINGS: JSON.stringify([{ cluster: 'demo', targetGroupArn: bound.arn, port: 80 }]) });
    const victim = instances.find((i) => sim.world.ecs.liveTasksOn(i.id).some((task) => task.group === 'family:forever-batch'))!;
    const tasksAtNotice = sim.world.ecs.liveTasksOn(victim.id).length;

    // Act
    const arn = sim.runner.start(sim.arns.spotInterruption, warningFor(victim.id, sim.world.clock.iso()));
    sim.world.clock.after(120, 'reclaim', () => sim.world.ec2.terminate(victim.id, 'spot interruption'));
    await sim.run();

    // Assess
    const out = JSON.parse(sim.execution(arn).output!);
    expect(out.drain).toMatchObject({ tasksAtNotice, wasAlreadyDraining: false });
    expect(out.drain.targetsDeregistered).toBeGreaterThanOrEqual(1);
    expect(out.watch.status).toBe('gone');
    expect(out.watch.lost).toBeGreaterThanOrEqual(1); // the standalone task cannot move
    expect(out.watch.moved + out.watch.lost).toBe(tasksAtNotice);
    const deregistered = sim.world.router.calls.find((c) => c.operation === 'DeregisterTargets' && JSON.stringify(c.input).includes(victim.id))!;
    expect(deregistered.at - sim.execution(arn).startDate).toBeLessThanOrEqual(1000);
    expect(['draining', undefined]).toContain(bound.targets.get(`${victim.id}:80`)?.state);
    expect(web.healthyCount).toBe(web.desiredCount);
  });

  it('is a clean no-op for an instance in no managed cluster', async () => {
    // Prepare
    t = clusterOnOldAmi();
    const { sim, mark } = t;

    // Act
    const arn = sim.runner.start(sim.arns.spotInterruption, warningFor('i-1234567890abcdef0', sim.world.clock.iso()));
    await sim.run();

    // Assess
    expect(sim.execution(arn).status).toBe('SUCCEEDED');
    expect(JSON.parse(sim.execution(arn).output!)).toMatchObject({ managed: false });
    expect(mutatingCalls(sim, mark).map((c) => c.operation)).toEqual(['StartExecution']);
  });

  it('ignores a rebalance recommendation unless DRAIN_ON_REBALANCE is on', async () => {
    // Prepare
    t = clusterOnOldAmi();
    const { sim } = t;
    const victim = sim.world.ec2.instancesOfFleet(t.built.fleetId)[0];
    const event = sample('eventbridge-rebalance-recommendation.json');
    event.detail['instance-id'] = victim.id;
    event.time = sim.world.clock.iso();

    // Act
    const off = sim.runner.start(sim.arns.spotInterruption, event);
    await sim.run();
    sim.setEnv({ DRAIN_ON_REBALANCE: 'true' });
    const on = sim.runner.start(sim.arns.spotInterruption, event, 'rebalance-on');
    await sim.run();

    // Assess
    expect(JSON.parse(sim.execution(off).output!)).toMatchObject({ managed: false, kind: 'rebalance' });
    expect(JSON.parse(sim.execution(on).output!).watch.status).toBe('moved');
    expect(sim.world.ecs.containerInstanceOf(victim.id)!.status).toBe('DRAINING');
  });

  it('accepts an instance the agent already set DRAINING (ECS_ENABLE_SPOT_INSTANCE_DRAINING)', async () => {
    // Prepare
    t = clusterOnOldAmi({ spec: { spotDraining: true } });
    const { sim } = t;
    sim.connectEventRules();
    const victim = sim.world.ec2.instancesOfFleet(t.built.fleetId)[0];

    // Act
    sim.world.interruptSpotInstance(victim.id);
    await sim.runner.advance(300);

    // Assess
    const execution = [...sim.world.sfn.executions.values()].find((e) => e.stateMachineArn === sim.arns.spotInterruption)!;
    expect(execution.status).toBe('SUCCEEDED');
    expect(JSON.parse(execution.output!).drain.wasAlreadyDraining).toBe(true);
    expect(sim.world.invariants.violations).toEqual([]);
  });

  it('refuses a malformed event with InvalidInput, changing nothing', async () => {
    // Prepare
    t = clusterOnOldAmi();
    const { sim, mark } = t;
    const event = warningFor('i-1234567890abcdef0', sim.world.clock.iso());
    event.detail['instance-id'] = 'not-an-instance';

    // Act
    const arn = sim.runner.start(sim.arns.spotInterruption, event);
    await sim.run();

    // Assess
    expect(sim.execution(arn).error).toBe('InvalidInput');
    expect(sim.execution(arn).cause).toContain('instance-id');
    expect(mutatingCalls(sim, mark).map((c) => c.operation)).toEqual(['StartExecution']);
  });
});

describe('Spot interruptions during a rollover', () => {
  it('interrupting an old instance while it drains: no double work, the rollover still completes', async () => {
    // Prepare
    t = clusterOnOldAmi({ spec: { standaloneTasks: [] } });
    const { sim, built } = t;
    sim.connectEventRules();
    const rollover = sim.startRollover({ cluster: 'demo' });
    while (!sim.runner.visits.some((v) => v.state === 'DrainOldInstances')) await sim.runner.advance(10);
    const victim = sim.world.ec2.instancesOfFleet(built.fleetId).find((i) => i.state === 'running')!;

    // Act
    sim.world.interruptSpotInstance(victim.id);
    await sim.run();
    await sim.runner.advance(300);

    // Assess
    expect(sim.execution(rollover).status).toBe('SUCCEEDED');
    const interruption = [...sim.world.sfn.executions.values()].find((e) => e.stateMachineArn === sim.arns.spotInterruption)!;
    expect(interruption.status).toBe('SUCCEEDED');
    expect(JSON.parse(interruption.output!).drain.wasAlreadyDraining).toBe(true);
    expect(sim.world.invariants.violations).toEqual([]);
  });

  it('interrupting a new instance while the replacement comes up: the fleet replaces it and the rollover completes', async () => {
    // Prepare
    t = clusterOnOldAmi({ spec: { standaloneTasks: [] } });
    const { sim, built } = t;
    sim.connectEventRules();
    const rollover = sim.startRollover({ cluster: 'demo' });
    await sim.runner.advance(100);
    const replacement = [...sim.world.ec2.fleets.values()].find((f) => f.id !== built.fleetId)!;
    const victim = sim.world.ec2.instancesOfFleet(replacement.id).find((i) => i.state === 'running')!;

    // Act
    sim.world.interruptSpotInstance(victim.id);
    await sim.run();

    // Assess
    expect(sim.execution(rollover).status).toBe('SUCCEEDED');
    expect(sim.world.ec2.instances.get(victim.id)!.state).toBe('terminated');
    expect([...sim.world.ecs.cluster('demo').containerInstances.values()].filter((ci) => ci.status === 'ACTIVE').every((ci) => ci.attributes['ecs.ami-id'] === NEW_AMI)).toBe(true);
    expect(sim.world.invariants.violations).toEqual([]);
  });

  it('a drain timeout does not reactivate an instance AWS is reclaiming', async () => {
    // Prepare: a standalone task that never ends blocks the drain; another old instance is interrupted.
    t = clusterOnOldAmi({ spec: { standaloneTasks: [{ family: 'forever-batch', cpu: 128, memory: 128 }] } });
    const { sim, built } = t;
    sim.connectEventRules();
    const rollover = sim.startRollover({ cluster: 'demo', drain: { timeoutSeconds: 60 } });
    while (!sim.runner.visits.some((v) => v.state === 'DrainOldInstances')) await sim.runner.advance(5);
    const victim = sim.world.ec2.instancesOfFleet(built.fleetId).find((i) => !sim.world.ecs.liveTasksOn(i.id).some((task) => task.group === 'family:forever-batch'))!;

    // Act
    sim.world.interruptSpotInstance(victim.id);
    await sim.run();

    // Assess
    expect(sim.execution(rollover).error).toBe('DrainTimeout');
    const reactivations = sim.world.router.calls.filter((c) => c.operation === 'UpdateContainerInstancesState' && (c.input as { status: string }).status === 'ACTIVE');
    const victimArn = sim.world.ecs.containerInstanceOf(victim.id)!.arn;
    expect(reactivations.length).toBeGreaterThan(0);
    expect(reactivations.flatMap((c) => (c.input as { containerInstances: string[] }).containerInstances)).not.toContain(victimArn);
    expect(sim.world.invariants.violations).toEqual([]);
  });
});
