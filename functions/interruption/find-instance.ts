import { ListContainerInstancesCommand } from '@aws-sdk/client-ecs';
import * as z from 'zod';
import { clients } from '../lib/clients';
import { InvalidInputError, errorName } from '../lib/errors';
import { optionalEnv } from '../lib/config';
import { logger, withContext } from '../lib/log';
import { managedClusters } from '../lib/bindings';
import { nowMs } from '../lib/time';
import { MARGIN_SECONDS, NOTICE_SECONDS, REBALANCE_SECONDS, type InterruptionState } from './state';

const eventSchema = z.looseObject({
  source: z.literal('aws.ec2'),
  'detail-type': z.enum(['EC2 Spot Instance Interruption Warning', 'EC2 Instance Rebalance Recommendation']),
  time: z.iso.datetime({ offset: true }),
  detail: z.looseObject({
    'instance-id': z.string().regex(/^i-[0-9a-f]{8,17}$/, 'must be an instance id'),
    'instance-action': z.enum(['terminate', 'stop', 'hibernate']).optional(),
  }),
});

/**
 * FindInterruptedInstance: which managed cluster (if any) the warned instance serves. An instance
 * in no managed cluster is a clean no-op; so is a rebalance recommendation unless
 * DRAIN_ON_REBALANCE is "true".
 */
export async function handler(input: { event: unknown; execution?: string }): Promise<InterruptionState> {
  const execution = typeof input?.execution === 'string' ? input.execution : undefined;
  withContext({ execution, state: 'FindInterruptedInstance' });
  const parsed = eventSchema.safeParse(input?.event);
  if (!parsed.success) {
    throw new InvalidInputError(`Not a spot interruption or rebalance event: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'event'}: ${i.message}`).join('; ')}`);
  }
  const e = parsed.data;
  const instanceId = e.detail['instance-id'];
  const kind = e['detail-type'] === 'EC2 Spot Instance Interruption Warning' ? 'interruption' : 'rebalance';
  const noticeAt = new Date(Math.min(Date.parse(e.time), nowMs())).toISOString();
  const bound = kind === 'interruption' ? NOTICE_SECONDS + MARGIN_SECONDS : REBALANCE_SECONDS;
  const deadline = new Date(Date.parse(noticeAt) + bound * 1000).toISOString();
  const base = { ...(execution ? { execution } : {}), instanceId, kind, action: e.detail['instance-action'], noticeAt, deadline } as const;

  if (kind === 'rebalance' && optionalEnv('DRAIN_ON_REBALANCE') !== 'true') {
    return { ...base, managed: false, reason: 'rebalance recommendations are not drained (DRAIN_ON_REBALANCE is off)' };
  }
  const { ecs } = clients();
  for (const cluster of managedClusters()) {
    try {
      const res = await ecs.send(new ListContainerInstancesCommand({ cluster, filter: `ec2InstanceId == ${instanceId}` }));
      const arn = res.containerInstanceArns?.[0];
      if (arn) {
        withContext({ execution, cluster, state: 'FindInterruptedInstance' });
        logger.info('Interrupted instance belongs to a managed cluster', { instanceId, cluster, kind });
        return { ...base, managed: true, cluster, containerInstanceArn: arn };
      }
    } catch (error) {
      if (errorName(error) !== 'ClusterNotFoundException') throw error;
      logger.warn('A configured cluster does not exist', { cluster });
    }
  }
  logger.info('Instance is in no managed cluster; nothing to do', { instanceId });
  return { ...base, managed: false, reason: 'the instance is not a container instance of any managed cluster' };
}
