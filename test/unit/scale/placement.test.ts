import type { TaskDefinition } from '@aws-sdk/client-ecs';
import type { ContainerInstanceSummary } from '../../../functions/lib/aws/container-instances';
import type { LaunchOption } from '../../../functions/lib/aws/launch-options';
import {
  chooseSpare,
  fitsPerOption,
  placeableTasks,
  taskNeeds,
  tasksForUnits,
  tasksThatFit,
  unitsForTasks,
  type SpareCandidate,
  type TaskNeeds,
} from '../../../functions/scale/placement';

let serial = 0;

/** A c5.xlarge-sized container instance (4096 CPU, 7936 MiB) with `tasks` tasks of `cpu` / `memory` each. */
function instance(options: { tasks?: number; cpu?: number; memory?: number; ports?: string[]; status?: string; agentConnected?: boolean } = {}): ContainerInstanceSummary {
  serial++;
  const tasks = options.tasks ?? 0;
  const usedCpu = tasks * (options.cpu ?? 1024);
  const usedMemory = tasks * (options.memory ?? 512);
  return {
    arn: `arn:aws:ecs:us-east-1:123456789012:container-instance/demo/${String(serial).padStart(4, '0')}`,
    ec2InstanceId: `i-${String(serial).padStart(17, '0')}`,
    status: options.status ?? 'ACTIVE',
    agentConnected: options.agentConnected ?? true,
    runningTasks: tasks,
    pendingTasks: 0,
    instanceType: 'c5.xlarge',
    registeredCpu: 4096,
    registeredMemory: 7936,
    freeCpu: 4096 - usedCpu,
    freeMemory: 7936 - usedMemory,
    usedPorts: options.ports ?? [],
    holdsReservations: tasks > 0 || Boolean(options.ports?.length),
  };
}

const WEB: TaskNeeds = { cpu: 1024, memory: 512, hostPorts: [] };

describe('Function: taskNeeds', () => {
  it('takes the task-level CPU and memory when the task definition sets them', () => {
    // Prepare
    const td: TaskDefinition = { cpu: '1024', memory: '2048', networkMode: 'bridge', containerDefinitions: [{ name: 'a', cpu: 256, memory: 512 }] };

    // Act
    const needs = taskNeeds(td);

    // Assess
    expect(needs).toEqual({ cpu: 1024, memory: 2048, hostPorts: [] });
  });

  it('adds up the containers otherwise, the soft memory reservation first', () => {
    // Prepare
    const td: TaskDefinition = {
      networkMode: 'bridge',
      containerDefinitions: [
        { name: 'app', cpu: 512, memory: 1024, memoryReservation: 768 },
        { name: 'sidecar', cpu: 128, memory: 256 },
      ],
    };

    // Act
    const needs = taskNeeds(td);

    // Assess
    expect(needs).toEqual({ cpu: 640, memory: 1024, hostPorts: [] });
  });

  it('counts static TCP host ports in bridge mode, every container port in host mode, none in awsvpc mode', () => {
    // Prepare
    const mappings = [
      { containerPort: 8080, hostPort: 0 },
      { containerPort: 80, hostPort: 80 },
      { containerPort: 53, hostPort: 53, protocol: 'udp' as const },
    ];
    const bridge: TaskDefinition = { cpu: '256', memory: '256', networkMode: 'bridge', containerDefinitions: [{ name: 'a', portMappings: mappings }] };
    const host: TaskDefinition = { ...bridge, networkMode: 'host', containerDefinitions: [{ name: 'a', portMappings: [{ containerPort: 9000 }] }] };
    const awsvpc: TaskDefinition = { ...bridge, networkMode: 'awsvpc' };

    // Act
    const ports = [bridge, host, awsvpc].map((td) => taskNeeds(td).hostPorts);

    // Assess
    expect(ports).toEqual([[80], [9000], []]);
  });
});

describe('Function: tasksThatFit / placeableTasks', () => {
  it('counts whole tasks per instance by CPU and memory, nothing on an instance that is not ACTIVE or not connected', () => {
    // Prepare
    const instances = [
      instance({ tasks: 1 }), // 3072 CPU free: 3 tasks
      instance({ tasks: 3, cpu: 1100 }), // 796 CPU free: none
      instance({ tasks: 0, status: 'DRAINING' }),
      instance({ tasks: 0, agentConnected: false }),
      instance({ tasks: 0, memory: 0 }), // 4 by CPU
    ];

    // Act
    const perInstance = instances.map((ci) => tasksThatFit(ci, WEB));
    const total = placeableTasks(instances, WEB);

    // Assess
    expect(perInstance).toEqual([3, 0, 0, 0, 4]);
    expect(total).toBe(7);
  });

  it('places one task per instance when the task needs a static host port, none where the port is taken', () => {
    // Prepare
    const needs = { cpu: 256, memory: 256, hostPorts: [80] };
    const free = instance();
    const taken = instance({ ports: ['80'] });

    // Act
    const fits = [tasksThatFit(free, needs), tasksThatFit(taken, needs)];

    // Assess
    expect(fits).toEqual([1, 0]);
  });

  it('is bound by memory when memory is the scarcer resource', () => {
    // Prepare
    const needs = { cpu: 256, memory: 3000, hostPorts: [] };

    // Act
    const fit = tasksThatFit(instance(), needs);

    // Assess
    expect(fit).toBe(2);
  });
});

describe('Function: unitsForTasks / tasksForUnits (weighted capacity)', () => {
  const capacities = {
    'c5.xlarge': { cpu: 4096, memory: 7936 },
    'm5.large': { cpu: 2048, memory: 7936 },
    'c5.large': { cpu: 2048, memory: 3840 },
  };

  it('counts units, not instances: 4 tasks need 2 units of c5.xlarge (weight 2) or of m5.large (weight 1)', () => {
    // Prepare
    const options: LaunchOption[] = [
      { instanceType: 'c5.xlarge', weight: 2 },
      { instanceType: 'm5.large', weight: 1 },
    ];
    const fits = fitsPerOption(options, capacities, WEB);

    // Act
    const { units } = unitsForTasks(4, fits);

    // Assess
    expect(fits.map((f) => f.tasksPerInstance)).toEqual([4, 2]);
    expect(units).toBe(2);
  });

  it('asks for enough units whatever option the fleet launches: the one holding the fewest tasks per unit decides', () => {
    // Prepare: c5.xlarge holds 4 tasks for 4 units (1 per unit), m5.large 2 for 1 unit
    const options: LaunchOption[] = [
      { instanceType: 'c5.xlarge', weight: 4 },
      { instanceType: 'm5.large', weight: 1 },
    ];
    const fits = fitsPerOption(options, capacities, WEB);

    // Act
    const { units } = unitsForTasks(5, fits);

    // Assess: 5 tasks on c5.xlarge = 2 instances = 8 units; on m5.large = 3 instances = 3 units
    expect(units).toBe(8);
  });

  it('leaves out a type that cannot hold one task, and gives no answer when none can', () => {
    // Prepare
    const big = { cpu: 3000, memory: 512, hostPorts: [] };
    const some = fitsPerOption([{ instanceType: 'c5.xlarge', weight: 2 }, { instanceType: 'c5.large', weight: 1 }], capacities, big);
    const none = fitsPerOption([{ instanceType: 'c5.large', weight: 1 }], capacities, big);

    // Act
    const withSome = unitsForTasks(3, some);
    const withNone = unitsForTasks(3, none);

    // Assess
    expect(withSome).toEqual({ units: 6, useless: ['c5.large'] });
    expect(withNone).toEqual({ units: undefined, useless: ['c5.large'] });
  });

  it('gives no task for an option it knows no capacity of', () => {
    // Prepare
    const fits = fitsPerOption([{ instanceType: 'r5.large', weight: 1 }], capacities, WEB);

    // Act
    const { units } = unitsForTasks(1, fits);

    // Assess
    expect(fits[0].tasksPerInstance).toBe(0);
    expect(units).toBeUndefined();
  });

  it('counts the tasks a number of units surely holds, whole instances only', () => {
    // Prepare
    const fits = fitsPerOption(
      [
        { instanceType: 'c5.xlarge', weight: 2 },
        { instanceType: 'm5.large', weight: 1 },
      ],
      capacities,
      WEB,
    );

    // Act
    const held = [0, 1, 2, 3, 5].map((u) => tasksForUnits(u, fits));

    // Assess: 1 unit is no whole c5.xlarge, so nothing is sure; 3 units = one c5.xlarge or three m5.large
    expect(held).toEqual([0, 0, 4, 4, 8]);
  });
});

describe('Function: chooseSpare', () => {
  const candidate = (ci: ContainerInstanceSummary, weight = 2): SpareCandidate => ({ ci, weight });

  it('chooses the instances with the fewest tasks first and keeps the headroom', () => {
    // Prepare: 6 web tasks on 4 instances with room for 16
    const a = candidate(instance({ tasks: 3 }));
    const b = candidate(instance({ tasks: 0 }));
    const c = candidate(instance({ tasks: 2 }));
    const d = candidate(instance({ tasks: 1 }));

    // Act
    const spare = chooseSpare([a, b, c, d], [], { fleetUnits: 8, minCapacity: 2, headroomInstances: 1 });

    // Assess: b (0), d (1) can go; c (2) too, but then a alone could not take 3 more; headroom keeps d
    expect(spare.map((s) => s.ci.ec2InstanceId)).toEqual([b.ci.ec2InstanceId]);
  });

  it('gives back every spare instance without headroom, but never below the minimum capacity', () => {
    // Prepare
    const empty = [1, 2, 3, 4].map(() => candidate(instance()));

    // Act
    const withoutHeadroom = chooseSpare(empty, [], { fleetUnits: 8, minCapacity: 0, headroomInstances: 0 });
    const withMinimum = chooseSpare(empty, [], { fleetUnits: 8, minCapacity: 4, headroomInstances: 0 });

    // Assess
    expect(withoutHeadroom).toHaveLength(4);
    expect(withMinimum).toHaveLength(2);
  });

  it('chooses nothing when the tasks need every instance', () => {
    // Prepare: 4 full instances
    const full = [1, 2, 3, 4].map(() => candidate(instance({ tasks: 4 })));

    // Act
    const spare = chooseSpare(full, [], { fleetUnits: 8, minCapacity: 0, headroomInstances: 0 });

    // Assess
    expect(spare).toEqual([]);
  });

  it('counts the room on instances outside the fleet, and takes the heavier of two empty instances first', () => {
    // Prepare
    const light = candidate(instance(), 1);
    const heavy = candidate(instance(), 2);
    const busy = candidate(instance({ tasks: 4 }));
    const other = instance();

    // Act
    const spare = chooseSpare([light, heavy, busy], [other], { fleetUnits: 5, minCapacity: 0, headroomInstances: 0 });

    // Assess: busy's 4 tasks fit on `other` once light and heavy are gone
    expect(spare.map((s) => s.weight)).toEqual([2, 1, 2]);
  });

  it('keeps an instance whose static host port is free nowhere else', () => {
    // Prepare
    const a = candidate(instance({ tasks: 1, cpu: 256, memory: 256, ports: ['80'] }));
    const b = candidate(instance({ tasks: 1, cpu: 256, memory: 256, ports: ['80'] }));

    // Act
    const spare = chooseSpare([a, b], [], { fleetUnits: 4, minCapacity: 0, headroomInstances: 0 });

    // Assess
    expect(spare).toEqual([]);
  });
});
