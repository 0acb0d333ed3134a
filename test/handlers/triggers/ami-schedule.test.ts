import { ECSClient, ListContainerInstancesCommand } from '@aws-sdk/client-ecs';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { useClients } from '../../../functions/lib/clients';
import { logger } from '../../../functions/lib/log';
import { handler } from '../../../functions/triggers/ami-schedule';
import { type SnsEvent, handler as snsHandler } from '../../../functions/triggers/ami-update-sns';
import { AL2023_AMI, AL2023_RECOMMENDED, STATE_MACHINE_ARN, containerInstanceArn, sampleEvent, testClients } from './fixtures';

const sfnMock = mockClient(SFNClient);
const ssmMock = mockClient(SSMClient);
const ecsMock = mockClient(ECSClient);
const savedEnv = { ...process.env };
const scheduledEvent = { id: '53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa', 'detail-type': 'Scheduled Event', source: 'aws.events', time: '2024-11-20T06:00:00Z' };

describe('Function: ami-schedule', () => {
  beforeEach(() => {
    sfnMock.reset();
    ssmMock.reset();
    ecsMock.reset();
    useClients(testClients());
    process.env = {
      ...savedEnv,
      AWS_REGION: 'us-east-1',
      ROLLOVER_STATE_MACHINE_ARN: STATE_MACHINE_ARN,
      CLUSTERS: JSON.stringify([{ cluster: 'web', fleetIds: ['sfr-12345678-1234-1234-1234-123456789012'] }, { cluster: 'api' }]),
    };
    delete process.env.AMI_PARAMETER;
    ssmMock.on(GetParameterCommand, { Name: AL2023_RECOMMENDED }).resolves(sampleEvent('ssm-get-parameter-ecs-ami-al2023.json'));
    ecsMock.on(ListContainerInstancesCommand).resolves({ containerInstanceArns: [] });
    ecsMock.on(ListContainerInstancesCommand, { cluster: 'web' }).resolves({ containerInstanceArns: [containerInstanceArn('web', 'a1')] });
    sfnMock.on(StartExecutionCommand).resolves({ executionArn: `${STATE_MACHINE_ARN}:x`, startDate: new Date() });
    jest.spyOn(logger, 'info').mockImplementation(() => undefined);
  });

  afterEach(() => {
    jest.restoreAllMocks();
    useClients(undefined);
    process.env = { ...savedEnv };
  });

  it('starts the rollover of each out-of-date cluster and returns the summary', async () => {
    // Prepare: 'web' has an instance on another AMI, 'api' has none (beforeEach)

    // Act
    const summary = await handler(scheduledEvent);

    // Assess
    expect(summary).toEqual([
      { cluster: 'web', amiId: AL2023_AMI, action: 'started' },
      { cluster: 'api', amiId: AL2023_AMI, action: 'upToDate' },
    ]);
    expect(sfnMock).toHaveReceivedCommandTimes(StartExecutionCommand, 1);
    expect(sfnMock).toHaveReceivedCommandWith(StartExecutionCommand, {
      stateMachineArn: STATE_MACHINE_ARN,
      name: `web-${AL2023_AMI}`,
      input: JSON.stringify({ fleetIds: ['sfr-12345678-1234-1234-1234-123456789012'], cluster: 'web', amiId: AL2023_AMI }),
    });
  });

  it('asks for the same execution, name and input, as the SNS trigger', async () => {
    // Prepare
    const snsEvent = sampleEvent<SnsEvent>('sns-ecs-ami-update.json');

    // Act
    await snsHandler(snsEvent);
    await handler(scheduledEvent);

    // Assess
    const [fromSns, fromSchedule] = sfnMock.commandCalls(StartExecutionCommand).map((call) => call.args[0].input);
    expect(fromSns).toBeDefined();
    expect(fromSchedule).toEqual(fromSns);
  });

  it('fails with the named configuration error when CLUSTERS is broken', async () => {
    // Prepare
    process.env.CLUSTERS = '[{"cluster":"web",}]';

    // Act
    const invocation = handler(scheduledEvent);

    // Assess
    await expect(invocation).rejects.toMatchObject({ name: 'InvalidInput', message: expect.stringContaining('CLUSTERS') });
    expect(sfnMock).not.toHaveReceivedCommand(StartExecutionCommand);
  });
});
