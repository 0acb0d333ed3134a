import { clients } from '../lib/clients';
import { logger, withContext } from '../lib/log';
import { parseBindings } from '../lib/bindings';
import { syncTargetGroup, type TargetGroupSync } from '../lib/target-sync';

/** SyncTargetGroup (one Map iteration): register the bound fleets' running instances, deregister the rest. */
export async function handler(event: { targetGroupArn: string; bindings: unknown; execution?: string }): Promise<TargetGroupSync> {
  withContext({ execution: event?.execution, state: 'SyncTargetGroup' });
  const bindings = parseBindings(event?.bindings, 'SyncTargetGroup input');
  const clusters = [...new Set(bindings.map((b) => b.cluster))];
  withContext({ execution: event?.execution, cluster: clusters.length === 1 ? clusters[0] : undefined, state: 'SyncTargetGroup' });
  const result = await syncTargetGroup(clients(), event.targetGroupArn, bindings);
  logger.info('Target group synced', { ...result });
  return result;
}
