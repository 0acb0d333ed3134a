import { clients } from '../lib/clients';
import { logger, withContext } from '../lib/log';
import { type ClusterRolloverSummary, startRolloversWhereNeeded } from './start-rollovers';

/** The part of an EventBridge scheduled event this handler logs. */
export interface ScheduledEvent {
  id?: string;
  time?: string;
}

/**
 * Runs on an EventBridge schedule. The SNS topic no longer announces Amazon Linux 2 / 2023 ECS
 * AMIs, so polling each cluster's SSM parameter is what actually catches new AMIs; the SNS
 * trigger only makes it quicker when an announcement does come.
 */
export async function handler(event: ScheduledEvent = {}): Promise<ClusterRolloverSummary[]> {
  withContext({ trigger: 'amiScheduleTrigger' });
  const summary = await startRolloversWhereNeeded(clients(), { reason: 'schedule' });
  logger.info('Scheduled AMI check done', { eventId: event.id, scheduledTime: event.time, summary });
  return summary;
}
