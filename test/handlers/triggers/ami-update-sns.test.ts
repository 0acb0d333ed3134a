import { ClusterNotFoundException, ECSClient, ListContainerInstancesCommand } from '@aws-sdk/client-ecs';
import { ExecutionAlreadyExists, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { useClients } from '../../../functions/lib/clients';
import { logger } from '../../../functions/lib/log';
import { parseRolloverInput } from '../../../functions/rollover/input';
import { type SnsEvent, handler } from '../../../functions/triggers/ami-update-sns';
import {
  AL2023_AMI,
  AL2023_IMAGE_ID,
  AL2023_RECOMMENDED,
  STATE_MACHINE_ARN,
  containerInstanceArn,
  sampleEvent,
  testClients,
} from './fixtures';

const sfnMock = mockClient(SFNClient);
const ssmMock = mockClient(SSMClient);
const ecsMock = mockClient(ECSClient);
const savedEnv = { ...process.env };

const snsEvent = () => sampleEvent<SnsEvent>('sns-ecs-ami-update.json');
const recommendedParameter = () => sampleEvent<{ Parameter: { Value: string } }>('ssm-get-parameter-ecs-ami-al2023.json');

function withMessage(message: unknown): SnsEvent {
  const event = snsEvent();
  (event.Records[0].Sns as { Message: unknown }).Message = message;
  return event;
}

/** The StartExecution inputs, parsed, in call order. */
function startedInputs(): unknown[] {
  return sfnMock.commandCalls(StartExecutionCommand).map((call) => JSON.parse(call.args[0].input.input ?? 'null'));
}

describe('Function: ami-update-sns', () => {
  beforeEach(() => {
    sfnMock.reset();
    ssmMock.reset();
    ecsMock.reset();
    useClients(testClients());
    process.env = {
      ...savedEnv,
      AWS_REGION: 'us-east-1',
      ROLLOVER_STATE_MACHINE_ARN: STATE_MACHINE_ARN,
      CLUSTERS: JSON.stringify([{ cluster: 'web', drain: { batchPercent: 50 } }, { cluster: 'api' }, { cluster: 'batch', pollSeconds: 10 }]),
    };
    delete process.env.AMI_PARAMETER;
    ssmMock.on(GetParameterCommand, { Name: AL2023_RECOMMENDED }).resolves(recommendedParameter());
    ecsMock.on(ListContainerInstancesCommand).resolves({ containerInstanceArns: [] });
    sfnMock.on(StartExecutionCommand).callsFake((input: { name: string }) => ({
      executionArn: `${STATE_MACHINE_ARN.replace(':stateMachine:', ':execution:')}:${input.name}`,
      startDate: new Date('2024-11-20T00:00:00Z'),
    }));
    jest.spyOn(logger, 'info').mockImplementation(() => undefined);
    jest.spyOn(logger, 'warn').mockImplementation(() => undefined);
    jest.spyOn(logger, 'error').mockImplementation(() => undefined);
  });

  afterEach(() => {
    jest.restoreAllMocks();
    useClients(undefined);
    process.env = { ...savedEnv };
  });

  it('starts one rollover per out-of-date cluster, named after AMI and cluster, with the exact input', async () => {
    // Prepare
    ecsMock.on(ListContainerInstancesCommand, { cluster: 'web' }).resolves({ containerInstanceArns: [containerInstanceArn('web', 'a1')] });
    ecsMock.on(ListContainerInstancesCommand, { cluster: 'batch' }).resolves({ containerInstanceArns: [containerInstanceArn('batch', 'b1')], nextToken: 'more' });

    // Act
    const result = await handler(snsEvent());

    // Assess
    expect(result.messages).toEqual([{ messageId: 'e2534930-337d-5561-8636-1a2be5ba802e', outcome: 'announced', imageIds: ['ami-cad827b7'] }]);
    expect(result.rollovers).toEqual([
      { cluster: 'web', amiId: AL2023_AMI, action: 'started' },
      { cluster: 'api', amiId: AL2023_AMI, action: 'upToDate' },
      { cluster: 'batch', amiId: AL2023_AMI, action: 'started' },
    ]);
    expect(sfnMock).toHaveReceivedCommandTimes(StartExecutionCommand, 2);
    expect(sfnMock).toHaveReceivedNthSpecificCommandWith(1, StartExecutionCommand, { stateMachineArn: STATE_MACHINE_ARN, name: `web-${AL2023_AMI}` });
    expect(sfnMock).toHaveReceivedNthSpecificCommandWith(2, StartExecutionCommand, { stateMachineArn: STATE_MACHINE_ARN, name: `batch-${AL2023_AMI}` });
    expect(startedInputs()).toEqual([
      { cluster: 'web', drain: { batchPercent: 50 }, amiId: AL2023_AMI },
      { cluster: 'batch', pollSeconds: 10, amiId: AL2023_AMI },
    ]);
    // The rollover state machine must accept what the trigger sends.
    for (const input of startedInputs()) expect(() => parseRolloverInput(input)).not.toThrow();
    for (const cluster of ['web', 'api', 'batch']) {
      expect(ecsMock).toHaveReceivedCommandWith(ListContainerInstancesCommand, {
        cluster,
        filter: `attribute:ecs.ami-id != ${AL2023_AMI}`,
        maxResults: 1,
      });
    }
    // One ECS call per cluster, even though 'batch' answered with a next page token.
    expect(ecsMock).toHaveReceivedCommandTimes(ListContainerInstancesCommand, 3);
    // Three clusters share one parameter: it is read once.
    expect(ssmMock).toHaveReceivedCommandTimes(GetParameterCommand, 1);
  });

  it('treats a second delivery of the same message as already handled', async () => {
    // Prepare
    process.env.CLUSTERS = JSON.stringify([{ cluster: 'web' }]);
    ecsMock.on(ListContainerInstancesCommand, { cluster: 'web' }).resolves({ containerInstanceArns: [containerInstanceArn('web', 'a1')] });
    sfnMock
      .on(StartExecutionCommand)
      .resolvesOnce({ executionArn: 'arn:aws:states:us-east-1:123456789012:execution:ami-rollover:first', startDate: new Date() })
      .rejectsOnce(new ExecutionAlreadyExists({ message: 'Execution Already Exists', $metadata: {} }));

    // Act
    const first = await handler(snsEvent());
    const second = await handler(snsEvent());

    // Assess
    expect(first.rollovers).toEqual([{ cluster: 'web', amiId: AL2023_AMI, action: 'started' }]);
    expect(second.rollovers).toEqual([{ cluster: 'web', amiId: AL2023_AMI, action: 'alreadyHandled' }]);
    const [call1, call2] = sfnMock.commandCalls(StartExecutionCommand).map((call) => call.args[0].input);
    expect(call2).toEqual(call1);
    expect(logger.info).toHaveBeenCalledWith(expect.stringContaining('already'), expect.objectContaining({ executionName: `web-${AL2023_AMI}` }));
  });

  it('lets other StartExecution errors fail the invocation', async () => {
    // Prepare
    process.env.CLUSTERS = JSON.stringify([{ cluster: 'web' }]);
    ecsMock.on(ListContainerInstancesCommand, { cluster: 'web' }).resolves({ containerInstanceArns: [containerInstanceArn('web', 'a1')] });
    sfnMock.on(StartExecutionCommand).rejects(Object.assign(new Error('not allowed'), { name: 'AccessDeniedException' }));

    // Act
    const invocation = handler(snsEvent());

    // Assess
    await expect(invocation).rejects.toMatchObject({ name: 'AccessDeniedException' });
  });

  it('starts nothing when every cluster already runs the AMI', async () => {
    // Prepare: every ListContainerInstances answers no instance (beforeEach)

    // Act
    const result = await handler(snsEvent());

    // Assess
    expect(result.rollovers.map((r) => r.action)).toEqual(['upToDate', 'upToDate', 'upToDate']);
    expect(sfnMock).not.toHaveReceivedCommand(StartExecutionCommand);
  });

  const announcement = () => JSON.parse(snsEvent().Records[0].Sns.Message) as { ECSAmis: Array<{ Regions: Record<string, { ImageId: string }> }> };
  const badImageId = () => {
    const body = announcement();
    body.ECSAmis[0].Regions['us-east-1'].ImageId = 'ami-xyz';
    return JSON.stringify(body);
  };

  it.each([
    ['not JSON', () => withMessage('this is not {json'), 'not JSON'],
    ['without ECSAmis', () => withMessage(JSON.stringify({ ECSAgent: { ReleaseVersion: '1.17.2' } })), 'ECSAmis'],
    ['with ImageId ami-xyz', () => withMessage(badImageId()), 'ECSAmis.0.Regions.us-east-1.ImageId'],
    ['whose Message is not a string', () => withMessage({ ECSAmis: [] }), 'not a string'],
  ])('starts nothing for a message %s and logs what is wrong', async (_case, event, problem) => {
    // Prepare
    process.env.CLUSTERS = JSON.stringify([{ cluster: 'web' }]);
    ecsMock.on(ListContainerInstancesCommand).resolves({ containerInstanceArns: [containerInstanceArn('web', 'a1')] });

    // Act
    const result = await handler(event());

    // Assess
    expect(result.rollovers).toEqual([]);
    expect(result.messages).toEqual([expect.objectContaining({ outcome: 'malformed', problem: expect.stringContaining(problem) })]);
    expect(logger.error).toHaveBeenCalledWith(expect.any(String), expect.objectContaining({ problem: expect.stringContaining(problem) }));
    expect(sfnMock).not.toHaveReceivedCommand(StartExecutionCommand);
    expect(ssmMock).not.toHaveReceivedCommand(GetParameterCommand);
    expect(ecsMock).not.toHaveReceivedCommand(ListContainerInstancesCommand);
  });

  it('starts nothing for an event without records', async () => {
    // Prepare
    ecsMock.on(ListContainerInstancesCommand).resolves({ containerInstanceArns: [containerInstanceArn('web', 'a1')] });

    // Act
    const result = await handler({ Records: [] });

    // Assess
    expect(result).toEqual({ messages: [], rollovers: [] });
    expect(logger.error).toHaveBeenCalled();
    expect(sfnMock).not.toHaveReceivedCommand(StartExecutionCommand);
  });

  it('logs no more than 200 characters of a malformed message', async () => {
    // Prepare
    const message = `<${'x'.repeat(5000)}>`;

    // Act
    await handler(withMessage(message));

    // Assess
    const logged = JSON.stringify(jest.mocked(logger.error).mock.calls);
    expect(logged).toContain('x'.repeat(199));
    expect(logged).not.toContain('x'.repeat(201));
  });

  it('starts nothing when the message names no AMI for this region', async () => {
    // Prepare
    process.env.AWS_REGION = 'eu-central-1';
    ecsMock.on(ListContainerInstancesCommand).resolves({ containerInstanceArns: [containerInstanceArn('web', 'a1')] });

    // Act
    const result = await handler(snsEvent());

    // Assess
    expect(result).toEqual({ messages: [{ messageId: 'e2534930-337d-5561-8636-1a2be5ba802e', outcome: 'noAmiForRegion' }], rollovers: [] });
    expect(sfnMock).not.toHaveReceivedCommand(StartExecutionCommand);
    expect(ssmMock).not.toHaveReceivedCommand(GetParameterCommand);
  });

  it('rolls to the AMI of the configured parameter, not the one the message announces', async () => {
    // Prepare
    process.env.CLUSTERS = JSON.stringify([{ cluster: 'web' }]);
    ecsMock.on(ListContainerInstancesCommand).resolves({ containerInstanceArns: [containerInstanceArn('web', 'a1')] });

    // Act
    await handler(snsEvent());

    // Assess
    expect(startedInputs()).toEqual([{ cluster: 'web', amiId: AL2023_AMI }]);
    expect(JSON.stringify(sfnMock.calls().map((call) => call.args[0].input))).not.toContain('ami-cad827b7');
  });

  it('reads a bare AMI id from a /image_id parameter', async () => {
    // Prepare
    process.env.CLUSTERS = JSON.stringify([{ cluster: 'web', amiParameter: AL2023_IMAGE_ID }]);
    ssmMock.on(GetParameterCommand, { Name: AL2023_IMAGE_ID }).resolves({ Parameter: { Name: AL2023_IMAGE_ID, Type: 'String', Value: 'ami-0abcdef1234567890' } });
    ecsMock.on(ListContainerInstancesCommand).resolves({ containerInstanceArns: [containerInstanceArn('web', 'a1')] });

    // Act
    const result = await handler(snsEvent());

    // Assess
    expect(result.rollovers).toEqual([{ cluster: 'web', amiId: 'ami-0abcdef1234567890', action: 'started' }]);
    expect(ssmMock).toHaveReceivedCommandWith(GetParameterCommand, { Name: AL2023_IMAGE_ID });
    expect(ssmMock).not.toHaveReceivedCommandWith(GetParameterCommand, { Name: AL2023_RECOMMENDED });
    expect(startedInputs()).toEqual([{ cluster: 'web', amiId: 'ami-0abcdef1234567890' }]);
  });

  it('uses AMI_PARAMETER for entries that name no parameter', async () => {
    // Prepare
    process.env.AMI_PARAMETER = AL2023_IMAGE_ID;
    process.env.CLUSTERS = JSON.stringify([{ cluster: 'web' }, { cluster: 'api', amiParameter: AL2023_RECOMMENDED }]);
    ssmMock.on(GetParameterCommand, { Name: AL2023_IMAGE_ID }).resolves({ Parameter: { Value: 'ami-0abcdef1234567890' } });

    // Act
    const result = await handler(snsEvent());

    // Assess
    expect(result.rollovers).toEqual([
      { cluster: 'web', amiId: 'ami-0abcdef1234567890', action: 'upToDate' },
      { cluster: 'api', amiId: AL2023_AMI, action: 'upToDate' },
    ]);
  });

  it.each([
    ['JSON without image_id', '{"image_name":"al2023-ami-ecs-hvm"}'],
    ['JSON with a bad image_id', '{"image_id":"ami-xyz"}'],
    ['a bare value that is no AMI id', 'latest'],
    ['broken JSON', '{"image_id":'],
  ])('fails with InvalidInput naming the parameter when it holds %s', async (_case, value) => {
    // Prepare
    ssmMock.on(GetParameterCommand, { Name: AL2023_RECOMMENDED }).resolves({ Parameter: { Name: AL2023_RECOMMENDED, Value: value } });
    ecsMock.on(ListContainerInstancesCommand).resolves({ containerInstanceArns: [containerInstanceArn('web', 'a1')] });

    // Act
    const invocation = handler(snsEvent());

    // Assess
    await expect(invocation).rejects.toMatchObject({ name: 'InvalidInput', message: expect.stringContaining(AL2023_RECOMMENDED) });
    expect(sfnMock).not.toHaveReceivedCommand(StartExecutionCommand);
  });

  it('starts nothing, even for clusters listed before it, when one parameter is broken', async () => {
    // Prepare
    process.env.CLUSTERS = JSON.stringify([{ cluster: 'web' }, { cluster: 'api', amiParameter: '/my/ami' }]);
    ssmMock.on(GetParameterCommand, { Name: '/my/ami' }).resolves({ Parameter: { Name: '/my/ami', Value: 'none yet' } });
    ecsMock.on(ListContainerInstancesCommand).resolves({ containerInstanceArns: [containerInstanceArn('web', 'a1')] });

    // Act
    const invocation = handler(snsEvent());

    // Assess
    await expect(invocation).rejects.toMatchObject({ name: 'InvalidInput', message: expect.stringContaining('/my/ami') });
    expect(sfnMock).not.toHaveReceivedCommand(StartExecutionCommand);
  });

  it('fails with NotFound naming a parameter that does not exist', async () => {
    // Prepare
    process.env.CLUSTERS = JSON.stringify([{ cluster: 'web', amiParameter: '/no/such/parameter' }]);
    ssmMock.on(GetParameterCommand, { Name: '/no/such/parameter' }).rejects(Object.assign(new Error(''), { name: 'ParameterNotFound' }));

    // Act
    const invocation = handler(snsEvent());

    // Assess
    await expect(invocation).rejects.toMatchObject({ name: 'NotFound', message: expect.stringContaining('/no/such/parameter') });
  });

  it('reports a cluster that does not exist and still processes the others', async () => {
    // Prepare
    process.env.CLUSTERS = JSON.stringify([{ cluster: 'gone' }, { cluster: 'web' }]);
    ecsMock
      .on(ListContainerInstancesCommand, { cluster: 'gone' })
      .rejects(new ClusterNotFoundException({ message: 'Cluster not found.', $metadata: {} }));
    ecsMock.on(ListContainerInstancesCommand, { cluster: 'web' }).resolves({ containerInstanceArns: [containerInstanceArn('web', 'a1')] });

    // Act
    const result = await handler(snsEvent());

    // Assess
    expect(result.rollovers).toEqual([
      { cluster: 'gone', amiId: AL2023_AMI, action: 'clusterNotFound' },
      { cluster: 'web', amiId: AL2023_AMI, action: 'started' },
    ]);
    expect(logger.warn).toHaveBeenCalledWith(expect.any(String), expect.objectContaining({ cluster: 'gone' }));
    expect(sfnMock).toHaveReceivedCommandTimes(StartExecutionCommand, 1);
    expect(sfnMock).toHaveReceivedCommandWith(StartExecutionCommand, { name: `web-${AL2023_AMI}` });
  });

  it('passes a cluster configured by ARN to the rollover by name', async () => {
    // Prepare
    process.env.CLUSTERS = JSON.stringify([{ cluster: 'arn:aws:ecs:us-east-1:123456789012:cluster/web' }]);
    ecsMock.on(ListContainerInstancesCommand, { cluster: 'web' }).resolves({ containerInstanceArns: [containerInstanceArn('web', 'a1')] });

    // Act
    const result = await handler(snsEvent());

    // Assess
    expect(result.rollovers).toEqual([{ cluster: 'web', amiId: AL2023_AMI, action: 'started' }]);
    expect(startedInputs()).toEqual([{ cluster: 'web', amiId: AL2023_AMI }]);
  });
});
