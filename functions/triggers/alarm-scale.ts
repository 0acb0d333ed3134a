import { clients } from '../lib/clients';
import { requireEnv } from '../lib/config';
import { logger } from '../lib/log';
import { executionName, startExecutionOnce } from '../lib/start-execution';
import { SCALE_DEFAULTS, configuredAlarmActions, type AlarmAction } from '../scale/input';
import { isIntoAlarm, readAlarmEvent, type AlarmTransition } from './alarm-message';

export interface AlarmScaleResult {
  alarms: Array<{
    id?: string;
    alarmName?: string;
    outcome: 'malformed' | 'notIntoAlarm' | 'unknownAlarm' | 'scaling';
    problem?: string;
    executions?: Array<{ cluster: string; service: string; direction: 'out' | 'in'; executionName: string; status: 'started' | 'alreadyHandled' }>;
  }>;
}

/**
 * Receives CloudWatch alarm state changes — from the alarm topics through SNS, and from EventBridge
 * rules — and starts the scale-service state machine for each action configured for the alarm
 * (SCALE_ALARMS). Only a change into ALARM acts; anything else is logged and left alone, and a
 * malformed notification is logged and answered normally (Lambda would retry it, and it would
 * never parse) — nothing is started for it.
 *
 * A burst of alarms is coalesced: the execution is named after (cluster, service, direction, the
 * time window the alarm changed state in), with an input that depends on the configuration only,
 * so repeated deliveries, a flapping alarm and several alarms of one service in one window start
 * one execution (ExecutionAlreadyExists = already handled). The window is the action's cooldown
 * (at least a minute); the service's lock and cooldown guard the rest.
 */
export async function handler(event: unknown): Promise<AlarmScaleResult> {
  const stateMachineArn = requireEnv('SCALE_STATE_MACHINE_ARN');
  const actions = configuredAlarmActions();
  const { sfn } = clients();
  const result: AlarmScaleResult = { alarms: [] };

  for (const reading of readAlarmEvent(event)) {
    if (!reading.ok) {
      logger.error('Ignoring a malformed CloudWatch alarm notification; nothing started', { id: reading.id, errorName: reading.error.name, problem: reading.error.message, excerpt: reading.excerpt });
      result.alarms.push({ id: reading.id, outcome: 'malformed', problem: reading.error.message });
      continue;
    }
    const t = reading.transition;
    const seen = { id: t.id, alarmName: t.alarmName };
    if (!isIntoAlarm(t)) {
      logger.info('Ignoring an alarm state change that is not a change into ALARM', { ...seen, newState: t.newState, oldState: t.oldState, via: t.via });
      result.alarms.push({ ...seen, outcome: 'notIntoAlarm' });
      continue;
    }
    const matching = actions.filter((a) => a.alarm === t.alarmName);
    if (matching.length === 0) {
      logger.info('Ignoring an alarm no scaling is configured for (scaleAlarms)', { ...seen, via: t.via });
      result.alarms.push({ ...seen, outcome: 'unknownAlarm' });
      continue;
    }
    const executions = [];
    for (const action of matching) {
      const name = executionName([action.cluster, action.service, action.direction, windowOf(t, action)]);
      const { status, executionArn } = await startExecutionOnce(sfn, stateMachineArn, name, inputOf(action));
      logger.info('Scaling requested', { ...seen, via: t.via, cluster: action.cluster, ecsService: action.service, direction: action.direction, status, executionName: name, executionArn });
      executions.push({ cluster: action.cluster, service: action.service, direction: action.direction, executionName: name, status });
    }
    result.alarms.push({ ...seen, outcome: 'scaling', executions });
  }
  return result;
}

/** The scale-service input: the configured action without its alarm name (equal inputs let Step Functions dedupe). */
function inputOf(action: AlarmAction) {
  const { alarm: _alarm, ...input } = action;
  return input;
}

const MIN_WINDOW_SECONDS = 60;

/** The start of the time window the alarm changed state in, e.g. 20241120T1005Z. */
export function windowOf(t: AlarmTransition, action: Pick<AlarmAction, 'cooldownSeconds'>): string {
  const seconds = Math.max(MIN_WINDOW_SECONDS, action.cooldownSeconds ?? SCALE_DEFAULTS.cooldownSeconds);
  const start = Math.floor(t.at / (seconds * 1000)) * seconds * 1000;
  return new Date(start).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}Z$/, 'Z').replace(/(T\d{4})\d{2}Z$/, '$1Z');
}
