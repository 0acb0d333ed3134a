import * as z from 'zod';
import { clients } from '../lib/clients';
import { requireEnv, optionalEnv } from '../lib/config';
import { logger, withContext } from '../lib/log';
import { nowMs } from '../lib/time';
import { startExecutionOnce } from '../lib/start-execution';

/** The EventBridge events that mean "the instances a binding wants changed" (real events carry more fields). */
const eventSchema = z.looseObject({
  source: z.enum(['aws.ec2spotfleet', 'aws.ec2', 'aws.ecs']),
  'detail-type': z.enum(['EC2 Spot Fleet Instance Change', 'EC2 Instance State-change Notification', 'ECS Container Instance State Change']),
  detail: z.looseObject({
    'instance-id': z.string().regex(/^i-[0-9a-f]{8,17}$/).optional(),
    ec2InstanceId: z.string().regex(/^i-[0-9a-f]{8,17}$/).optional(),
  }),
});

export interface InstanceChangeResult {
  outcome: 'malformed' | 'started' | 'alreadyHandled';
  execution?: string;
  problem?: string;
}

/**
 * Starts the target sync for an instance change, coalescing bursts: every event of the same
 * window (SYNC_WINDOW_SECONDS, default 10) maps to one execution, which waits out the window
 * before it reads AWS — so none of that window's changes is missed, and a rollover launching a
 * hundred instances starts a handful of syncs, not a hundred.
 */
export async function handler(event: unknown): Promise<InstanceChangeResult> {
  withContext({ trigger: 'instanceChangeTrigger' });
  const parsed = eventSchema.safeParse(event);
  if (!parsed.success) {
    const problem = parsed.error.issues.map((i) => `${i.path.join('.') || 'event'}: ${i.message}`).join('; ');
    logger.error('Ignoring an event that is not an instance change', { problem, event: JSON.stringify(event ?? null).slice(0, 200) });
    return { outcome: 'malformed', problem };
  }
  const window = Number(optionalEnv('SYNC_WINDOW_SECONDS') ?? '10');
  const slot = Math.floor(nowMs() / 1000 / window);
  const name = `instance-change-${slot}`;
  const { status } = await startExecutionOnce(clients().sfn, requireEnv('SYNC_STATE_MACHINE_ARN'), name, { reason: 'instance-change', settleSeconds: window, window: String(slot) });
  logger.info('Target sync requested', { detailType: parsed.data['detail-type'], instanceId: parsed.data.detail['instance-id'] ?? parsed.data.detail.ec2InstanceId, execution: name, status });
  return { outcome: status, execution: name };
}
