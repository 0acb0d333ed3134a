import { DescribeContainerInstancesCommand } from '@aws-sdk/client-ecs';
import { clients } from '../lib/clients';
import { logger, withContext } from '../lib/log';
import { secondsUntil } from '../lib/time';
import { describeInstances } from '../lib/aws/fleets';
import { summarise } from '../lib/aws/container-instances';
import { POLL_SECONDS, type InterruptionState, type Watch } from './state';

/**
 * WatchInterruptedInstance: until the tasks have moved off the instance or the instance is gone —
 * bounded by the notice plus a margin. What was still on it when it went is reported as lost
 * (ECS starts replacements for service tasks; standalone ones are gone).
 */
export async function handler(state: InterruptionState): Promise<Watch> {
  const cluster = state.cluster!;
  withContext({ execution: state.execution, cluster, state: 'WatchInterruptedInstance' });
  const { ec2, ecs } = clients();
  const previous = state.watch;
  const tasksAtNotice = state.drain?.tasksAtNotice ?? 0;
  const [facts] = await describeInstances(ec2, [state.instanceId]);
  const res = await ecs.send(new DescribeContainerInstancesCommand({ cluster, containerInstances: [state.containerInstanceArn!] }));
  const ci = res.containerInstances?.[0] ? summarise(res.containerInstances[0]) : undefined;
  const gone = !facts || !['pending', 'running'].includes(facts.state) || !ci || ci.status === 'INACTIVE';
  const lastSeen = previous?.tasksLeft ?? tasksAtNotice;
  const tasksLeft = gone ? lastSeen : ci!.runningTasks;
  const moved = Math.max(0, tasksAtNotice - tasksLeft);
  let status: Watch['status'];
  if (gone) status = 'gone';
  else if (tasksLeft === 0) status = 'moved';
  else if (secondsUntil(state.deadline) <= 0) status = 'timedOut';
  else status = 'waiting';
  const watch: Watch = { status, tasksLeft, moved, lost: status === 'waiting' ? 0 : tasksLeft, polls: (previous?.polls ?? 0) + 1, waitSeconds: POLL_SECONDS };
  if (status !== 'waiting') logger.info('Interruption handled', { instanceId: state.instanceId, ...watch });
  return watch;
}
