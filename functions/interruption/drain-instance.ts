import { CreateTagsCommand } from '@aws-sdk/client-ec2';
import { DescribeContainerInstancesCommand } from '@aws-sdk/client-ecs';
import { clients } from '../lib/clients';
import { logger, withContext } from '../lib/log';
import { INTERRUPTED_TAG } from '../lib/aws/fleets';
import { setContainerInstancesStatus, summarise } from '../lib/aws/container-instances';
import { configuredBindings } from '../lib/bindings';
import { syncClusterBindings } from '../lib/target-sync';
import { POLL_SECONDS, type DrainStart, type InterruptionState } from './state';

/**
 * DrainInterruptedInstance: marks the instance as being reclaimed (a tag the target sync and the
 * rollover respect), sets it DRAINING unless it already is (the agent's own spot draining or a
 * rollover got there first — fine), and takes it out of the bound target groups at once.
 */
export async function handler(state: InterruptionState): Promise<DrainStart> {
  const cluster = state.cluster!;
  withContext({ execution: state.execution, cluster, state: 'DrainInterruptedInstance' });
  const { ec2, ecs, elbv2 } = clients();
  await ec2.send(new CreateTagsCommand({ Resources: [state.instanceId], Tags: [{ Key: INTERRUPTED_TAG, Value: `${state.kind} ${state.noticeAt}` }] }));
  const res = await ecs.send(new DescribeContainerInstancesCommand({ cluster, containerInstances: [state.containerInstanceArn!] }));
  const ci = res.containerInstances?.[0] ? summarise(res.containerInstances[0]) : undefined;
  const wasAlreadyDraining = ci?.status === 'DRAINING';
  if (ci?.status === 'ACTIVE') await setContainerInstancesStatus(ecs, cluster, [ci.arn], 'DRAINING');
  const synced = await syncClusterBindings({ ec2, ecs, elbv2 }, cluster, configuredBindings());
  const targetsDeregistered = synced.reduce((n, s) => n + s.deregistered, 0);
  const tasksAtNotice = ci ? ci.runningTasks : 0;
  logger.info('Interrupted instance draining', { instanceId: state.instanceId, tasksAtNotice, wasAlreadyDraining, targetsDeregistered });
  return { tasksAtNotice, wasAlreadyDraining, targetsDeregistered, waitSeconds: POLL_SECONDS };
}
