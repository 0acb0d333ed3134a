import {
  DescribeContainerInstancesCommand,
  ECSClient,
  UpdateContainerInstancesStateCommand,
  paginateListContainerInstances,
  type ContainerInstance,
  type Resource,
} from '@aws-sdk/client-ecs';
import { chunks } from '../chunks';
import { NotFoundError, errorName } from '../errors';

/** What the workflows need to know of a container instance, small enough to reason about. */
export interface ContainerInstanceSummary {
  arn: string;
  ec2InstanceId: string;
  status: string;
  agentConnected: boolean;
  /** ECS's runningTasksCount: tasks whose desired status is RUNNING, pending ones included. */
  runningTasks: number;
  /** ECS's pendingTasksCount: tasks still PENDING (also counted in runningTasks). */
  pendingTasks: number;
  amiId?: string;
  instanceType?: string;
  registeredCpu: number;
  registeredMemory: number;
  freeCpu: number;
  freeMemory: number;
  /** Host ports in use (reserved ports excluded). */
  usedPorts: string[];
  /** Registered resources differ from remaining ones: some task (maybe one still stopping) holds a reservation. */
  holdsReservations: boolean;
}

const DESCRIBE_LIMIT = 100;
const UPDATE_STATE_LIMIT = 10;

const integer = (resources: Resource[] | undefined, name: string) => resources?.find((r) => r.name === name)?.integerValue ?? 0;
const stringSet = (resources: Resource[] | undefined, name: string) => resources?.find((r) => r.name === name)?.stringSetValue ?? [];

export function summarise(ci: ContainerInstance): ContainerInstanceSummary {
  const reserved = new Set(stringSet(ci.registeredResources, 'PORTS'));
  const registeredCpu = integer(ci.registeredResources, 'CPU');
  const registeredMemory = integer(ci.registeredResources, 'MEMORY');
  const freeCpu = integer(ci.remainingResources, 'CPU');
  const freeMemory = integer(ci.remainingResources, 'MEMORY');
  // ECS lists the ports in use under remainingResources PORTS (reserved ones included).
  const usedPorts = stringSet(ci.remainingResources, 'PORTS').filter((p) => !reserved.has(p));
  return {
    arn: ci.containerInstanceArn ?? '',
    ec2InstanceId: ci.ec2InstanceId ?? '',
    status: ci.status ?? 'UNKNOWN',
    agentConnected: ci.agentConnected ?? false,
    runningTasks: ci.runningTasksCount ?? 0,
    pendingTasks: ci.pendingTasksCount ?? 0,
    amiId: ci.attributes?.find((a) => a.name === 'ecs.ami-id')?.value,
    instanceType: ci.attributes?.find((a) => a.name === 'ecs.instance-type')?.value,
    registeredCpu,
    registeredMemory,
    freeCpu,
    freeMemory,
    usedPorts,
    holdsReservations: freeCpu < registeredCpu || freeMemory < registeredMemory || usedPorts.length > 0,
  };
}

/**
 * Every container instance of the cluster that is not INACTIVE (ListContainerInstances' default),
 * described in calls of 100. A missing cluster is a NotFound error naming it.
 */
export async function describeClusterInstances(ecs: ECSClient, cluster: string, filter?: string): Promise<ContainerInstanceSummary[]> {
  const arns: string[] = [];
  try {
    for await (const page of paginateListContainerInstances({ client: ecs, pageSize: 100 }, { cluster, ...(filter ? { filter } : {}) })) {
      arns.push(...(page.containerInstanceArns ?? []));
    }
  } catch (error) {
    if (errorName(error) === 'ClusterNotFoundException') throw new NotFoundError(`ECS cluster '${cluster}' does not exist in this region`);
    throw error;
  }
  const out: ContainerInstanceSummary[] = [];
  for (const batch of chunks(arns, DESCRIBE_LIMIT)) {
    const res = await ecs.send(new DescribeContainerInstancesCommand({ cluster, containerInstances: batch }));
    out.push(...(res.containerInstances ?? []).map(summarise));
  }
  return out;
}

export interface StateChangeResult {
  changed: string[];
  failures: { arn: string; reason: string }[];
}

/** Sets container instances ACTIVE or DRAINING, 10 per call (ECS's limit); a call can half-succeed. */
export async function setContainerInstancesStatus(ecs: ECSClient, cluster: string, arns: string[], status: 'ACTIVE' | 'DRAINING'): Promise<StateChangeResult> {
  const result: StateChangeResult = { changed: [], failures: [] };
  for (const batch of chunks(arns, UPDATE_STATE_LIMIT)) {
    const res = await ecs.send(new UpdateContainerInstancesStateCommand({ cluster, containerInstances: batch, status }));
    result.changed.push(...(res.containerInstances ?? []).map((ci) => ci.containerInstanceArn ?? ''));
    result.failures.push(...(res.failures ?? []).map((f) => ({ arn: f.arn ?? '', reason: [f.reason, f.detail].filter(Boolean).join(': ') })));
  }
  return result;
}

/** Whether the instance has no task left: none running or pending, and no reservation held by a task still stopping. */
export function isEmpty(ci: ContainerInstanceSummary): boolean {
  return ci.runningTasks === 0 && ci.pendingTasks === 0 && !ci.holdsReservations;
}
