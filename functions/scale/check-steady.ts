import { clients } from '../lib/clients';
import { ErrorNames, FleetOpsError } from '../lib/errors';
import { logger, withContext } from '../lib/log';
import { secondsUntil } from '../lib/time';
import { describeService } from '../lib/aws/services';
import { stoppingTasksOfService } from '../lib/aws/tasks';
import { nextWaitSeconds } from '../rollover/polling';
import type { ScaleState, SteadyProgress, Wait } from './state';

/**
 * CheckSteady: steady as the SDK's ServicesStable waiter defines it — exactly one deployment and
 * runningCount = desiredCount. After a scale-in, also until the stopped tasks are gone: runningCount
 * no longer counts a task that is stopping (draining from its target group), but it still holds its
 * CPU, memory and ports, and the spare capacity is judged next. Past the deadline: ServiceNotSteady
 * with ECS's latest service event (e.g. "unable to place a task because no container instance met
 * all of its requirements").
 */
export async function handler(state: ScaleState): Promise<Wait<'waiting' | 'steady', SteadyProgress>> {
  const r = state.request;
  withContext({ execution: state.execution.name, cluster: r.cluster, state: 'CheckSteady' });
  const wait = state.steady!;
  const { ecs } = clients();
  const service = await describeService(ecs, r.cluster, r.service);
  const progress = {
    desired: service.desiredCount ?? 0,
    running: service.runningCount ?? 0,
    pending: service.pendingCount ?? 0,
    deployments: service.deployments?.length ?? 0,
    stopping: 0,
  };
  let steady = progress.deployments === 1 && progress.running === progress.desired;
  if (steady && r.direction === 'in') {
    progress.stopping = (await stoppingTasksOfService(ecs, r.cluster, r.service)).length;
    steady = progress.stopping === 0;
  }
  const remaining = secondsUntil(wait.deadline);
  if (!steady && remaining <= 0) {
    const event = service.events?.[0]?.message;
    throw new FleetOpsError(
      ErrorNames.ServiceNotSteady,
      `Service ${r.service} of cluster ${r.cluster} not steady after ${r.steadyTimeoutSeconds} s: ${progress.running}/${progress.desired} running, ${progress.pending} pending, ${progress.stopping} stopping, ${progress.deployments} deployment(s)${event ? `; latest event: ${event}` : ''}`,
    );
  }
  logger.info(steady ? 'Service steady' : 'Service not steady yet', progress);
  return { ...wait, status: steady ? 'steady' : 'waiting', polls: wait.polls + 1, waitSeconds: nextWaitSeconds(r.pollSeconds, remaining), progress };
}
