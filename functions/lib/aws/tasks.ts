import { DescribeTasksCommand, ECSClient, StopTaskCommand, paginateListTasks, type Task } from '@aws-sdk/client-ecs';
import { chunks } from '../chunks';

/** Tasks (desired RUNNING, or still stopping) on the given container instances, from one listing of the cluster. */
export async function tasksOnInstances(ecs: ECSClient, cluster: string, containerInstanceArns: Set<string>): Promise<Task[]> {
  const arns: string[] = [];
  for (const desiredStatus of ['RUNNING', 'STOPPED'] as const) {
    for await (const page of paginateListTasks({ client: ecs, pageSize: 100 }, { cluster, desiredStatus })) arns.push(...(page.taskArns ?? []));
  }
  const out: Task[] = [];
  for (const batch of chunks(arns, 100)) {
    const res = await ecs.send(new DescribeTasksCommand({ cluster, tasks: batch }));
    for (const t of res.tasks ?? []) {
      if (t.lastStatus !== 'STOPPED' && t.containerInstanceArn && containerInstanceArns.has(t.containerInstanceArn)) out.push(t);
    }
  }
  return out;
}

/** A standalone task was started by RunTask or a schedule, not by a service: draining does not move it. */
export function isStandalone(task: Task): boolean {
  return !(task.group ?? '').startsWith('service:');
}

export function describeTask(task: Task): string {
  const id = (task.taskArn ?? '').split('/').pop();
  return `${task.group ?? 'task'} ${id} (${task.lastStatus}${task.desiredStatus === 'STOPPED' ? ', stopping' : ''})`;
}

export async function stopTasks(ecs: ECSClient, cluster: string, tasks: Task[], reason: string): Promise<number> {
  let stopped = 0;
  for (const t of tasks) {
    if (t.desiredStatus === 'STOPPED' || !t.taskArn) continue;
    await ecs.send(new StopTaskCommand({ cluster, task: t.taskArn, reason }));
    stopped++;
  }
  return stopped;
}

/**
 * Tasks of a service that are still stopping (desired STOPPED, not STOPPED yet): they hold their
 * reservations, yet a service's runningCount no longer counts them.
 */
export async function stoppingTasksOfService(ecs: ECSClient, cluster: string, serviceName: string): Promise<Task[]> {
  const arns: string[] = [];
  for await (const page of paginateListTasks({ client: ecs, pageSize: 100 }, { cluster, serviceName, desiredStatus: 'STOPPED' })) arns.push(...(page.taskArns ?? []));
  const out: Task[] = [];
  for (const batch of chunks(arns, 100)) {
    const res = await ecs.send(new DescribeTasksCommand({ cluster, tasks: batch }));
    out.push(...(res.tasks ?? []).filter((t) => t.lastStatus !== 'STOPPED'));
  }
  return out;
}
