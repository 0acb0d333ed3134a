import { Simulation } from '../../sim/harness';
import { baseAccount, buildCluster, OLD_AMI, FLEET_ROLE } from '../../sim/scenarios/cluster';
import { bindingMismatches, edgeClusterSpec, runSyncTargetsScenario, type BindingSpec } from '../../sim/scenarios/targets';
import { Ec2Sim } from '../../sim/aws/ec2';
import { mutatingCalls } from '../support/simulation';

let sim: Simulation | undefined;

afterEach(() => {
  sim?.dispose();
  sim = undefined;
});

function edge(seed = 3) {
  sim = new Simulation({ seed });
  baseAccount(sim.world);
  const built = buildCluster(sim.world, edgeClusterSpec());
  const tg = (name: string, port: number) => sim!.world.elbv2.createTargetGroup(name, port, { deregistrationDelaySeconds: 30, healthCheck: { intervalSeconds: 10, healthyThreshold: 3 } });
  return { sim, built, tg };
}

/** A second fleet joining the same cluster, requested as an operator would. */
function secondFleet(s: Simulation, cluster: string): string {
  const out = s.world.router.call('ec2', 'RequestSpotFleet', {
    SpotFleetRequestConfig: {
      IamFleetRole: FLEET_ROLE,
      TargetCapacity: 2,
      LaunchSpecifications: [{ ImageId: OLD_AMI, InstanceType: 'c5.xlarge', SubnetId: 'subnet-0aaa1111', UserData: Ec2Sim.userDataFor(cluster) }],
    },
  }) as { SpotFleetRequestId: string };
  s.world.advance(300);
  return out.SpotFleetRequestId;
}

describe('State machine: sync-targets', () => {
  it('keeps every bound port exact while the fleet replaces a reclaimed instance (events, not the schedule)', async () => {
    // Act
    const { summary } = await runSyncTargetsScenario({ seed: 5 });

    // Assess
    expect(summary.violations).toEqual([]);
    expect(summary.executions.every((e) => e.status === 'SUCCEEDED')).toBe(true);
    expect(summary.executions.filter((e) => e.name.startsWith('instance-change-')).length).toBeGreaterThan(0);
    expect(summary.apiCalls['elbv2:RegisterTargets']).toBeGreaterThan(0);
    expect(summary.apiCalls['elbv2:DeregisterTargets']).toBeGreaterThan(0);
  });

  it('syncs many fleets into many target groups, each on its own ports', async () => {
    // Prepare
    const { sim: s, built, tg } = edge();
    const other = secondFleet(s, 'edge');
    const all80 = tg('all-80', 80);
    const firstOnly = tg('first-8081', 8081);
    const secondBoth = tg('second-both', 80);
    const bindings: BindingSpec[] = [
      { cluster: 'edge', targetGroupArn: all80.arn, port: 80 },
      { cluster: 'edge', fleetId: built.fleetId, targetGroupArn: firstOnly.arn, port: 8081 },
      { cluster: 'edge', fleetId: other, targetGroupArn: secondBoth.arn, port: 80 },
      { cluster: 'edge', fleetId: other, targetGroupArn: secondBoth.arn, port: 8081 },
    ];

    // Act
    const arn = s.runner.start(s.arns.syncTargets, { bindings });
    await s.run();

    // Assess
    expect(s.execution(arn).status).toBe('SUCCEEDED');
    expect(bindingMismatches(s.world, bindings)).toEqual([]);
    const fleetA = s.world.ec2.instancesOfFleet(built.fleetId).map((i) => i.id).sort();
    const fleetB = s.world.ec2.instancesOfFleet(other).map((i) => i.id).sort();
    expect([...all80.targets.values()].map((t) => t.id).sort()).toEqual([...fleetA, ...fleetB].sort());
    expect([...firstOnly.targets.values()].map((t) => t.id).sort()).toEqual(fleetA);
    expect([...secondBoth.targets.values()].map((t) => `${t.id}:${t.port}`).sort()).toEqual(fleetB.flatMap((id) => [`${id}:80`, `${id}:8081`]).sort());
    const output = JSON.parse(s.execution(arn).output!);
    expect(output.results).toHaveLength(3);
  });

  it('never sends a non-running instance to RegisterTargets, and deregisters stopped or foreign targets', async () => {
    // Prepare: one fleet instance stopped, one foreign (not in the fleet) target on the bound port.
    const { sim: s, built, tg } = edge();
    const group = tg('web', 80);
    const [stopped, ...rest] = s.world.ec2.instancesOfFleet(built.fleetId);
    stopped.state = 'stopped';
    s.world.elbv2.registerInternal(group.arn, 'i-0123456789abcdef0', 80);
    const bindings: BindingSpec[] = [{ cluster: 'edge', fleetId: built.fleetId, targetGroupArn: group.arn, port: 80 }];

    // Act
    const arn = s.runner.start(s.arns.syncTargets, { bindings });
    await s.run();

    // Assess
    expect(s.execution(arn).status).toBe('SUCCEEDED');
    const registered = s.world.router.calls.filter((c) => c.operation === 'RegisterTargets').flatMap((c) => (c.input as { Targets: { Id: string }[] }).Targets.map((t) => t.Id));
    expect(registered).not.toContain(stopped.id);
    expect(registered.sort()).toEqual(rest.map((i) => i.id).sort());
    expect(group.targets.get('i-0123456789abcdef0:80')?.state).toBe('draining');
  });

  it('converges when two syncs run at once, and a second pass changes nothing', async () => {
    // Prepare
    const { sim: s, built, tg } = edge();
    const group = tg('web', 80);
    const bindings: BindingSpec[] = [{ cluster: 'edge', targetGroupArn: group.arn, port: 80 }];

    // Act
    const a = s.runner.start(s.arns.syncTargets, { bindings });
    const b = s.runner.start(s.arns.syncTargets, { bindings });
    await s.run();
    const mark = s.world.router.calls.length;
    const c = s.runner.start(s.arns.syncTargets, { bindings });
    await s.run();

    // Assess
    expect([a, b, c].map((arn) => s.execution(arn).status)).toEqual(['SUCCEEDED', 'SUCCEEDED', 'SUCCEEDED']);
    expect(bindingMismatches(s.world, bindings)).toEqual([]);
    expect(group.targets.size).toBe(s.world.ec2.instancesOfFleet(built.fleetId).length);
    expect(mutatingCalls(s, mark).map((x) => x.operation)).toEqual(['StartExecution']);
  });

  it('refuses bad input and an unknown target group without changing anything', async () => {
    // Prepare
    const { sim: s, tg } = edge();
    const group = tg('web', 80);
    const mark = s.world.router.calls.length;
    const unknownGroup = group.arn.replace(/[0-9a-f]{16}$/, '0000000000000000');

    // Act
    const bad = s.runner.start(s.arns.syncTargets, { bindings: [{ cluster: 'edge', targetGroupArn: group.arn, port: 0 }] });
    const typo = s.runner.start(s.arns.syncTargets, { binding: [] });
    const missing = s.runner.start(s.arns.syncTargets, { bindings: [{ cluster: 'edge', targetGroupArn: unknownGroup, port: 80 }] });
    await s.run();

    // Assess
    expect(s.execution(bad).error).toBe('InvalidInput');
    expect(s.execution(bad).cause).toContain('port');
    expect(s.execution(typo).error).toBe('InvalidInput');
    expect(s.execution(typo).cause).toContain('binding');
    expect(s.execution(missing).error).toBe('NotFound');
    expect(mutatingCalls(s, mark).map((x) => x.operation)).toEqual(['StartExecution', 'StartExecution', 'StartExecution']);
  });
});

describe('Function: instanceChangeTrigger', () => {
  it('coalesces a burst of events into one execution per window, and ignores a malformed event', async () => {
    // Prepare
    const { sim: s } = edge();
    const event = (id: string) => ({ source: 'aws.ec2', 'detail-type': 'EC2 Instance State-change Notification', detail: { 'instance-id': id, state: 'running' } });

    // Act
    const results = [];
    for (let i = 0; i < 5; i++) results.push(await s.runner.invoke('instanceChangeTrigger', event(`i-0000000000000000${i}`)));
    const malformed = await s.runner.invoke('instanceChangeTrigger', { source: 'aws.ec2', 'detail-type': 'Something Else', detail: {} });
    await s.run();

    // Assess
    // StartExecution with the same name and input while the first runs returns that execution (AWS's idempotency).
    expect(new Set(results.map((r) => r.execution)).size).toBe(1);
    expect(results.every((r) => r.outcome !== 'malformed')).toBe(true);
    expect(malformed.outcome).toBe('malformed');
    expect([...s.world.sfn.executions.values()]).toHaveLength(1);
  });
});
