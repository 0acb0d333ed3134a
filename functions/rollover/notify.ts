import { PublishCommand } from '@aws-sdk/client-sns';
import { clients } from '../lib/clients';
import { optionalEnv } from '../lib/config';
import { ErrorNames } from '../lib/errors';
import { logger, withContext } from '../lib/log';
import { recordMetrics } from '../lib/metrics';
import { nowMs } from '../lib/time';
import type { RolloverState, StepFailure } from './state';

export interface Outcome {
  outcome: 'succeeded' | 'noop' | 'failed';
  cluster?: string;
  message: string;
  error?: string;
  cause?: string;
  targetAmi?: string;
  replacedFleets?: { oldFleetId: string; newFleetId: string }[];
  /** Auto Scaling groups rolled onto the target AMI. */
  rolledGroups?: string[];
  durationSeconds?: number;
}

/** A Lambda error reaches a Catch as Cause = '{"errorType":…,"errorMessage":…}': keep the message. */
export function causeText(failure: StepFailure | undefined): string {
  if (!failure) return '';
  try {
    const parsed = JSON.parse(failure.Cause) as { errorMessage?: string };
    if (typeof parsed.errorMessage === 'string') return parsed.errorMessage;
  } catch {
    // not JSON: a States.* error's cause is plain text
  }
  return String(failure.Cause ?? '');
}

export function outcomeOf(state: RolloverState): Outcome {
  const cluster = state.request?.cluster;
  const started = state.execution?.startedAt ? Date.parse(state.execution.startedAt) : undefined;
  const durationSeconds = started ? Math.round((nowMs() - started) / 1000) : undefined;
  if (state.failure) {
    const cause = causeText(state.failure);
    if (state.rollbackFailure) {
      return {
        outcome: 'failed',
        cluster,
        error: ErrorNames.RollbackIncomplete,
        cause: `${cause} — then the rollback could not finish: ${causeText(state.rollbackFailure)}. Capacity was kept rather than killing tasks; check the fleets tagged ecs-fleet-ops:execution=${state.execution?.name}`,
        message: `Rollover of ${cluster ?? 'an unknown cluster'} failed and its rollback is incomplete`,
        durationSeconds,
      };
    }
    return { outcome: 'failed', cluster, error: state.failure.Error, cause, message: `Rollover of ${cluster ?? 'an unknown cluster'} failed: ${state.failure.Error}`, durationSeconds };
  }
  if (state.plan?.upToDate) return { outcome: 'noop', cluster, message: state.plan.message, targetAmi: state.targetAmi?.imageId, durationSeconds };
  const fleets = state.replacement?.fleets.length ?? 0;
  const groups = state.plan?.replaceGroups ?? [];
  const on = [fleets || !groups.length ? `${fleets} replacement fleet(s)` : '', groups.length ? `Auto Scaling group(s) ${groups.join(', ')}` : ''].filter(Boolean).join(' and ');
  return {
    outcome: 'succeeded',
    cluster,
    message: `Cluster ${cluster} now runs ${state.targetAmi?.imageId} on ${on}`,
    targetAmi: state.targetAmi?.imageId,
    replacedFleets: state.replacement?.fleets,
    ...(groups.length ? { rolledGroups: groups } : {}),
    durationSeconds,
  };
}

/** Notify: publishes the outcome to the notification topic, when one is configured, and returns it. */
export async function handler(state: RolloverState): Promise<Outcome> {
  withContext({ execution: state.execution?.name, cluster: state.request?.cluster, state: 'Notify' });
  const outcome = outcomeOf(state);
  const topic = optionalEnv('NOTIFY_TOPIC_ARN');
  if (topic) {
    const subject = `ecs-fleet-ops rollover ${outcome.outcome}: ${outcome.cluster ?? '?'}`.slice(0, 100);
    await clients().sns.send(new PublishCommand({ TopicArn: topic, Subject: subject, Message: JSON.stringify({ ...outcome, execution: state.execution?.id }, null, 2) }));
  }
  (outcome.outcome === 'failed' ? logger.error : logger.info).call(logger, outcome.message, { outcome: outcome.outcome, error: outcome.error, cause: outcome.cause });
  const counter = { succeeded: 'RolloverSucceeded', noop: 'RolloverNoop', failed: 'RolloverFailed' }[outcome.outcome];
  recordMetrics(
    { cluster: outcome.cluster },
    { [counter]: [1, 'Count'], ...(outcome.durationSeconds === undefined ? {} : { RolloverDuration: [outcome.durationSeconds, 'Seconds'] }) },
    outcome.error ? { error: outcome.error } : {},
  );
  return outcome;
}
