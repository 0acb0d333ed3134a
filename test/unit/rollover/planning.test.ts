import type { ContainerInstanceSummary } from '../../../functions/lib/aws/container-instances';
import { parseRolloverInput } from '../../../functions/rollover/input';
import { buildPlan, estimateCapacity, estimateDuration, type PlanFacts } from '../../../functions/rollover/planning';

const OLD_FLEET = 'sfr-11111111-1111-4111-8111-111111111111';
const TG = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web/0123456789abcdef';
const M5_LARGE = { cpu: 2048, memory: 7936 };
const M5_XLARGE = { cpu: 4096, memory: 16128 };

/** A container instance of the old fleet with `usedCpu` / `usedMemory` reserved by tasks. */
function instance(n: number, options: { type?: string; usedCpu?: number; usedMemory?: number; ports?: string[]; agent?: boolean } = {}): ContainerInstanceSummary {
  const type = options.type ?? 'm5.large';
  const size = type === 'm5.large' ? M5_LARGE : M5_XLARGE;
  return {
    arn: `arn:aws:ecs:us-east-1:123456789012:container-instance/demo/${n}`,
    ec2InstanceId: `i-${String(n).padStart(17, '0')}`,
    status: 'ACTIVE',
    agentConnected: options.agent ?? true,
    runningTasks: options.usedCpu ? 2 : 0,
    pendingTasks: 0,
    instanceType: type,
    registeredCpu: size.cpu,
    registeredMemory: size.memory,
    freeCpu: size.cpu - (options.usedCpu ?? 0),
    freeMemory: size.memory - (options.usedMemory ?? 0),
    usedPorts: options.ports ?? [],
    holdsReservations: Boolean(options.usedCpu),
  };
}

/** Four m5.large of one old fleet (4 units of m5.large ×1 / m5.xlarge ×2), two services, one target group. */
function facts(overrides: Partial<PlanFacts> = {}, input: Record<string, unknown> = {}): PlanFacts {
  const instances = [1, 2, 3, 4].map((n) => instance(n, { usedCpu: 1024, usedMemory: 2048 }));
  return {
    request: parseRolloverInput({ cluster: 'demo', dryRun: true, ...input }),
    targetAmi: { imageId: 'ami-0281c9a5cd9de63bd', source: 'input' },
    discovery: {
      fleets: [{ fleetId: OLD_FLEET, targetCapacity: 4, instances: 4, amis: ['ami-0a1b2c3d4e5f60718'], usesLaunchTemplate: false, current: false }],
      replace: [OLD_FLEET],
      upToDate: false,
      containerInstances: 4,
      otherInstances: 0,
      targetGroupArns: [TG],
      message: 'Replacing 1 of 1 Spot Fleet(s)',
    },
    fleets: [
      {
        fleetId: OLD_FLEET,
        targetCapacity: 4,
        allocationStrategy: 'diversified',
        launchOptions: [
          { instanceType: 'm5.large', weight: 1 },
          { instanceType: 'm5.large', weight: 1 },
          { instanceType: 'm5.xlarge', weight: 2 },
        ],
        instances: instances.map((ci) => ({ instanceId: ci.ec2InstanceId, instanceType: 'm5.large' })),
      },
    ],
    groupInstanceIds: [],
    clusterInstances: instances,
    typeCapacities: { 'm5.large': M5_LARGE, 'm5.xlarge': M5_XLARGE },
    services: [
      { name: 'web', desired: 4, running: 4, minimumHealthyPercent: 100, maximumPercent: 200, targetGroupArns: [TG] },
      { name: 'worker', desired: 4, running: 4, minimumHealthyPercent: 50, maximumPercent: 200, targetGroupArns: [] },
    ],
    tasksOnOldInstances: [
      { group: 'service:web', count: 4 },
      { group: 'service:worker', count: 4 },
    ],
    targetGroups: [{ targetGroupArn: TG, name: 'web', healthySeconds: 150, deregistrationDelaySeconds: 300 }],
    ...overrides,
  };
}

describe('Function: buildPlan', () => {
  it('plans the roll of a healthy cluster: fleets, launch options, tasks per service, no reason to stop', () => {
    // Prepare
    const input = facts();

    // Act
    const plan = buildPlan(input);

    // Assess
    expect(plan.verdict).toBe('wouldRoll');
    expect(plan.refusals).toEqual([]);
    expect(plan.fleets).toEqual([
      expect.objectContaining({
        fleetId: OLD_FLEET,
        action: 'replace',
        targetCapacity: 4,
        instances: 4,
        launchOptions: [
          { instanceType: 'm5.large', weight: 1, instances: 4, ...M5_LARGE },
          { instanceType: 'm5.xlarge', weight: 2, instances: 0, ...M5_XLARGE },
        ],
      }),
    ]);
    expect(plan.services.map((s) => [s.name, s.floor, s.tasksToMove])).toEqual([
      ['web', 4, 4],
      ['worker', 2, 4],
    ]);
    expect(plan.drain).toMatchObject({ instances: 4, batches: 1, perBatch: 4, standaloneTasks: [] });
    expect(plan.capacity.verdict).toBe('fits');
    expect(plan.summary).toMatch(/^Would replace 1 Spot Fleet\(s\) of demo \(4 instance\(s\)\) with fleets on ami-0281c9a5cd9de63bd/);
  });

  it('refuses with RolloverInProgress when a running execution holds the lock, and only warns of a stale one', () => {
    // Prepare
    const held = facts({ lock: { owner: 'arn:aws:states:us-east-1:123456789012:execution:x:first', since: '2026-11-01T10:00:00Z', running: true } });
    const stale = facts({ lock: { owner: 'arn:aws:states:us-east-1:123456789012:execution:x:old', since: '2026-10-01T10:00:00Z', running: false } });

    // Act
    const refused = buildPlan(held);
    const allowed = buildPlan(stale);

    // Assess
    expect(refused.verdict).toBe('wouldBeRefused');
    expect(refused.refusals).toEqual([expect.objectContaining({ error: 'RolloverInProgress', at: 'AcquireLock', reason: expect.stringContaining(':first') })]);
    expect(allowed.verdict).toBe('wouldRoll');
    expect(allowed.warnings).toEqual([expect.stringContaining('stale lock')]);
  });

  it('refuses with AccessDenied a cluster the deployment does not manage', () => {
    // Prepare
    const input = facts({ managedClusters: ['web', 'api'] });

    // Act
    const plan = buildPlan(input);

    // Assess
    expect(plan.refusals).toEqual([expect.objectContaining({ error: 'AccessDenied', reason: expect.stringContaining('web, api') })]);
  });

  it('refuses with DrainTimeout when a service can neither stop a task first nor start one more', () => {
    // Prepare
    const input = facts({
      services: [{ name: 'stuck', desired: 2, running: 2, minimumHealthyPercent: 100, maximumPercent: 100, targetGroupArns: [] }],
      tasksOnOldInstances: [{ group: 'service:stuck', count: 2 }],
    });

    // Act
    const plan = buildPlan(input);

    // Assess
    expect(plan.refusals).toEqual([expect.objectContaining({ error: 'DrainTimeout', at: 'CheckOldDrain', reason: expect.stringContaining('service stuck cannot move its tasks') })]);
  });

  it('warns of standalone tasks the drain would wait for, and of timeouts shorter than the expected steps', () => {
    // Prepare
    const input = facts({ tasksOnOldInstances: [{ group: 'service:web', count: 4 }, { group: 'family:nightly-report', count: 2 }] }, { drain: { timeoutSeconds: 120 }, replacementTimeoutSeconds: 60 });

    // Act
    const plan = buildPlan(input);

    // Assess
    expect(plan.drain.standaloneTasks).toEqual([{ group: 'family:nightly-report', count: 2 }]);
    expect(plan.warnings).toEqual(
      expect.arrayContaining([
        expect.stringContaining('2 standalone task(s) (family:nightly-report)'),
        expect.stringContaining('replacementTimeoutSeconds (60 s) is shorter'),
        expect.stringContaining('drain.timeoutSeconds (120 s) is shorter'),
      ]),
    );
  });

  it('says there is nothing to do when every fleet is current, whatever else it finds', () => {
    // Prepare
    const input = facts();
    input.discovery = { ...input.discovery, replace: [], upToDate: true, message: 'Every Spot Fleet of cluster demo already runs ami-0281c9a5cd9de63bd; nothing to do' };

    // Act
    const plan = buildPlan(input);

    // Assess
    expect(plan.verdict).toBe('nothingToDo');
    expect(plan.fleets[0].action).toBe('keep');
    expect(plan.drain.instances).toBe(0);
    expect(plan.summary).toContain('nothing to do');
  });

  it('drains in batches of drain.batchPercent', () => {
    // Prepare
    const input = facts({}, { drain: { batchPercent: 25 } });

    // Act
    const plan = buildPlan(input);

    // Assess
    expect(plan.drain).toMatchObject({ batches: 4, perBatch: 1 });
    expect(plan.duration.steps.map((s) => s.step)).toEqual(['replacement', 'drain batch 1/4', 'drain batch 2/4', 'drain batch 3/4', 'drain batch 4/4', 'retire']);
  });
});

describe('Function: estimateCapacity', () => {
  it('depends on the instance types when only the larger type can hold the tasks', () => {
    // Prepare: 4 units; 6144 CPU units reserved. All m5.large: 4 × 2048 = 8192 fits; but a 1-unit c5-like type with 1024 does not.
    const old = [1, 2, 3].map((n) => instance(n, { usedCpu: 2048, usedMemory: 1024 }));
    const fleet = { fleetId: OLD_FLEET, targetCapacity: 4, allocationStrategy: 'lowestPrice', launchOptions: [{ instanceType: 'm5.large', weight: 1 }, { instanceType: 'tiny', weight: 1 }], instances: [] };

    // Act
    const estimate = estimateCapacity(old, [fleet], { 'm5.large': M5_LARGE, tiny: { cpu: 1024, memory: 4096 } });

    // Assess
    expect(estimate.verdict).toBe('dependsOnInstanceTypes');
    expect(estimate.byInstanceType).toEqual([
      expect.objectContaining({ instanceType: 'm5.large', instances: 4, fits: true }),
      expect.objectContaining({ instanceType: 'tiny', instances: 4, fits: false, reason: '4096 CPU units free on the replacement, 6144 reserved by tasks to move' }),
    ]);
  });

  it('does not fit when a static host port is used on more old instances than any replacement has', () => {
    // Prepare: port 80 on 3 old instances; 4 units of a weight-2 type make 2 instances.
    const old = [1, 2, 3].map((n) => instance(n, { usedCpu: 256, usedMemory: 256, ports: ['80'] }));
    const fleet = { fleetId: OLD_FLEET, targetCapacity: 4, allocationStrategy: 'lowestPrice', launchOptions: [{ instanceType: 'm5.xlarge', weight: 2 }], instances: [] };

    // Act
    const estimate = estimateCapacity(old, [fleet], { 'm5.xlarge': M5_XLARGE });

    // Assess
    expect(estimate.verdict).toBe('doesNotFit');
    expect(estimate.reason).toContain('host port 80 is used on 3 instance(s) to drain but free on only 2 replacement instance(s)');
  });
});

describe('Function: estimateDuration', () => {
  it('follows the state machine: first look after the boot time, polls, and the slowest service move per batch', () => {
    // Prepare
    const request = parseRolloverInput({ cluster: 'demo', pollSeconds: 30 });
    const services = [{ name: 'web', desired: 4, running: 4, minimumHealthyPercent: 100, maximumPercent: 200, floor: 4, tasksToMove: 4, targetGroupArns: [TG] }];
    const groups = [{ targetGroupArn: TG, name: 'web', healthySeconds: 150, deregistrationDelaySeconds: 300 }];

    // Act
    const estimate = estimateDuration(request, services, groups, 2);

    // Assess: 30 start + 150 healthy + 300 deregistration + 10 stop = 490 → 510 at the 30 s polls.
    expect(estimate.steps).toEqual([
      expect.objectContaining({ step: 'replacement', seconds: 120 }),
      expect.objectContaining({ step: 'drain batch 1/2', seconds: 510 }),
      expect.objectContaining({ step: 'drain batch 2/2', seconds: 510 }),
      expect.objectContaining({ step: 'retire', seconds: 5 }),
    ]);
    expect(estimate.expectedSeconds).toBe(1145);
    expect(estimate.boundSeconds).toBe(900 + 1800 + 5);
  });
});
