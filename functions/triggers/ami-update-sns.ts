import { clients } from '../lib/clients';
import { requireEnv } from '../lib/config';
import { logger, withContext } from '../lib/log';
import { readAnnouncement } from './ami-update-message';
import { type ClusterRolloverSummary, startRolloversWhereNeeded } from './start-rollovers';

/** The part of a Lambda SNS event this handler reads (`aws-lambda` types are not a dependency). */
export interface SnsEvent {
  Records: Array<{ Sns: { MessageId?: string; TopicArn?: string; Message: string } }>;
}

export interface AmiUpdateSnsResult {
  messages: Array<{ messageId?: string; outcome: 'malformed' | 'noAmiForRegion' | 'announced'; problem?: string; imageIds?: string[] }>;
  rollovers: ClusterRolloverSummary[];
}

const EXCERPT_LENGTH = 200;

/**
 * Subscribed to `arn:aws:sns:<region>:…:ecs-optimized-amazon-ami-update`. The TopicArn is not
 * checked: the subscription decides which topic reaches us, and AWS's own sample carries
 * another account id than the real topic.
 *
 * A message is only a hint that a new AMI may exist. The AMI each cluster rolls to always comes
 * from its configured SSM parameter, never from the message: an Amazon Linux 2 announcement
 * must not move an AL2023 cluster, and AWS no longer announces AL2 / AL2023 AMIs on this topic
 * at all (which is why the scheduled trigger checks the same parameters).
 */
export async function handler(event: SnsEvent): Promise<AmiUpdateSnsResult> {
  withContext({ trigger: 'amiUpdateTrigger' });
  const region = requireEnv('AWS_REGION');
  const records = Array.isArray(event?.Records) ? event.Records : [];
  if (records.length === 0) logger.error('SNS event without records; nothing to do');

  const messages: AmiUpdateSnsResult['messages'] = [];
  for (const record of records) {
    const messageId = record?.Sns?.MessageId;
    const message: unknown = record?.Sns?.Message;
    const announcement = readAnnouncement(message, region);

    // A malformed message is logged and answered normally, not thrown: Lambda would retry it
    // and SNS redeliver it, and a message that cannot parse now never will. Starting nothing is
    // safe because the scheduled trigger checks the same SSM parameters anyway.
    if (!announcement.ok) {
      const excerpt = typeof message === 'string' ? message.slice(0, EXCERPT_LENGTH) : undefined;
      logger.error('Ignoring malformed ECS AMI update message', { messageId, problem: announcement.problem, excerpt });
      messages.push({ messageId, outcome: 'malformed', problem: announcement.problem });
      continue;
    }
    if (announcement.amis.length === 0) {
      logger.info('ECS AMI update names no AMI for this region', { messageId, region });
      messages.push({ messageId, outcome: 'noAmiForRegion' });
      continue;
    }
    logger.info('ECS AMI update announced', { messageId, region, amis: announcement.amis });
    messages.push({ messageId, outcome: 'announced', imageIds: announcement.amis.map((ami) => ami.imageId) });
  }

  const announced = messages.some((m) => m.outcome === 'announced');
  const rollovers = announced ? await startRolloversWhereNeeded(clients(), { reason: 'sns:ecs-optimized-amazon-ami-update' }) : [];
  return { messages, rollovers };
}
