import { DescribeTargetHealthCommand, RegisterTargetsCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import type { World } from '../../../sim/world';
import { emptyAccount, errorOf, requestFleet } from './helpers';

/** A world with three running instances (no cluster) and an empty target group with a 60 s deregistration delay. */
function setUp(): { world: World; tg: string; ids: string[] } {
  const world = emptyAccount();
  const fleetId = requestFleet(world, { TargetCapacity: 3 });
  world.advance(300);
  const tg = world.elbv2.createTargetGroup('web', 80, { deregistrationDelaySeconds: 60, healthCheck: { intervalSeconds: 10, healthyThreshold: 3 } }).arn;
  return { world, tg, ids: world.ec2.instancesOfFleet(fleetId).map((i) => i.id) };
}

function health(world: World, tg: string, targets?: { Id: string; Port: number }[]) {
  const res = world.router.call('elbv2', 'DescribeTargetHealth', { TargetGroupArn: tg, ...(targets ? { Targets: targets } : {}) }) as {
    TargetHealthDescriptions: { Target: { Id: string; Port: number }; TargetHealth: { State: string; Reason?: string } }[];
  };
  return res.TargetHealthDescriptions.map((d) => ({ id: d.Target.Id, port: d.Target.Port, state: d.TargetHealth.State, reason: d.TargetHealth.Reason }));
}

describe('Class: Elbv2Sim', () => {
  it('fails the whole RegisterTargets call with InvalidTarget when one instance is not running, registering none', async () => {
    // Prepare
    const { world, tg, ids } = setUp();
    world.router.call('ec2', 'TerminateInstances', { InstanceIds: [ids[2]] });

    // Act
    const result = world.clients.elbv2.send(new RegisterTargetsCommand({ TargetGroupArn: tg, Targets: [{ Id: ids[0], Port: 32768 }, { Id: ids[1], Port: 32768 }, { Id: ids[2], Port: 32768 }] }));

    // Assess
    await expect(result).rejects.toMatchObject({
      name: 'InvalidTarget',
      message: `The following targets are not in a running state and cannot be registered: '${ids[2]}'`,
      $metadata: { httpStatusCode: 400 },
    });
    const { TargetHealthDescriptions } = await world.clients.elbv2.send(new DescribeTargetHealthCommand({ TargetGroupArn: tg }));
    expect(TargetHealthDescriptions).toEqual([]);
  });

  it('refuses an instance id that does not exist', () => {
    // Prepare
    const { world, tg } = setUp();

    // Act
    const error = errorOf(world, 'elbv2', 'RegisterTargets', { TargetGroupArn: tg, Targets: [{ Id: 'i-0123456789abcdef0', Port: 80 }] });

    // Assess
    expect(error.name).toBe('InvalidTarget');
    expect(health(world, tg)).toEqual([]);
  });

  it('registers running instances as initial, then checks their health', () => {
    // Prepare
    const { world, tg, ids } = setUp();

    // Act
    world.router.call('elbv2', 'RegisterTargets', { TargetGroupArn: tg, Targets: [{ Id: ids[0], Port: 32768 }] });
    const registered = health(world, tg);
    world.advance(60);

    // Assess: nothing listens on the port, so the checks fail
    expect(registered).toEqual([{ id: ids[0], port: 32768, state: 'initial', reason: 'Elb.RegistrationInProgress' }]);
    expect(health(world, tg)).toEqual([{ id: ids[0], port: 32768, state: 'unhealthy', reason: 'Target.FailedHealthChecks' }]);
  });

  it('accepts DeregisterTargets of targets it does not know', () => {
    // Prepare
    const { world, tg, ids } = setUp();
    world.router.call('elbv2', 'RegisterTargets', { TargetGroupArn: tg, Targets: [{ Id: ids[0], Port: 32768 }] });

    // Act
    const unknown = () => world.router.call('elbv2', 'DeregisterTargets', { TargetGroupArn: tg, Targets: [{ Id: 'i-0123456789abcdef0', Port: 80 }, { Id: ids[0], Port: 32769 }] });

    // Assess
    expect(unknown).not.toThrow();
    expect(health(world, tg).map((t) => t.state)).toEqual(['initial']);
  });

  it('keeps a deregistered target draining for the deregistration delay, then forgets it', () => {
    // Prepare
    const { world, tg, ids } = setUp();
    world.router.call('elbv2', 'RegisterTargets', { TargetGroupArn: tg, Targets: [{ Id: ids[0], Port: 32768 }] });
    world.advance(60);

    // Act
    world.router.call('elbv2', 'DeregisterTargets', { TargetGroupArn: tg, Targets: [{ Id: ids[0], Port: 32768 }] });
    const right = health(world, tg);
    world.advance(59);
    const justBefore = health(world, tg);
    world.advance(1);

    // Assess
    expect(right).toEqual([{ id: ids[0], port: 32768, state: 'draining', reason: 'Target.DeregistrationInProgress' }]);
    expect(justBefore.map((t) => t.state)).toEqual(['draining']);
    expect(health(world, tg)).toEqual([]);
    expect(health(world, tg, [{ Id: ids[0], Port: 32768 }])).toEqual([{ id: ids[0], port: 32768, state: 'unused', reason: 'Target.NotRegistered' }]);
  });

  it("turns a terminated instance's target unused", () => {
    // Prepare
    const { world, tg, ids } = setUp();
    world.router.call('elbv2', 'RegisterTargets', { TargetGroupArn: tg, Targets: [{ Id: ids[0], Port: 32768 }, { Id: ids[1], Port: 32768 }] });
    world.advance(60);

    // Act
    world.router.call('ec2', 'TerminateInstances', { InstanceIds: [ids[0]] });
    world.advance(120);

    // Assess
    expect(health(world, tg)).toEqual([
      { id: ids[0], port: 32768, state: 'unused', reason: 'Target.InvalidState' },
      { id: ids[1], port: 32768, state: 'unhealthy', reason: 'Target.FailedHealthChecks' },
    ]);
  });
});
