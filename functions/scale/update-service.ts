import { TagResourceCommand, UpdateServiceCommand } from '@aws-sdk/client-ecs';
import { clients } from '../lib/clients';
import { logger, withContext } from '../lib/log';
import { isoAfter, nowMs } from '../lib/time';
import { formatLastScale } from './desired-count';
import { LAST_SCALE_TAG, type ScaleState, type SteadyProgress, type Wait } from './state';

/**
 * UpdateDesiredCount: the new desired count (only desiredCount: no new deployment starts), then the
 * last-scale tag that the next scaling's cooldown reads. Retrying sets the same count again.
 */
export async function handler(state: ScaleState): Promise<Wait<'waiting', SteadyProgress>> {
  const r = state.request;
  const plan = state.plan!;
  withContext({ execution: state.execution.name, cluster: r.cluster, state: 'UpdateDesiredCount' });
  const { ecs } = clients();
  const res = await ecs.send(new UpdateServiceCommand({ cluster: r.cluster, service: r.service, desiredCount: plan.toCount }));
  await ecs.send(new TagResourceCommand({ resourceArn: plan.serviceArn, tags: [{ key: LAST_SCALE_TAG, value: formatLastScale(r.direction, nowMs()) }] }));
  logger.info('Desired count updated', { ecsService: r.service, from: plan.fromCount, to: plan.toCount });
  return {
    status: 'waiting',
    deadline: isoAfter(r.steadyTimeoutSeconds),
    waitSeconds: r.pollSeconds,
    polls: 0,
    progress: { desired: plan.toCount, running: res.service?.runningCount ?? 0, pending: res.service?.pendingCount ?? 0, deployments: res.service?.deployments?.length ?? 0, stopping: 0 },
  };
}
