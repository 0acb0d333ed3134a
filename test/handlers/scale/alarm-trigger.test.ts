import { ExecutionAlreadyExists, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { useClients } from '../../../functions/lib/clients';
import { logger } from '../../../functions/lib/log';
import { handler } from '../../../functions/triggers/alarm-scale';
import { sampleEvent, testClients } from '../triggers/fixtures';

const sfnMock = mockClient(SFNClient);
const savedEnv = { ...process.env };
const STATE_MACHINE = 'arn:aws:states:us-east-1:123456789012:stateMachine:ecs-fleet-ops-dev-scale-service';

const WEB_OUT = { alarm: 'web-high', cluster: 'demo', service: 'web', direction: 'out', step: 2, min: 2, max: 20, cooldownSeconds: 300 };
const WEB_IN = { alarm: 'web-low', cluster: 'demo', service: 'web', direction: 'in', min: 2, max: 20 };
const API_OUT = { alarm: 'web-high', cluster: 'demo', service: 'api', direction: 'out', step: 1, min: 1, max: 4 };

type SnsEvent = { Records: { Sns: { MessageId: string; Message: string; Timestamp: string } }[] };
type BridgeEvent = { id: string; time: string; detail: { alarmName: string; state: { value: string; timestamp?: string }; previousState?: { value: string } } };

/** The SNS sample with the message's fields replaced. */
function snsAlarm(fields: Record<string, unknown> = {}): SnsEvent {
  const event = sampleEvent<SnsEvent>('sns-cloudwatch-alarm.json');
  const message = JSON.parse(event.Records[0].Sns.Message) as Record<string, unknown>;
  event.Records[0].Sns.Message = JSON.stringify({ ...message, AlarmName: 'web-high', OldStateValue: 'OK', ...fields });
  return event;
}

/** The EventBridge sample for an alarm. */
function bridgeAlarm(alarmName = 'web-low', value = 'ALARM', previous = 'OK'): BridgeEvent {
  const event = sampleEvent<BridgeEvent>('eventbridge-cloudwatch-alarm-state-change.json');
  event.detail.alarmName = alarmName;
  event.detail.state.value = value;
  event.detail.previousState = { value: previous };
  return event;
}

const started = () => sfnMock.commandCalls(StartExecutionCommand).map((c) => ({ name: c.args[0].input.name, input: JSON.parse(c.args[0].input.input ?? 'null') }));

describe('Function: alarm-scale (alarmScaleTrigger)', () => {
  beforeEach(() => {
    sfnMock.reset();
    useClients(testClients());
    process.env = { ...savedEnv, SCALE_STATE_MACHINE_ARN: STATE_MACHINE, SCALE_ALARMS: JSON.stringify([WEB_OUT, WEB_IN, API_OUT]) };
    sfnMock.on(StartExecutionCommand).callsFake((input: { name: string }) => ({ executionArn: `${STATE_MACHINE.replace(':stateMachine:', ':execution:')}:${input.name}`, startDate: new Date() }));
    jest.spyOn(logger, 'info').mockImplementation(() => undefined);
    jest.spyOn(logger, 'error').mockImplementation(() => undefined);
  });

  afterEach(() => {
    jest.restoreAllMocks();
    useClients(undefined);
    process.env = { ...savedEnv };
  });

  describe('SNS alarm messages', () => {
    it('starts one scaling per service the alarm scales, named after cluster, service, direction and window, with the configured input', async () => {
      // Prepare: the sample changed state at 2015-06-03T17:43:27.123+0000
      const event = snsAlarm({ NewStateValue: 'ALARM' });

      // Act
      const result = await handler(event);

      // Assess
      expect(started()).toEqual([
        { name: 'demo-web-out-20150603T1740Z', input: { cluster: 'demo', service: 'web', direction: 'out', step: 2, min: 2, max: 20, cooldownSeconds: 300 } },
        { name: 'demo-api-out-20150603T1740Z', input: { cluster: 'demo', service: 'api', direction: 'out', step: 1, min: 1, max: 4 } },
      ]);
      expect(sfnMock).toHaveReceivedCommandWith(StartExecutionCommand, { stateMachineArn: STATE_MACHINE });
      expect(result.alarms).toEqual([
        expect.objectContaining({ alarmName: 'web-high', outcome: 'scaling', executions: [expect.objectContaining({ status: 'started' }), expect.objectContaining({ status: 'started' })] }),
      ]);
    });

    it.each([
      ['OK', 'ALARM'],
      ['INSUFFICIENT_DATA', 'ALARM'],
      ['ALARM', 'ALARM'],
    ])('ignores a change to %s (from %s) with a log line, starting nothing', async (to, from) => {
      // Prepare
      const event = snsAlarm({ NewStateValue: to, OldStateValue: from });

      // Act
      const result = await handler(event);

      // Assess
      expect(sfnMock.calls()).toHaveLength(0);
      expect(result.alarms).toEqual([expect.objectContaining({ outcome: 'notIntoAlarm' })]);
      expect(logger.info).toHaveBeenCalledWith('Ignoring an alarm state change that is not a change into ALARM', expect.objectContaining({ alarmName: 'web-high', newState: to }));
    });

    it('ignores an alarm no scaling is configured for, with a log line', async () => {
      // Prepare: the unmodified AWS sample ("EXAMPLE")
      const event = sampleEvent<SnsEvent>('sns-cloudwatch-alarm.json');

      // Act
      const result = await handler(event);

      // Assess
      expect(sfnMock.calls()).toHaveLength(0);
      expect(result.alarms).toEqual([expect.objectContaining({ alarmName: 'EXAMPLE', outcome: 'unknownAlarm' })]);
      expect(logger.info).toHaveBeenCalledWith('Ignoring an alarm no scaling is configured for (scaleAlarms)', expect.objectContaining({ alarmName: 'EXAMPLE', via: 'sns' }));
    });

    it.each([
      ['a message that is not JSON', (e: SnsEvent) => (e.Records[0].Sns.Message = 'ALARM: web-high'), 'is not JSON'],
      ['a message that is not a string', (e: SnsEvent) => ((e.Records[0].Sns as { Message: unknown }).Message = { AlarmName: 'web-high' }), 'not a string'],
      ['an AMI announcement on the wrong topic', (e: SnsEvent) => (e.Records[0].Sns.Message = JSON.stringify({ ECSAmis: [] })), 'AlarmName'],
      ['an unknown state value', (e: SnsEvent) => (e.Records[0].Sns.Message = JSON.stringify({ AlarmName: 'web-high', NewStateValue: 'FIRING' })), 'NewStateValue'],
      [
        'no usable time at all',
        (e: SnsEvent) => {
          e.Records[0].Sns.Message = JSON.stringify({ AlarmName: 'web-high', NewStateValue: 'ALARM', StateChangeTime: 'yesterday' });
          e.Records[0].Sns.Timestamp = 'soon';
        },
        'no valid StateChangeTime',
      ],
    ])('logs %s as an InvalidInput error and starts nothing', async (_what, spoil, problem) => {
      // Prepare
      const event = snsAlarm({ NewStateValue: 'ALARM' });
      spoil(event);

      // Act
      const result = await handler(event);

      // Assess
      expect(sfnMock.calls()).toHaveLength(0);
      expect(result.alarms).toEqual([expect.objectContaining({ outcome: 'malformed', problem: expect.stringContaining(problem) })]);
      expect(logger.error).toHaveBeenCalledWith('Ignoring a malformed CloudWatch alarm notification; nothing started', expect.objectContaining({ errorName: 'InvalidInput' }));
    });

    it('handles each record of a batch on its own: a malformed one does not stop the others', async () => {
      // Prepare
      const good = snsAlarm({ NewStateValue: 'ALARM' });
      const bad = snsAlarm();
      bad.Records[0].Sns.Message = '{';
      const event = { Records: [...bad.Records, ...good.Records] };

      // Act
      const result = await handler(event);

      // Assess
      expect(result.alarms.map((a) => a.outcome)).toEqual(['malformed', 'scaling']);
      expect(started()).toHaveLength(2);
    });
  });

  describe('EventBridge "CloudWatch Alarm State Change"', () => {
    it('starts the scaling of the service the alarm scales', async () => {
      // Prepare: the sample changed state at 2019-10-02T17:04:40.989+0000
      const event = bridgeAlarm('web-low');

      // Act
      const result = await handler(event);

      // Assess
      expect(started()).toEqual([{ name: 'demo-web-in-20191002T1700Z', input: { cluster: 'demo', service: 'web', direction: 'in', min: 2, max: 20 } }]);
      expect(result.alarms).toEqual([expect.objectContaining({ alarmName: 'web-low', outcome: 'scaling' })]);
    });

    it('ignores a change to OK, and an unknown alarm, each with a log line', async () => {
      // Prepare
      const ok = bridgeAlarm('web-low', 'OK', 'ALARM');
      const unknown = sampleEvent<BridgeEvent>('eventbridge-cloudwatch-alarm-state-change.json');

      // Act
      const results = [await handler(ok), await handler(unknown)];

      // Assess
      expect(sfnMock.calls()).toHaveLength(0);
      expect(results.map((r) => r.alarms[0].outcome)).toEqual(['notIntoAlarm', 'unknownAlarm']);
      expect(logger.info).toHaveBeenCalledWith('Ignoring an alarm no scaling is configured for (scaleAlarms)', expect.objectContaining({ alarmName: 'ServerCpuTooHigh', via: 'eventbridge' }));
    });

    it.each([
      ['another source', (e: Record<string, unknown>) => (e.source = 'aws.ec2'), 'source'],
      ['no detail', (e: Record<string, unknown>) => delete e.detail, 'detail'],
      ['no alarm name', (e: Record<string, unknown>) => delete (e.detail as Record<string, unknown>).alarmName, 'alarmName'],
      ['a state without a value', (e: Record<string, unknown>) => delete ((e.detail as Record<string, unknown>).state as Record<string, unknown>).value, 'value'],
      [
        'no usable time',
        (e: Record<string, unknown>) => {
          delete ((e.detail as Record<string, unknown>).state as Record<string, unknown>).timestamp;
          e.time = 'later';
        },
        'no valid state timestamp',
      ],
    ])('logs an event with %s as an InvalidInput error and starts nothing', async (_what, spoil, problem) => {
      // Prepare
      const event = bridgeAlarm('web-low') as unknown as Record<string, unknown>;
      spoil(event);

      // Act
      const result = await handler(event);

      // Assess
      expect(sfnMock.calls()).toHaveLength(0);
      expect(result.alarms).toEqual([expect.objectContaining({ outcome: 'malformed', problem: expect.stringContaining(problem) })]);
      expect(logger.error).toHaveBeenCalledWith('Ignoring a malformed CloudWatch alarm notification; nothing started', expect.objectContaining({ errorName: 'InvalidInput' }));
    });

    it('logs an event of neither shape and starts nothing', async () => {
      // Prepare
      const event = { hello: 'world' };

      // Act
      const result = await handler(event);

      // Assess
      expect(sfnMock.calls()).toHaveLength(0);
      expect(result.alarms).toEqual([expect.objectContaining({ outcome: 'malformed' })]);
    });
  });

  describe('Bursts', () => {
    it('gives every alarm of one window the same execution name and input, and treats ExecutionAlreadyExists as handled', async () => {
      // Prepare: the same alarm through SNS twice, and through EventBridge, within one 5-minute window
      const at = (iso: string) => snsAlarm({ NewStateValue: 'ALARM', StateChangeTime: iso });
      const viaBridge = bridgeAlarm('web-high');
      viaBridge.detail.state.timestamp = '2026-11-01T10:14:59.000+0000';
      sfnMock
        .on(StartExecutionCommand)
        .resolvesOnce({ executionArn: 'arn:first', startDate: new Date() })
        .rejects(new ExecutionAlreadyExists({ message: 'Execution Already Exists', $metadata: {} }));
      process.env.SCALE_ALARMS = JSON.stringify([WEB_OUT]);

      // Act
      const results = [await handler(at('2026-11-01T10:10:00.000+0000')), await handler(at('2026-11-01T10:12:30.000+0000')), await handler(viaBridge)];

      // Assess
      const names = started().map((s) => s.name);
      expect(new Set(names)).toEqual(new Set(['demo-web-out-20261101T1010Z']));
      expect(new Set(started().map((s) => JSON.stringify(s.input))).size).toBe(1);
      expect(results.map((r) => r.alarms[0].executions![0].status)).toEqual(['started', 'alreadyHandled', 'alreadyHandled']);
    });

    it('starts a new execution in the next window', async () => {
      // Prepare
      process.env.SCALE_ALARMS = JSON.stringify([WEB_OUT]);
      const first = snsAlarm({ NewStateValue: 'ALARM', StateChangeTime: '2026-11-01T10:14:59.999+0000' });
      const next = snsAlarm({ NewStateValue: 'ALARM', StateChangeTime: '2026-11-01T10:15:00.000+0000' });

      // Act
      await handler(first);
      await handler(next);

      // Assess
      expect(started().map((s) => s.name)).toEqual(['demo-web-out-20261101T1010Z', 'demo-web-out-20261101T1015Z']);
    });

    it('lets any other Step Functions error through, so Lambda retries the delivery', async () => {
      // Prepare
      sfnMock.on(StartExecutionCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }));

      // Act
      const result = handler(snsAlarm({ NewStateValue: 'ALARM' }));

      // Assess
      await expect(result).rejects.toMatchObject({ name: 'ThrottlingException' });
    });
  });
});
