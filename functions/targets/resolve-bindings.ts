import { DescribeTargetGroupsCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import * as z from 'zod';
import { clients } from '../lib/clients';
import { InvalidInputError, NotFoundError, errorName } from '../lib/errors';
import { logger, withContext } from '../lib/log';
import { bindingSchema, configuredBindings, type Binding } from '../lib/bindings';
import { byTargetGroup } from '../lib/target-sync';
import { describeIssues } from '../rollover/input';

const inputSchema = z.strictObject({
  /** Bindings to sync instead of the configured ones (console use). */
  bindings: z.array(bindingSchema).min(1).max(100).optional(),
  /** Seconds to wait before reading AWS: an event-started sync lets its burst of events settle. */
  settleSeconds: z.number().int().min(0).max(300).optional(),
  reason: z.string().max(64).optional(),
  window: z.string().max(64).optional(),
});

export interface SyncPlan {
  groups: { targetGroupArn: string; bindings: Binding[] }[];
  settleSeconds: number;
  reason: string;
  /** The execution's name, for the log keys of the Map's SyncTargetGroup invocations. */
  execution: string;
}

/**
 * ResolveBindings: the bindings to sync (input or configuration), grouped by target group; every
 * group must exist. The state machine passes `{ input, execution }` (the execution input and name).
 */
export async function handler(event: { input?: unknown; execution?: string }): Promise<SyncPlan> {
  const execution = typeof event?.execution === 'string' ? event.execution : 'unknown';
  withContext({ execution, state: 'ResolveBindings' });
  const parsed = inputSchema.safeParse(event?.input ?? {});
  if (!parsed.success) throw new InvalidInputError(`Invalid sync-targets input: ${describeIssues(parsed.error)}`);
  const bindings = parsed.data.bindings ?? configuredBindings();
  const groups = [...byTargetGroup(bindings)].map(([targetGroupArn, group]) => ({ targetGroupArn, bindings: group }));
  if (groups.length > 0) {
    try {
      await clients().elbv2.send(new DescribeTargetGroupsCommand({ TargetGroupArns: groups.map((g) => g.targetGroupArn) }));
    } catch (error) {
      if (errorName(error) === 'TargetGroupNotFound') throw new NotFoundError(`A bound target group does not exist: ${groups.map((g) => g.targetGroupArn).join(', ')}`);
      throw error;
    }
  }
  logger.info('Bindings resolved', { targetGroups: groups.length, bindings: bindings.length, reason: parsed.data.reason });
  return { groups, settleSeconds: parsed.data.settleSeconds ?? 0, reason: parsed.data.reason ?? 'manual', execution };
}
