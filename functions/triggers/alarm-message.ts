import * as z from 'zod';
import { InvalidInputError } from '../lib/errors';
import { describeIssues } from '../rollover/input';

/**
 * CloudWatch alarm state changes in the two shapes they reach us: the JSON body an alarm action
 * publishes to SNS (delivered in Records[].Sns.Message), and EventBridge's "CloudWatch Alarm State
 * Change" event. Plain `z.object` drops unknown keys: both shapes gain fields over the years.
 */

const STATES = ['OK', 'ALARM', 'INSUFFICIENT_DATA'] as const;
type AlarmState = (typeof STATES)[number];

const snsBodySchema = z.object({
  AlarmName: z.string().min(1).max(255),
  NewStateValue: z.enum(STATES),
  OldStateValue: z.string().optional(),
  StateChangeTime: z.string().optional(),
});

const eventBridgeSchema = z.object({
  source: z.literal('aws.cloudwatch'),
  'detail-type': z.literal('CloudWatch Alarm State Change'),
  time: z.string().optional(),
  detail: z.object({
    alarmName: z.string().min(1).max(255),
    state: z.object({ value: z.enum(STATES), timestamp: z.string().optional() }),
    previousState: z.object({ value: z.string() }).optional(),
  }),
});

export interface AlarmTransition {
  alarmName: string;
  newState: AlarmState;
  oldState?: string;
  /** When the alarm changed state (ms since epoch). */
  at: number;
  via: 'sns' | 'eventbridge';
  /** SNS MessageId or EventBridge event id, for the logs. */
  id?: string;
}

export type AlarmReading = { ok: true; transition: AlarmTransition } | { ok: false; error: InvalidInputError; id?: string; excerpt?: string };

/** Every alarm state change the event carries: one per SNS record, or the EventBridge event itself. */
export function readAlarmEvent(event: unknown): AlarmReading[] {
  const e = event as { Records?: unknown; 'detail-type'?: unknown } | null;
  if (e && Array.isArray(e.Records)) return e.Records.map(readSnsRecord);
  if (e && typeof e === 'object' && 'detail-type' in e) return [readEventBridge(e)];
  return [malformed('neither an SNS event (Records) nor an EventBridge event (detail-type)')];
}

/** True only for a change into ALARM: OK and INSUFFICIENT_DATA never scale, nor does ALARM staying ALARM. */
export function isIntoAlarm(t: AlarmTransition): boolean {
  return t.newState === 'ALARM' && t.oldState !== 'ALARM';
}

function readSnsRecord(record: unknown): AlarmReading {
  const sns = (record as { Sns?: { MessageId?: unknown; Message?: unknown; Timestamp?: unknown } } | null)?.Sns;
  const id = typeof sns?.MessageId === 'string' ? sns.MessageId : undefined;
  const message = sns?.Message;
  if (typeof message !== 'string') return malformed(`Sns.Message is ${typeof message}, not a string`, id);
  let body: unknown;
  try {
    body = JSON.parse(message);
  } catch {
    return malformed('Sns.Message is not JSON', id, message);
  }
  const parsed = snsBodySchema.safeParse(body);
  if (!parsed.success) return malformed(`not a CloudWatch alarm message: ${describeIssues(parsed.error).slice(0, 300)}`, id, message);
  const at = timeOf(parsed.data.StateChangeTime) ?? timeOf(sns?.Timestamp);
  if (at === undefined) return malformed('the alarm message carries no valid StateChangeTime or Timestamp', id, message);
  const { AlarmName, NewStateValue, OldStateValue } = parsed.data;
  return { ok: true, transition: { alarmName: AlarmName, newState: NewStateValue, oldState: OldStateValue, at, via: 'sns', id } };
}

function readEventBridge(event: object): AlarmReading {
  const id = typeof (event as { id?: unknown }).id === 'string' ? (event as { id: string }).id : undefined;
  const parsed = eventBridgeSchema.safeParse(event);
  if (!parsed.success) return malformed(`not a CloudWatch Alarm State Change event: ${describeIssues(parsed.error).slice(0, 300)}`, id);
  const { detail, time } = parsed.data;
  const at = timeOf(detail.state.timestamp) ?? timeOf(time);
  if (at === undefined) return malformed('the event carries no valid state timestamp or time', id);
  return { ok: true, transition: { alarmName: detail.alarmName, newState: detail.state.value, oldState: detail.previousState?.value, at, via: 'eventbridge', id } };
}

function malformed(problem: string, id?: string, message?: string): AlarmReading {
  return { ok: false, error: new InvalidInputError(`Malformed CloudWatch alarm notification: ${problem}`), id, ...(message ? { excerpt: message.slice(0, 200) } : {}) };
}

/** CloudWatch writes offsets as +0000; Date.parse wants +00:00. */
function timeOf(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const at = Date.parse(value.replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
  return Number.isNaN(at) ? undefined : at;
}
