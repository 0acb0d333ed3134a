import type { World } from '../world';
import type { SimInstance } from './ec2';
import { awsError } from './errors';
import { ECS_RESERVED_MEMORY_MIB, ECS_RESERVED_PORTS, INSTANCE_TYPES } from './catalog';
import { compileClusterQuery } from './cluster-query';

export type ContainerInstanceStatus = 'REGISTERING' | 'REGISTRATION_FAILED' | 'ACTIVE' | 'INACTIVE' | 'DEREGISTERING' | 'DRAINING';
export type TaskStatus = 'PROVISIONING' | 'PENDING' | 'ACTIVATING' | 'RUNNING' | 'DEACTIVATING' | 'STOPPING' | 'DEPROVISIONING' | 'STOPPED';

export interface SimContainerInstance {
  arn: string;
  cluster: string;
  instanceId: string;
  status: ContainerInstanceStatus;
  agentConnected: boolean;
  registeredAt: number;
  version: number;
  cpu: number;
  memory: number;
  attributes: Record<string, string>;
  /** Tasks not yet STOPPED. */
  tasks: Set<SimTask>;
  /** Until then, ListContainerInstances does not show it yet (eventual consistency, a fault). */
  visibleAt?: number;
  /** What those tasks reserve (kept as tasks come and go: placement reads it for every candidate). */
  used: { cpu: number; memory: number; ports: Set<number> };
}

export interface SimTaskDefinition {
  arn: string;
  family: string;
  revision: number;
  cpu: number;
  memory: number;
  containers: { name: string; portMappings: { containerPort: number; hostPort: number; protocol: 'tcp' | 'udp' }[] }[];
}

export interface SimService {
  arn: string;
  name: string;
  cluster: string;
  taskDefinition: string;
  desiredCount: number;
  minimumHealthyPercent: number;
  maximumPercent: number;
  loadBalancers: { targetGroupArn: string; containerName: string; containerPort: number }[];
  events: { id: string; createdAt: number; message: string }[];
  createdAt: number;
  tags: Map<string, string>;
  tasks: Set<SimTask>;
  /** Tasks counted healthy (RUNNING, desired RUNNING, passing health checks). */
  healthyCount: number;
  steady: boolean;
  lastUnplacedEventAt?: number;
}

export interface SimTask {
  arn: string;
  cluster: string;
  taskDefinition: SimTaskDefinition;
  containerInstance: SimContainerInstance;
  group: string;
  service?: SimService;
  startedBy?: string;
  lastStatus: TaskStatus;
  desiredStatus: 'RUNNING' | 'STOPPED';
  createdAt: number;
  startedAt?: number;
  stoppingAt?: number;
  stoppedAt?: number;
  stoppedReason?: string;
  stopCode?: string;
  hostPorts: { containerName: string; containerPort: number; hostPort: number; protocol: 'tcp' | 'udp' }[];
  healthy: boolean;
  /** Standalone tasks end by themselves after this many seconds (undefined: never). */
  runSeconds?: number;
  /** The task died with its instance instead of being stopped. */
  lost?: boolean;
}

export interface EcsBehaviour {
  agentRegisterSeconds: [number, number];
  taskStartSeconds: [number, number];
  taskStopSeconds: [number, number];
  /** A task without a load balancer counts as healthy this long after RUNNING. */
  healthyWithoutLbSeconds: number;
  /** How often the service scheduler looks at the cluster when something changed. */
  schedulerSeconds: number;
  /** Instances launched from these AMIs never register (a broken agent on a new AMI). */
  agentNeverConnectsOn: Set<string>;
}

export interface ClusterState {
  name: string;
  arn: string;
  containerInstances: Map<string, SimContainerInstance>;
  byInstanceId: Map<string, SimContainerInstance>;
  services: Map<string, SimService>;
  tasks: Map<string, SimTask>;
}

const EPHEMERAL_FIRST = 32768;
const EPHEMERAL_LAST = 60999;

function pageOf<T>(items: T[], maxResults: number | undefined, nextToken: string | undefined, def: number, max: number) {
  if (maxResults !== undefined && (maxResults < 1 || maxResults > max)) throw awsError('InvalidParameterException', `maxResults must be between 1 and ${max}`);
  const size = maxResults ?? def;
  const start = nextToken ? Number(Buffer.from(nextToken, 'base64').toString()) : 0;
  if (!Number.isInteger(start)) throw awsError('InvalidParameterException', 'Invalid nextToken');
  const slice = items.slice(start, start + size);
  return { slice, nextToken: start + size < items.length ? Buffer.from(String(start + size)).toString('base64') : undefined };
}

/** ECS: container instances, services with their scheduler, task placement and DRAINING as AWS does it. */
export class EcsSim {
  readonly clusters = new Map<string, ClusterState>();
  readonly taskDefinitions = new Map<string, SimTaskDefinition>();
  readonly behaviour: EcsBehaviour = {
    agentRegisterSeconds: [10, 30],
    taskStartSeconds: [5, 20],
    taskStopSeconds: [2, 10],
    healthyWithoutLbSeconds: 40,
    schedulerSeconds: 5,
    agentNeverConnectsOn: new Set(),
  };
  private schedulerQueued = false;

  constructor(private readonly world: World) {}

  // ---- setup helpers -----------------------------------------------------------------------

  createCluster(name: string): ClusterState {
    const cluster: ClusterState = {
      name,
      arn: `arn:aws:ecs:${this.world.region}:${this.world.account}:cluster/${name}`,
      containerInstances: new Map(),
      byInstanceId: new Map(),
      services: new Map(),
      tasks: new Map(),
    };
    this.clusters.set(name, cluster);
    return cluster;
  }

  registerTaskDefinition(family: string, cpu: number, memory: number, ports: { containerPort: number; hostPort?: number }[] = []): SimTaskDefinition {
    const revision = [...this.taskDefinitions.values()].filter((t) => t.family === family).length + 1;
    const td: SimTaskDefinition = {
      arn: `arn:aws:ecs:${this.world.region}:${this.world.account}:task-definition/${family}:${revision}`,
      family,
      revision,
      cpu,
      memory,
      containers: [{ name: family, portMappings: ports.map((p) => ({ containerPort: p.containerPort, hostPort: p.hostPort ?? 0, protocol: 'tcp' as const })) }],
    };
    this.taskDefinitions.set(td.arn, td);
    return td;
  }

  createService(
    clusterName: string,
    name: string,
    td: SimTaskDefinition,
    desiredCount: number,
    options: { minimumHealthyPercent?: number; maximumPercent?: number; targetGroupArn?: string } = {},
  ): SimService {
    const cluster = this.cluster(clusterName);
    const service: SimService = {
      arn: `arn:aws:ecs:${this.world.region}:${this.world.account}:service/${clusterName}/${name}`,
      name,
      cluster: clusterName,
      taskDefinition: td.arn,
      desiredCount,
      minimumHealthyPercent: options.minimumHealthyPercent ?? 100,
      maximumPercent: options.maximumPercent ?? 200,
      loadBalancers: options.targetGroupArn
        ? [{ targetGroupArn: options.targetGroupArn, containerName: td.containers[0].name, containerPort: td.containers[0].portMappings[0]?.containerPort ?? 80 }]
        : [],
      events: [],
      createdAt: this.world.clock.now(),
      tags: new Map(),
      tasks: new Set(),
      healthyCount: 0,
      steady: false,
    };
    cluster.services.set(name, service);
    this.markDirty();
    return service;
  }

  /** Starts a standalone task (as RunTask would), optionally ending by itself after `runSeconds`. */
  runStandaloneTask(clusterName: string, td: SimTaskDefinition, options: { instanceId?: string; runSeconds?: number; startedBy?: string } = {}): SimTask | undefined {
    const cluster = this.cluster(clusterName);
    const candidates = [...cluster.containerInstances.values()].filter((ci) => !options.instanceId || ci.instanceId === options.instanceId);
    const ci = this.choose(cluster, td, candidates, undefined);
    if (!ci) return undefined;
    return this.startTask(cluster, ci, td, `family:${td.family}`, undefined, options.startedBy, options.runSeconds);
  }

  cluster(name: string): ClusterState {
    const key = name.startsWith('arn:') ? name.slice(name.indexOf('/') + 1) : name;
    const cluster = this.clusters.get(key);
    if (!cluster) throw awsError('ClusterNotFoundException', 'Cluster not found.');
    return cluster;
  }

  /** Tasks on an instance that have not stopped yet (RUNNING or on their way in or out). */
  liveTasksOn(instanceId: string): SimTask[] {
    for (const cluster of this.clusters.values()) {
      const ci = cluster.byInstanceId.get(instanceId);
      if (ci) return [...ci.tasks];
    }
    return [];
  }

  containerInstanceOf(instanceId: string): SimContainerInstance | undefined {
    for (const cluster of this.clusters.values()) {
      const ci = cluster.byInstanceId.get(instanceId);
      if (ci) return ci;
    }
    return undefined;
  }

  /** Whether a running task on the instance answers on this host port (what an ALB health check sees). */
  isListening(instanceId: string, port: number): boolean {
    const ci = this.containerInstanceOf(instanceId);
    if (!ci) return false;
    for (const task of ci.tasks) {
      if ((task.lastStatus === 'RUNNING' || task.lastStatus === 'DEACTIVATING') && task.hostPorts.some((b) => b.hostPort === port)) return true;
    }
    return false;
  }

  // ---- reactions to EC2 -------------------------------------------------------------------

  /** The instance booted: its agent registers with the cluster named in its user data. */
  onInstanceRunning(instance: SimInstance): void {
    const match = /ECS_CLUSTER=([A-Za-z0-9_-]+)/.exec(instance.userData);
    const clusterName = match ? match[1] : 'default';
    const cluster = this.clusters.get(clusterName);
    if (!cluster || this.behaviour.agentNeverConnectsOn.has(instance.imageId)) return;
    if (this.world.faults.chance(this.world.faults.settings.agentNeverConnectsRate, 'agent never connects')) return;
    this.world.clock.after(this.world.rng.between(...this.behaviour.agentRegisterSeconds), `agent ${instance.id}`, () => {
      if (instance.state !== 'running') return;
      const type = INSTANCE_TYPES[instance.type];
      const ci: SimContainerInstance = {
        arn: `arn:aws:ecs:${this.world.region}:${this.world.account}:container-instance/${cluster.name}/${this.world.rng.hex(32)}`,
        cluster: cluster.name,
        instanceId: instance.id,
        status: 'ACTIVE',
        agentConnected: true,
        registeredAt: this.world.clock.now(),
        version: 1,
        cpu: type.vcpu * 1024,
        memory: type.memoryMiB - ECS_RESERVED_MEMORY_MIB,
        attributes: {
          'ecs.ami-id': instance.imageId,
          'ecs.instance-type': instance.type,
          'ecs.availability-zone': instance.az,
          'ecs.os-type': 'linux',
          'ecs.capability.spot-draining': /ECS_ENABLE_SPOT_INSTANCE_DRAINING=true/.test(instance.userData) ? 'true' : 'false',
        },
        tasks: new Set(),
        used: { cpu: 0, memory: 0, ports: new Set(ECS_RESERVED_PORTS.map(Number)) },
        visibleAt: this.world.faults.visibleAt(this.world.clock.now()),
      };
      cluster.containerInstances.set(ci.arn, ci);
      if (this.world.faults.chance(this.world.faults.settings.agentDisconnectRate, 'agent disconnects')) this.disconnectForAWhile(ci, instance);
      cluster.byInstanceId.set(instance.id, ci);
      this.emitContainerInstanceChange(ci);
      this.markDirty();
    });
  }

  /** The instance is shutting down: its tasks die with it; a connected agent deregisters it. */
  onInstanceStopping(instance: SimInstance): void {
    const ci = this.containerInstanceOf(instance.id);
    if (!ci) return;
    for (const task of [...ci.tasks]) {
      task.lost = task.lastStatus !== 'STOPPED';
      this.finishStop(task, 'Host EC2 (instance ' + instance.id + ') terminated.', 'TerminationNotice');
    }
    if (ci.agentConnected) {
      ci.status = 'INACTIVE';
      ci.agentConnected = false;
    } else {
      ci.agentConnected = false;
    }
    ci.version++;
    this.emitContainerInstanceChange(ci);
    this.markDirty();
  }

  /** The agent loses its connection for a while (it does so several times an hour in normal operation). */
  private disconnectForAWhile(ci: SimContainerInstance, instance: SimInstance): void {
    const faults = this.world.faults;
    this.world.clock.after(faults.between(30, 600), `agent disconnects ${ci.instanceId}`, () => {
      if (instance.state !== 'running' || ci.status === 'INACTIVE') return;
      ci.agentConnected = false;
      ci.version++;
      this.world.clock.after(faults.between(20, 180), `agent reconnects ${ci.instanceId}`, () => {
        if (instance.state !== 'running' || ci.status === 'INACTIVE') return;
        ci.agentConnected = true;
        ci.version++;
        this.markDirty();
      });
    });
  }

  /** The agent sets its own instance DRAINING on a spot interruption notice when configured to. */
  onSpotInterruptionNotice(instanceId: string): void {
    const ci = this.containerInstanceOf(instanceId);
    if (ci && ci.status === 'ACTIVE' && ci.attributes['ecs.capability.spot-draining'] === 'true') {
      this.setStatus(ci, 'DRAINING');
    }
  }

  // ---- operations ---------------------------------------------------------------------------

  readonly operations = {
    DescribeClusters: (input: { clusters?: string[] }) => {
      const names = input.clusters ?? ['default'];
      const found: object[] = [];
      const failures: object[] = [];
      for (const n of names) {
        const key = n.startsWith('arn:') ? n.slice(n.indexOf('/') + 1) : n;
        const c = this.clusters.get(key);
        if (c) {
          found.push({
            clusterArn: c.arn,
            clusterName: c.name,
            status: 'ACTIVE',
            registeredContainerInstancesCount: [...c.containerInstances.values()].filter((ci) => ci.status !== 'INACTIVE').length,
            activeServicesCount: c.services.size,
            runningTasksCount: [...c.tasks.values()].filter((t) => t.lastStatus === 'RUNNING').length,
          });
        } else {
          failures.push({ arn: `arn:aws:ecs:${this.world.region}:${this.world.account}:cluster/${key}`, reason: 'MISSING' });
        }
      }
      return { clusters: found, failures };
    },

    ListContainerInstances: (input: { cluster?: string; filter?: string; status?: string; maxResults?: number; nextToken?: string }) => {
      const cluster = this.cluster(input.cluster ?? 'default');
      if (input.status && !['ACTIVE', 'DRAINING', 'REGISTERING', 'DEREGISTERING', 'REGISTRATION_FAILED'].includes(input.status)) {
        throw awsError('InvalidParameterException', `Invalid status filter ${input.status}`);
      }
      const query = input.filter ? compileClusterQuery(input.filter) : undefined;
      const now = this.world.clock.now();
      const list = [...cluster.containerInstances.values()].filter(
        (ci) => (ci.visibleAt ?? 0) <= now && (input.status ? ci.status === input.status : ci.status !== 'INACTIVE') && (!query || query((key) => this.lookup(ci, key))),
      );
      const { slice, nextToken } = pageOf(list, input.maxResults, input.nextToken, 100, 100);
      return { containerInstanceArns: slice.map((ci) => ci.arn), nextToken };
    },

    DescribeContainerInstances: (input: { cluster?: string; containerInstances: string[]; include?: string[] }) => {
      const cluster = this.cluster(input.cluster ?? 'default');
      if (input.containerInstances.length > 100) throw awsError('InvalidParameterException', 'containerInstances can have at most 100 items.');
      const found: object[] = [];
      const failures: object[] = [];
      for (const ref of input.containerInstances) {
        const ci = this.findContainerInstance(cluster, ref);
        if (ci) found.push(this.describeContainerInstance(ci));
        else failures.push({ arn: ref, reason: 'MISSING' });
      }
      return { containerInstances: found, failures };
    },

    UpdateContainerInstancesState: (input: { cluster?: string; containerInstances: string[]; status: string }) => {
      const cluster = this.cluster(input.cluster ?? 'default');
      if (input.containerInstances.length > 10) throw awsError('InvalidParameterException', 'containerInstances can have at most 10 items.');
      if (input.status !== 'ACTIVE' && input.status !== 'DRAINING') {
        throw awsError('InvalidParameterException', 'Container instances status should be one of [ACTIVE,DRAINING]');
      }
      const updated: object[] = [];
      const failures: object[] = [];
      for (const ref of input.containerInstances) {
        const ci = this.findContainerInstance(cluster, ref);
        if (!ci) {
          failures.push({ arn: ref, reason: 'MISSING' });
          continue;
        }
        if (ci.status !== 'ACTIVE' && ci.status !== 'DRAINING') {
          failures.push({ arn: ci.arn, reason: 'INVALID_STATE', detail: `Container instance is in ${ci.status} status` });
          continue;
        }
        this.setStatus(ci, input.status);
        updated.push(this.describeContainerInstance(ci));
      }
      return { containerInstances: updated, failures };
    },

    ListTasks: (input: {
      cluster?: string;
      containerInstance?: string;
      serviceName?: string;
      family?: string;
      startedBy?: string;
      desiredStatus?: string;
      maxResults?: number;
      nextToken?: string;
    }) => {
      const cluster = this.cluster(input.cluster ?? 'default');
      if (input.serviceName && (input.family || input.startedBy)) {
        throw awsError('InvalidParameterException', 'serviceName may not be specified with family or startedBy');
      }
      let ci: SimContainerInstance | undefined;
      if (input.containerInstance) {
        ci = this.findContainerInstance(cluster, input.containerInstance);
        if (!ci) throw awsError('InvalidParameterException', 'The referenced container instance was not found.');
      }
      if (input.serviceName && !cluster.services.has(input.serviceName)) throw awsError('ServiceNotFoundException', 'Service not found.');
      const desired = input.desiredStatus ?? 'RUNNING';
      const source = ci ? [...ci.tasks] : [...cluster.tasks.values()];
      const list = source.filter(
        (t) =>
          t.desiredStatus === desired &&
          (!input.serviceName || t.service?.name === input.serviceName) &&
          (!input.family || t.taskDefinition.family === input.family) &&
          (!input.startedBy || t.startedBy === input.startedBy),
      );
      const { slice, nextToken } = pageOf(list, input.maxResults, input.nextToken, 100, 100);
      return { taskArns: slice.map((t) => t.arn), nextToken };
    },

    DescribeTasks: (input: { cluster?: string; tasks: string[] }) => {
      const cluster = this.cluster(input.cluster ?? 'default');
      if (input.tasks.length > 100) throw awsError('InvalidParameterException', 'Tasks cannot have more than 100 items');
      const found: object[] = [];
      const failures: object[] = [];
      for (const ref of input.tasks) {
        const t = cluster.tasks.get(ref) ?? [...cluster.tasks.values()].find((x) => x.arn.endsWith(`/${ref}`));
        if (t) found.push(this.describeTask(t));
        else failures.push({ arn: ref, reason: 'MISSING' });
      }
      return { tasks: found, failures };
    },

    StopTask: (input: { cluster?: string; task: string; reason?: string }) => {
      const cluster = this.cluster(input.cluster ?? 'default');
      const t = cluster.tasks.get(input.task) ?? [...cluster.tasks.values()].find((x) => x.arn.endsWith(`/${input.task}`));
      if (!t) throw awsError('InvalidParameterException', 'The referenced task was not found.');
      this.stopTask(t, input.reason ?? 'Task stopped by user', 'UserInitiated');
      return { task: this.describeTask(t) };
    },

    ListServices: (input: { cluster?: string; maxResults?: number; nextToken?: string }) => {
      const cluster = this.cluster(input.cluster ?? 'default');
      const { slice, nextToken } = pageOf([...cluster.services.values()], input.maxResults, input.nextToken, 10, 100);
      return { serviceArns: slice.map((s) => s.arn), nextToken };
    },

    DescribeServices: (input: { cluster?: string; services: string[]; include?: string[] }) => {
      const cluster = this.cluster(input.cluster ?? 'default');
      if (input.services.length > 10) throw awsError('InvalidParameterException', 'services can have at most 10 items.');
      const found: object[] = [];
      const failures: object[] = [];
      for (const ref of input.services) {
        const name = ref.startsWith('arn:') ? ref.slice(ref.lastIndexOf('/') + 1) : ref;
        const s = cluster.services.get(name);
        if (s) found.push(this.describeService(s, input.include?.includes('TAGS') ?? false));
        else failures.push({ arn: ref, reason: 'MISSING' });
      }
      return { services: found, failures };
    },

    UpdateService: (input: { cluster?: string; service: string; desiredCount?: number }) => {
      const cluster = this.cluster(input.cluster ?? 'default');
      const name = input.service.startsWith('arn:') ? input.service.slice(input.service.lastIndexOf('/') + 1) : input.service;
      const s = cluster.services.get(name);
      if (!s) throw awsError('ServiceNotFoundException', 'Service not found.');
      if (input.desiredCount !== undefined) {
        if (input.desiredCount < 0) throw awsError('InvalidParameterException', 'desiredCount must be >= 0');
        s.desiredCount = input.desiredCount;
        s.steady = false;
      }
      this.markDirty();
      return { service: this.describeService(s, false) };
    },

    DescribeTaskDefinition: (input: { taskDefinition: string }) => {
      const td =
        this.taskDefinitions.get(input.taskDefinition) ??
        [...this.taskDefinitions.values()].find((t) => `${t.family}:${t.revision}` === input.taskDefinition || t.family === input.taskDefinition);
      if (!td) throw awsError('ClientException', 'Unable to describe task definition.');
      return {
        taskDefinition: {
          taskDefinitionArn: td.arn,
          family: td.family,
          revision: td.revision,
          cpu: String(td.cpu),
          memory: String(td.memory),
          networkMode: 'bridge',
          containerDefinitions: td.containers.map((c) => ({ name: c.name, cpu: td.cpu, memory: td.memory, essential: true, portMappings: c.portMappings })),
        },
      };
    },

    TagResource: (input: { resourceArn: string; tags: { key: string; value: string }[] }) => {
      const s = this.serviceByArn(input.resourceArn);
      for (const t of input.tags) s.tags.set(t.key, t.value);
      return {};
    },

    ListTagsForResource: (input: { resourceArn: string }) => {
      const s = this.serviceByArn(input.resourceArn);
      return { tags: [...s.tags].map(([key, value]) => ({ key, value })) };
    },
  };

  // ---- scheduler ------------------------------------------------------------------------------

  /** Something changed: the service scheduler takes a look at its next pass. */
  markDirty(): void {
    if (this.schedulerQueued) return;
    this.schedulerQueued = true;
    this.world.clock.after(this.behaviour.schedulerSeconds, 'ecs scheduler', () => {
      this.schedulerQueued = false;
      for (const cluster of this.clusters.values()) for (const s of cluster.services.values()) this.reconcile(cluster, s);
    });
  }

  private reconcile(cluster: ClusterState, s: SimService): void {
    const td = this.taskDefinitions.get(s.taskDefinition)!;
    const active = [...s.tasks].filter((t) => t.desiredStatus === 'RUNNING');
    const onDraining = active.filter((t) => t.containerInstance.status !== 'ACTIVE');
    const normal = active.filter((t) => t.containerInstance.status === 'ACTIVE');
    const D = s.desiredCount;
    const maxTasks = Math.floor((s.maximumPercent * D) / 100);
    const minHealthy = Math.ceil((s.minimumHealthyPercent * D) / 100);

    // PENDING tasks on a draining instance are stopped at once.
    for (const t of onDraining) {
      if (t.lastStatus === 'PROVISIONING' || t.lastStatus === 'PENDING') this.stopTask(t, 'Container instance is draining', 'ServiceSchedulerInitiated');
    }
    let activeCount = [...s.tasks].filter((t) => t.desiredStatus === 'RUNNING').length;

    // Scale in: stop surplus tasks on ACTIVE instances, pending ones first.
    if (normal.length > D) {
      const surplus = normal.length - D;
      const victims = [...normal].sort((a, b) => Number(a.lastStatus === 'RUNNING') - Number(b.lastStatus === 'RUNNING') || b.createdAt - a.createdAt).slice(0, surplus);
      for (const t of victims) this.stopTask(t, 'Service scaled in', 'ServiceSchedulerInitiated');
      activeCount -= victims.length;
    }

    // Start tasks (new or replacements) within maximumPercent.
    const want = D - Math.min(normal.length, D);
    const room = maxTasks - activeCount;
    const toStart = Math.max(0, Math.min(want, room));
    for (let i = 0; i < toStart; i++) {
      const ci = this.choose(cluster, td, [...cluster.containerInstances.values()], s);
      if (!ci) {
        this.unableToPlace(cluster, s, td);
        break;
      }
      this.startTask(cluster, ci, td, `service:${s.name}`, s, `ecs-svc/${s.name}`);
    }

    // Stop tasks on draining instances as far as minimumHealthyPercent allows.
    let healthy = s.healthyCount;
    const drainingRunning = onDraining.filter((t) => t.desiredStatus === 'RUNNING').sort((a, b) => a.createdAt - b.createdAt);
    for (const t of drainingRunning) {
      const loss = t.healthy ? 1 : 0;
      if (healthy - loss < minHealthy) break;
      healthy -= loss;
      this.stopTask(t, 'Container instance is draining', 'ServiceSchedulerInitiated');
    }

    const running = [...s.tasks].filter((t) => t.lastStatus === 'RUNNING' && t.desiredStatus === 'RUNNING').length;
    const isSteady = running === D && [...s.tasks].every((t) => t.desiredStatus === 'RUNNING' ? t.lastStatus === 'RUNNING' && t.containerInstance.status === 'ACTIVE' : false) ;
    if (isSteady && !s.steady) this.serviceEvent(s, `(service ${s.name}) has reached a steady state.`);
    s.steady = isSteady;
    if (!isSteady) this.markDirty();
  }

  private unableToPlace(cluster: ClusterState, s: SimService, td: SimTaskDefinition): void {
    const now = this.world.clock.now();
    if (s.lastUnplacedEventAt !== undefined && now - s.lastUnplacedEventAt < 60_000) return;
    s.lastUnplacedEventAt = now;
    const candidates = [...cluster.containerInstances.values()].filter((ci) => ci.status === 'ACTIVE' && ci.agentConnected);
    let reason = 'no container instance met all of its requirements';
    if (candidates.length > 0) {
      const closest = candidates.reduce((a, b) => (this.remaining(a).cpu >= this.remaining(b).cpu ? a : b));
      const r = this.remaining(closest);
      const what = r.cpu < td.cpu ? 'CPU units' : r.memory < td.memory ? 'memory' : 'available ports';
      reason += `. The closest matching (container-instance ${closest.arn.slice(closest.arn.lastIndexOf('/') + 1)}) has insufficient ${what} available. For more information, see the Troubleshooting section of the Amazon ECS Developer Guide.`;
    } else {
      reason += '. Reason: No Container Instances were found in your cluster. For more information, see the Troubleshooting section of the Amazon ECS Developer Guide.';
    }
    this.serviceEvent(s, `(service ${s.name}) was unable to place a task because ${reason}`);
  }

  private serviceEvent(s: SimService, message: string): void {
    s.events.unshift({ id: this.world.rng.uuid(), createdAt: this.world.clock.now(), message });
    if (s.events.length > 100) s.events.length = 100;
  }

  /** Free CPU and memory, and the ports in use (reserved ones included), as ECS reports remainingResources. */
  remaining(ci: SimContainerInstance): { cpu: number; memory: number; ports: Set<number> } {
    return { cpu: ci.cpu - ci.used.cpu, memory: ci.memory - ci.used.memory, ports: ci.used.ports };
  }

  private reserve(ci: SimContainerInstance, task: SimTask): void {
    ci.tasks.add(task);
    ci.used.cpu += task.taskDefinition.cpu;
    ci.used.memory += task.taskDefinition.memory;
    for (const b of task.hostPorts) ci.used.ports.add(b.hostPort);
  }

  private release(ci: SimContainerInstance, task: SimTask): void {
    if (!ci.tasks.delete(task)) return;
    ci.used.cpu -= task.taskDefinition.cpu;
    ci.used.memory -= task.taskDefinition.memory;
    for (const b of task.hostPorts) ci.used.ports.delete(b.hostPort);
  }

  private fits(ci: SimContainerInstance, td: SimTaskDefinition): boolean {
    const r = this.remaining(ci);
    if (r.cpu < td.cpu || r.memory < td.memory) return false;
    for (const c of td.containers) for (const p of c.portMappings) if (p.hostPort !== 0 && r.ports.has(p.hostPort)) return false;
    return true;
  }

  /** Default service placement: spread across Availability Zones, then across instances. */
  private choose(cluster: ClusterState, td: SimTaskDefinition, candidates: SimContainerInstance[], service: SimService | undefined): SimContainerInstance | undefined {
    const usable = candidates.filter((ci) => ci.status === 'ACTIVE' && ci.agentConnected && this.world.ec2.instances.get(ci.instanceId)?.state === 'running' && this.fits(ci, td));
    if (usable.length === 0) return undefined;
    const count = (ci: SimContainerInstance) => {
      let n = 0;
      for (const t of ci.tasks) if (t.desiredStatus === 'RUNNING' && (service ? t.service === service : true)) n++;
      return n;
    };
    const perAz = new Map<string, number>();
    if (service) {
      for (const t of service.tasks) {
        if (t.desiredStatus !== 'RUNNING' || t.containerInstance.status !== 'ACTIVE') continue;
        const az = t.containerInstance.attributes['ecs.availability-zone'];
        perAz.set(az, (perAz.get(az) ?? 0) + 1);
      }
    }
    let best: SimContainerInstance | undefined;
    let bestKey: [number, number, string] | undefined;
    for (const ci of usable) {
      const key: [number, number, string] = [perAz.get(ci.attributes['ecs.availability-zone']) ?? 0, count(ci), ci.arn];
      if (!bestKey || key[0] < bestKey[0] || (key[0] === bestKey[0] && (key[1] < bestKey[1] || (key[1] === bestKey[1] && key[2] < bestKey[2])))) {
        best = ci;
        bestKey = key;
      }
    }
    void cluster;
    return best;
  }

  private startTask(
    cluster: ClusterState,
    ci: SimContainerInstance,
    td: SimTaskDefinition,
    group: string,
    service: SimService | undefined,
    startedBy: string | undefined,
    runSeconds?: number,
  ): SimTask {
    const used = new Set(ci.used.ports);
    const hostPorts: SimTask['hostPorts'] = [];
    for (const c of td.containers) {
      for (const p of c.portMappings) {
        let hostPort = p.hostPort;
        if (hostPort === 0) {
          hostPort = EPHEMERAL_FIRST;
          while (used.has(hostPort) && hostPort < EPHEMERAL_LAST) hostPort++;
        }
        used.add(hostPort);
        hostPorts.push({ containerName: c.name, containerPort: p.containerPort, hostPort, protocol: p.protocol });
      }
    }
    const task: SimTask = {
      arn: `arn:aws:ecs:${this.world.region}:${this.world.account}:task/${cluster.name}/${this.world.rng.hex(32)}`,
      cluster: cluster.name,
      taskDefinition: td,
      containerInstance: ci,
      group,
      service,
      startedBy,
      lastStatus: 'PENDING',
      desiredStatus: 'RUNNING',
      createdAt: this.world.clock.now(),
      hostPorts,
      healthy: false,
      runSeconds,
    };
    cluster.tasks.set(task.arn, task);
    this.reserve(ci, task);
    service?.tasks.add(task);
    this.world.clock.after(this.world.rng.between(...this.behaviour.taskStartSeconds), `task running ${task.arn}`, () => {
      if (task.desiredStatus !== 'RUNNING' || task.lastStatus !== 'PENDING') return;
      if (this.world.faults.chance(this.world.faults.settings.taskStartFailureRate, 'task failed to start')) {
        this.finishStop(task, 'CannotPullContainerError: pull image manifest has been retried 5 time(s)', 'TaskFailedToStart');
        return;
      }
      task.lastStatus = 'RUNNING';
      task.startedAt = this.world.clock.now();
      for (const b of task.hostPorts) this.world.elbv2.onListenerChange(ci.instanceId, b.hostPort);
      if (service && service.loadBalancers.length > 0) {
        for (const lb of service.loadBalancers) {
          const binding = task.hostPorts.find((b) => b.containerName === lb.containerName && b.containerPort === lb.containerPort);
          if (binding) this.world.elbv2.registerInternal(lb.targetGroupArn, ci.instanceId, binding.hostPort);
        }
      } else {
        this.world.clock.after(this.behaviour.healthyWithoutLbSeconds, `task healthy ${task.arn}`, () => {
          if (task.desiredStatus === 'RUNNING' && task.lastStatus === 'RUNNING') this.setHealthy(task, true);
        });
      }
      if (runSeconds !== undefined) {
        this.world.clock.after(runSeconds, `task exits ${task.arn}`, () => this.stopTask(task, 'Essential container in task exited', 'EssentialContainerExited'));
      }
      this.markDirty();
    });
    return task;
  }

  /** Called by the ELB model when a task's target changes health. */
  onTargetHealth(targetGroupArn: string, instanceId: string, port: number, healthy: boolean): void {
    const ci = this.containerInstanceOf(instanceId);
    if (!ci) return;
    for (const task of ci.tasks) {
      if (!task.service || task.desiredStatus !== 'RUNNING' || task.lastStatus !== 'RUNNING') continue;
      if (!task.service.loadBalancers.some((lb) => lb.targetGroupArn === targetGroupArn)) continue;
      if (!task.hostPorts.some((b) => b.hostPort === port)) continue;
      this.setHealthy(task, healthy);
      this.markDirty();
    }
  }

  private setHealthy(task: SimTask, healthy: boolean): void {
    if (task.healthy === healthy) return;
    task.healthy = healthy;
    if (task.service) task.service.healthyCount += healthy ? 1 : -1;
  }

  /** Stops a task: with a load balancer its targets drain first (DEACTIVATING), then the container stops. */
  stopTask(task: SimTask, reason: string, stopCode: string): void {
    if (task.desiredStatus === 'STOPPED') return;
    task.desiredStatus = 'STOPPED';
    task.stoppedReason = reason;
    task.stopCode = stopCode;
    task.stoppingAt = this.world.clock.now();
    this.setHealthy(task, false);
    this.markDirty();
    if (task.lastStatus === 'PENDING' || task.lastStatus === 'PROVISIONING') {
      this.finishStop(task, reason, stopCode);
      return;
    }
    let drainSeconds = 0;
    if (task.service && task.service.loadBalancers.length > 0) {
      task.lastStatus = 'DEACTIVATING';
      for (const lb of task.service.loadBalancers) {
        const binding = task.hostPorts.find((b) => b.containerName === lb.containerName && b.containerPort === lb.containerPort);
        if (binding) drainSeconds = Math.max(drainSeconds, this.world.elbv2.deregisterInternal(lb.targetGroupArn, task.containerInstance.instanceId, binding.hostPort));
      }
    }
    this.world.clock.after(drainSeconds, `task stopping ${task.arn}`, () => {
      if (task.lastStatus === 'STOPPED') return;
      task.lastStatus = 'STOPPING';
      this.world.clock.after(this.world.rng.between(...this.behaviour.taskStopSeconds), `task stopped ${task.arn}`, () => this.finishStop(task, reason, stopCode));
    });
  }

  private finishStop(task: SimTask, reason: string, stopCode: string): void {
    if (task.lastStatus === 'STOPPED') return;
    if (task.desiredStatus !== 'STOPPED') {
      task.desiredStatus = 'STOPPED';
      task.stoppedReason = reason;
      task.stopCode = stopCode;
      this.setHealthy(task, false);
    }
    task.lastStatus = 'STOPPED';
    task.stoppedAt = this.world.clock.now();
    this.release(task.containerInstance, task);
    task.service?.tasks.delete(task);
    if (task.service && task.lost) {
      for (const lb of task.service.loadBalancers) {
        const binding = task.hostPorts.find((b) => b.containerName === lb.containerName && b.containerPort === lb.containerPort);
        if (binding) this.world.elbv2.deregisterInternal(lb.targetGroupArn, task.containerInstance.instanceId, binding.hostPort);
      }
    }
    this.world.onTaskStopped(task);
    this.markDirty();
  }

  private setStatus(ci: SimContainerInstance, status: ContainerInstanceStatus): void {
    if (ci.status === status) return;
    ci.status = status;
    ci.version++;
    if (status === 'DRAINING') {
      // ECS stops PENDING service tasks on a draining instance immediately, not at the scheduler's next pass.
      for (const t of [...ci.tasks]) {
        if (t.service && t.desiredStatus === 'RUNNING' && (t.lastStatus === 'PENDING' || t.lastStatus === 'PROVISIONING')) {
          this.stopTask(t, 'Container instance is draining', 'ServiceSchedulerInitiated');
        }
      }
    }
    this.emitContainerInstanceChange(ci);
    this.markDirty();
  }

  private emitContainerInstanceChange(ci: SimContainerInstance): void {
    this.world.events.emit('aws.ecs', 'ECS Container Instance State Change', [ci.arn], {
      clusterArn: this.clusters.get(ci.cluster)!.arn,
      containerInstanceArn: ci.arn,
      ec2InstanceId: ci.instanceId,
      status: ci.status,
      agentConnected: ci.agentConnected,
      version: ci.version,
    });
  }

  private findContainerInstance(cluster: ClusterState, ref: string): SimContainerInstance | undefined {
    return cluster.containerInstances.get(ref) ?? [...cluster.containerInstances.values()].find((ci) => ci.arn.endsWith(`/${ref}`));
  }

  private serviceByArn(arn: string): SimService {
    for (const c of this.clusters.values()) for (const s of c.services.values()) if (s.arn === arn) return s;
    throw awsError('InvalidParameterException', `The specified resource ${arn} was not found`);
  }

  private lookup(ci: SimContainerInstance, key: string): string | number | boolean | undefined {
    if (key === 'ec2InstanceId') return ci.instanceId;
    if (key === 'runningTasksCount') return this.counts(ci).running;
    if (key === 'agentConnected') return String(ci.agentConnected);
    if (key.startsWith('attribute:')) return ci.attributes[key.slice('attribute:'.length)];
    throw awsError('InvalidParameterException', `Unsupported filter key ${key}`);
  }

  private counts(ci: SimContainerInstance): { running: number; pending: number } {
    let running = 0;
    let pending = 0;
    // As ECS counts them: runningTasksCount is every task whose desired status is RUNNING (so it
    // includes the pending ones); pendingTasksCount the tasks still PENDING.
    for (const t of ci.tasks) {
      if (t.desiredStatus !== 'RUNNING') continue;
      running++;
      if (t.lastStatus === 'PENDING' || t.lastStatus === 'PROVISIONING') pending++;
    }
    return { running, pending };
  }

  private describeContainerInstance(ci: SimContainerInstance) {
    const r = this.remaining(ci);
    const { running, pending } = this.counts(ci);
    const ports = (set: Iterable<number | string>) => [...set].map(String);
    return {
      containerInstanceArn: ci.arn,
      ec2InstanceId: ci.instanceId,
      version: ci.version,
      status: ci.status,
      agentConnected: ci.agentConnected,
      runningTasksCount: running,
      pendingTasksCount: pending,
      registeredAt: new Date(ci.registeredAt),
      registeredResources: [
        { name: 'CPU', type: 'INTEGER', integerValue: ci.cpu },
        { name: 'MEMORY', type: 'INTEGER', integerValue: ci.memory },
        { name: 'PORTS', type: 'STRINGSET', stringSetValue: ports(ECS_RESERVED_PORTS) },
        { name: 'PORTS_UDP', type: 'STRINGSET', stringSetValue: [] },
      ],
      // As in ECS, remaining PORTS lists the ports in use (reserved plus those of running tasks).
      remainingResources: [
        { name: 'CPU', type: 'INTEGER', integerValue: r.cpu },
        { name: 'MEMORY', type: 'INTEGER', integerValue: r.memory },
        { name: 'PORTS', type: 'STRINGSET', stringSetValue: ports(r.ports) },
        { name: 'PORTS_UDP', type: 'STRINGSET', stringSetValue: [] },
      ],
      attributes: Object.entries(ci.attributes).map(([name, value]) => ({ name, value })),
    };
  }

  private describeTask(t: SimTask) {
    return {
      taskArn: t.arn,
      clusterArn: this.clusters.get(t.cluster)!.arn,
      taskDefinitionArn: t.taskDefinition.arn,
      containerInstanceArn: t.containerInstance.arn,
      group: t.group,
      startedBy: t.startedBy,
      lastStatus: t.lastStatus,
      desiredStatus: t.desiredStatus,
      launchType: 'EC2',
      cpu: String(t.taskDefinition.cpu),
      memory: String(t.taskDefinition.memory),
      createdAt: new Date(t.createdAt),
      startedAt: t.startedAt ? new Date(t.startedAt) : undefined,
      stoppingAt: t.stoppingAt ? new Date(t.stoppingAt) : undefined,
      stoppedAt: t.stoppedAt ? new Date(t.stoppedAt) : undefined,
      stoppedReason: t.stoppedReason,
      stopCode: t.stopCode,
      healthStatus: t.healthy ? 'HEALTHY' : 'UNKNOWN',
      containers: t.taskDefinition.containers.map((c) => ({
        name: c.name,
        lastStatus: t.lastStatus === 'STOPPED' ? 'STOPPED' : t.lastStatus === 'RUNNING' ? 'RUNNING' : 'PENDING',
        networkBindings: t.hostPorts.filter((b) => b.containerName === c.name).map((b) => ({ bindIP: '0.0.0.0', containerPort: b.containerPort, hostPort: b.hostPort, protocol: b.protocol })),
      })),
    };
  }

  private describeService(s: SimService, withTags: boolean) {
    const running = [...s.tasks].filter((t) => t.lastStatus === 'RUNNING' && t.desiredStatus === 'RUNNING').length;
    const pending = [...s.tasks].filter((t) => t.desiredStatus === 'RUNNING' && (t.lastStatus === 'PENDING' || t.lastStatus === 'PROVISIONING')).length;
    return {
      serviceArn: s.arn,
      serviceName: s.name,
      clusterArn: this.clusters.get(s.cluster)!.arn,
      status: 'ACTIVE',
      launchType: 'EC2',
      desiredCount: s.desiredCount,
      runningCount: running,
      pendingCount: pending,
      taskDefinition: s.taskDefinition,
      deploymentConfiguration: { minimumHealthyPercent: s.minimumHealthyPercent, maximumPercent: s.maximumPercent },
      loadBalancers: s.loadBalancers.map((lb) => ({ ...lb })),
      deployments: [
        {
          id: `ecs-svc/${s.name}`,
          status: 'PRIMARY',
          taskDefinition: s.taskDefinition,
          desiredCount: s.desiredCount,
          runningCount: running,
          pendingCount: pending,
          rolloutState: 'COMPLETED',
          createdAt: new Date(s.createdAt),
        },
      ],
      events: s.events.slice(0, 20).map((e) => ({ id: e.id, createdAt: new Date(e.createdAt), message: e.message })),
      createdAt: new Date(s.createdAt),
      tags: withTags ? [...s.tags].map(([key, value]) => ({ key, value })) : undefined,
    };
  }
}
