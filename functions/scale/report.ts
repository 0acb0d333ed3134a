import { PublishCommand } from '@aws-sdk/client-sns';
import { clients } from '../lib/clients';
import { optionalEnv } from '../lib/config';
import { logger, withContext } from '../lib/log';
import { nowMs } from '../lib/time';
import { causeText } from '../rollover/notify';
import { isGroupCapacity, type ScaleState } from './state';

export interface ScaleOutcome {
  outcome: 'scaled' | 'noChange' | 'failed';
  cluster?: string;
  service?: string;
  direction?: 'out' | 'in';
  message: string;
  fromCount?: number;
  toCount?: number;
  /** The fleet's target capacity in weighted units, when this execution changed it. */
  fleet?: { fleetId: string; fromTarget?: number; toTarget?: number };
  /** The Auto Scaling group's desired capacity in instances, when this execution changed it. */
  group?: { groupName: string; fromDesired?: number; toDesired?: number };
  terminatedInstances?: string[];
  error?: string;
  cause?: string;
  durationSeconds?: number;
}

export function outcomeOf(state: ScaleState): ScaleOutcome {
  const r = state.request;
  const started = state.execution?.startedAt ? Date.parse(state.execution.startedAt) : undefined;
  const base = { cluster: r?.cluster, service: r?.service, direction: r?.direction, durationSeconds: started ? Math.round((nowMs() - started) / 1000) : undefined };
  const what = `${r?.service ?? 'a service'} of ${r?.cluster ?? 'an unknown cluster'}`;
  if (state.failure) {
    return { ...base, outcome: 'failed', error: state.failure.Error, cause: causeText(state.failure), message: `Scaling ${r?.direction ?? ''} ${what} failed: ${state.failure.Error}`, fromCount: state.plan?.fromCount };
  }
  const plan = state.plan;
  if (!plan || plan.action === 'none') return { ...base, outcome: 'noChange', message: plan?.message ?? 'Nothing to do', fromCount: plan?.fromCount, toCount: plan?.fromCount };
  const shrunk = state.shrunk?.status === 'shrunk' ? state.shrunk : undefined;
  const grown = plan.capacity;
  const fleet =
    grown && !isGroupCapacity(grown)
      ? { fleetId: grown.fleetId, fromTarget: grown.fromTarget, toTarget: grown.toTarget }
      : shrunk && state.shrink?.fleetId
        ? { fleetId: state.shrink.fleetId, fromTarget: shrunk.fromTarget, toTarget: shrunk.toTarget }
        : undefined;
  const group =
    grown && isGroupCapacity(grown)
      ? { groupName: grown.groupName, fromDesired: grown.fromDesired, toDesired: grown.toDesired }
      : shrunk && state.shrink?.groupName
        ? { groupName: state.shrink.groupName, fromDesired: shrunk.fromTarget, toDesired: shrunk.toTarget }
        : undefined;
  const removed = state.shrunk?.terminated ?? [];
  const capacity =
    fleet?.toTarget !== undefined
      ? `; fleet ${fleet.fleetId} ${fleet.fromTarget} → ${fleet.toTarget} units`
      : group?.toDesired !== undefined
        ? `; Auto Scaling group ${group.groupName} ${group.fromDesired} → ${group.toDesired} instances`
        : '';
  const instances = removed.length ? `; ${removed.length} drained instance(s) terminated` : state.shrink ? `; ${state.shrink.message}` : '';
  return {
    ...base,
    outcome: 'scaled',
    message: `Service ${what} scaled ${r.direction} from ${plan.fromCount} to ${plan.toCount} tasks${capacity}${instances}`,
    fromCount: plan.fromCount,
    toCount: plan.toCount,
    ...(fleet ? { fleet } : {}),
    ...(group ? { group } : {}),
    ...(removed.length ? { terminatedInstances: removed } : {}),
  };
}

/**
 * Report: the outcome, as the execution's output and a log line. Failures are also published to
 * the notification topic when one is configured (a scaling runs often; its successes are not news).
 */
export async function handler(state: ScaleState): Promise<ScaleOutcome> {
  withContext({ execution: state.execution?.name, cluster: state.request?.cluster, state: 'Report' });
  const outcome = outcomeOf(state);
  const topic = optionalEnv('NOTIFY_TOPIC_ARN');
  if (topic && outcome.outcome === 'failed') {
    const subject = `ecs-fleet-ops scaling failed: ${outcome.cluster ?? '?'}/${outcome.service ?? '?'}`.slice(0, 100);
    await clients().sns.send(new PublishCommand({ TopicArn: topic, Subject: subject, Message: JSON.stringify({ ...outcome, execution: state.execution?.id }, null, 2) }));
  }
  (outcome.outcome === 'failed' ? logger.error : logger.info).call(logger, outcome.message, { outcome: outcome.outcome, error: outcome.error, cause: outcome.cause });
  return outcome;
}
