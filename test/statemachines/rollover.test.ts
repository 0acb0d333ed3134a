import fs from 'node:fs';
import path from 'node:path';
import { NEW_AMI, OLD_AMI } from '../../sim/scenarios/cluster';
import { clusterOnOldAmi, fleetsOf, liveContainerInstances, mutatingCalls, type TestCluster } from '../support/simulation';

let t: TestCluster | undefined;

afterEach(() => {
  t?.sim.dispose();
  t = undefined;
});

describe('State machine: ami-rollover', () => {
  it('replaces the fleet, drains the old instances and retires them without breaking an invariant', async () => {
    // Prepare
    t = clusterOnOldAmi();
    const { sim, built } = t;

    // Act
    const arn = sim.startRollover({ cluster: 'demo' });
    await sim.run();

    // Assess
    const execution = sim.execution(arn);
    expect(execution.status).toBe('SUCCEEDED');
    sim.world.advance(300);
    expect(sim.world.invariants.violations).toEqual([]);
    const old = sim.world.ec2.fleets.get(built.fleetId)!;
    expect(old.state).toBe('cancelled');
    const replacement = fleetsOf(sim).find((f) => f.id !== built.fleetId)!;
    expect(replacement.state).toBe('active');
    expect(replacement.tags).toEqual(expect.arrayContaining([{ Key: 'ecs-fleet-ops:replaces', Value: built.fleetId }, { Key: 'team', Value: 'platform' }]));
    const instances = liveContainerInstances(sim);
    expect(instances.length).toBeGreaterThan(0);
    expect(instances.every((ci) => ci.attributes['ecs.ami-id'] === NEW_AMI && ci.status === 'ACTIVE')).toBe(true);
    sim.world.invariants.checkNothingDraining('demo');
    expect(sim.world.invariants.violations).toEqual([]);
    for (const s of sim.world.ecs.cluster('demo').services.values()) expect(s.healthyCount).toBe(s.desiredCount);
    expect(sim.world.ssm.parameters.has('/ecs-fleet-ops/sim/locks/demo')).toBe(false);
    const note = JSON.parse(sim.world.sns.published.at(-1)!.message);
    expect(note).toMatchObject({ outcome: 'succeeded', cluster: 'demo', targetAmi: NEW_AMI });
  });

  it('keeps weighted capacity: the replacement asks for the same units, not the same number of instances', async () => {
    // Prepare
    t = clusterOnOldAmi();
    const { sim, built } = t;
    const oldInstances = sim.world.ec2.instancesOfFleet(built.fleetId).length;

    // Act
    await sim.run(undefined);
    sim.startRollover({ cluster: 'demo' });
    await sim.run();

    // Assess
    const replacement = fleetsOf(sim).find((f) => f.id !== built.fleetId)!;
    expect(replacement.config.TargetCapacity).toBe(6);
    expect(oldInstances).toBeLessThan(6);
    const units = sim.world.ec2.instancesOfFleet(replacement.id).reduce((n, i) => n + i.weight, 0);
    expect(units).toBeGreaterThanOrEqual(6);
    expect(new Set(sim.world.ec2.instancesOfFleet(replacement.id).map((i) => i.weight)).size).toBeGreaterThan(1);
  });

  it('rolls a fleet built on a launch template through a new template version', async () => {
    // Prepare
    t = clusterOnOldAmi({ spec: { useLaunchTemplate: true } });
    const { sim, built } = t;

    // Act
    const arn = sim.startRollover({ cluster: 'demo' });
    await sim.run();

    // Assess
    expect(sim.execution(arn).status).toBe('SUCCEEDED');
    expect(sim.world.invariants.violations).toEqual([]);
    const lt = [...sim.world.ec2.launchTemplates.values()][0];
    expect(lt.versions).toHaveLength(2);
    expect(lt.versions[1].data.ImageId).toBe(NEW_AMI);
    expect(lt.versions[1].data.UserData).toBe(lt.versions[0].data.UserData);
    const replacement = fleetsOf(sim).find((f) => f.id !== built.fleetId)!;
    expect(replacement.config.LaunchTemplateConfigs[0].LaunchTemplateSpecification).toEqual({ LaunchTemplateId: lt.id, Version: '2' });
    expect(liveContainerInstances(sim).every((ci) => ci.attributes['ecs.ami-id'] === NEW_AMI)).toBe(true);
  });

  it('succeeds as a no-op, changing nothing, when every fleet already runs the target AMI', async () => {
    // Prepare
    t = clusterOnOldAmi();
    const { sim, mark } = t;

    // Act
    const arn = sim.startRollover({ cluster: 'demo', amiId: OLD_AMI });
    await sim.run();

    // Assess
    const execution = sim.execution(arn);
    expect(execution.status).toBe('SUCCEEDED');
    expect(JSON.parse(execution.output!).outcome).toMatchObject({ outcome: 'noop' });
    const changes = mutatingCalls(sim, mark).map((c) => `${c.service}:${c.operation}`);
    expect(changes).toEqual(['sfn:StartExecution', 'sns:Publish']);
    expect(fleetsOf(sim)).toHaveLength(1);
  });

  it('rolls back when the replacement never becomes ready: the replacement is cancelled, the old fleet untouched', async () => {
    // Prepare: the new AMI's agent never connects, so its instances never join the cluster.
    t = clusterOnOldAmi();
    const { sim, built } = t;
    sim.world.ecs.behaviour.agentNeverConnectsOn.add(NEW_AMI);
    const before = liveContainerInstances(sim).map((ci) => ci.arn).sort();

    // Act
    const arn = sim.startRollover({ cluster: 'demo', replacementTimeoutSeconds: 600 });
    await sim.run();

    // Assess
    const execution = sim.execution(arn);
    expect(execution.status).toBe('FAILED');
    expect(execution.error).toBe('ReplacementFailed');
    expect(execution.cause).toMatch(/not ready by its deadline.*0\/\d+ new instances ACTIVE/);
    expect(sim.world.ec2.fleets.get(built.fleetId)!.state).toBe('active');
    const replacement = fleetsOf(sim).find((f) => f.id !== built.fleetId)!;
    expect(['cancelled', 'cancelled_terminating']).toContain(replacement.state);
    expect(liveContainerInstances(sim).map((ci) => ci.arn).sort()).toEqual(before);
    expect(liveContainerInstances(sim).every((ci) => ci.status === 'ACTIVE')).toBe(true);
    expect(sim.world.invariants.violations).toEqual([]);
    expect(sim.world.ssm.parameters.has('/ecs-fleet-ops/sim/locks/demo')).toBe(false);
    expect(JSON.parse(sim.world.sns.published.at(-1)!.message)).toMatchObject({ outcome: 'failed', error: 'ReplacementFailed' });
  });

  it('rolls back at once when the replacement fleet fails to launch anything', async () => {
    // Prepare: no spot capacity for any type the fleet asks for.
    t = clusterOnOldAmi();
    const { sim, built } = t;
    for (const type of ['m5.large', 'm5.xlarge', 'c5.xlarge']) sim.world.ec2.behaviour.noCapacityTypes.add(type);

    // Act
    const arn = sim.startRollover({ cluster: 'demo' });
    await sim.run();

    // Assess
    const execution = sim.execution(arn);
    expect(execution.error).toBe('ReplacementFailed');
    expect(execution.cause).toMatch(/launched nothing/);
    expect((execution.stopDate! - execution.startDate) / 1000).toBeLessThan(300);
    expect(sim.world.ec2.fleets.get(built.fleetId)!.state).toBe('active');
    expect(sim.world.invariants.violations).toEqual([]);
  });

  it('gives the old instances back their capacity when a standalone task blocks the drain, and names the task', async () => {
    // Prepare: a standalone task that never ends, and the default policy "wait".
    t = clusterOnOldAmi({ spec: { standaloneTasks: [{ family: 'forever-batch', cpu: 128, memory: 128 }] } });
    const { sim, built } = t;

    // Act
    const arn = sim.startRollover({ cluster: 'demo', drain: { timeoutSeconds: 900 } });
    await sim.run();

    // Assess
    const execution = sim.execution(arn);
    expect(execution.status).toBe('FAILED');
    expect(execution.error).toBe('DrainTimeout');
    expect(execution.cause).toContain('family:forever-batch');
    expect(sim.world.ec2.fleets.get(built.fleetId)!.state).toBe('active');
    const live = liveContainerInstances(sim);
    expect(live.every((ci) => ci.status === 'ACTIVE' && ci.attributes['ecs.ami-id'] === OLD_AMI)).toBe(true);
    const replacement = fleetsOf(sim).find((f) => f.id !== built.fleetId)!;
    expect(['cancelled', 'cancelled_terminating']).toContain(replacement.state);
    for (const s of sim.world.ecs.cluster('demo').services.values()) expect(s.healthyCount).toBe(s.desiredCount);
    expect(sim.world.invariants.violations).toEqual([]);
  });

  it('stops standalone tasks when drain.standaloneTasks is "stop", and completes', async () => {
    // Prepare
    t = clusterOnOldAmi({ spec: { standaloneTasks: [{ family: 'forever-batch', cpu: 128, memory: 128 }] } });
    const { sim } = t;

    // Act
    const arn = sim.startRollover({ cluster: 'demo', drain: { standaloneTasks: 'stop' } });
    await sim.run();

    // Assess
    expect(sim.execution(arn).status).toBe('SUCCEEDED');
    const stopped = sim.world.router.calls.filter((c) => c.operation === 'StopTask');
    expect(stopped).toHaveLength(1);
    expect(sim.world.invariants.violations).toEqual([]);
  });

  it('refuses a second rollover of the same cluster while one runs, touching nothing', async () => {
    // Prepare
    t = clusterOnOldAmi();
    const { sim } = t;
    const first = sim.startRollover({ cluster: 'demo' }, 'first');
    await sim.runner.advance(120);

    // Act
    const second = sim.startRollover({ cluster: 'demo' }, 'second');
    await sim.run();

    // Assess
    expect(sim.execution(second).status).toBe('FAILED');
    expect(sim.execution(second).error).toBe('RolloverInProgress');
    expect(sim.execution(second).cause).toContain('first');
    expect(sim.execution(first).status).toBe('SUCCEEDED');
    expect(fleetsOf(sim)).toHaveLength(2);
    expect(sim.world.invariants.violations).toEqual([]);
  });

  it('starts one execution for a duplicate delivery of the AMI update SNS message', async () => {
    // Prepare
    t = clusterOnOldAmi();
    const { sim } = t;
    const event = JSON.parse(fs.readFileSync(path.join(__dirname, '../../../shared/events/sns-ecs-ami-update.json'), 'utf8'));
    const message = JSON.parse(event.Records[0].Sns.Message);
    message.ECSAmis[0].Regions['us-east-1'].ImageId = NEW_AMI;
    event.Records[0].Sns.Message = JSON.stringify(message);

    // Act
    await sim.runner.invoke('amiUpdateTrigger', event);
    await sim.runner.invoke('amiUpdateTrigger', event);
    await sim.run();

    // Assess
    const executions = [...sim.world.sfn.executions.values()];
    expect(executions).toHaveLength(1);
    expect(executions[0].status).toBe('SUCCEEDED');
    expect(sim.world.router.calls.filter((c) => c.operation === 'StartExecution' && !c.error)).toHaveLength(2);
  });

  it('fails with AccessDenied, and nothing changed, when an organisation policy denies RequestSpotFleet', async () => {
    // Prepare
    t = clusterOnOldAmi();
    const { sim, mark } = t;
    sim.world.ec2.behaviour.denyRequestSpotFleet = true;

    // Act
    const arn = sim.startRollover({ cluster: 'demo' });
    await sim.run();

    // Assess
    const execution = sim.execution(arn);
    expect(execution.error).toBe('AccessDenied');
    expect(execution.cause).toMatch(/RequestSpotFleet was denied/);
    expect(fleetsOf(sim)).toHaveLength(1);
    const changes = mutatingCalls(sim, mark).filter((c) => !c.error).map((c) => `${c.service}:${c.operation}`);
    expect(changes.filter((c) => c.startsWith('ec2:') || c.startsWith('ecs:'))).toEqual([]);
    expect(sim.world.invariants.violations).toEqual([]);
  });
});
