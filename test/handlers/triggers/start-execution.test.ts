import { ExecutionAlreadyExists, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { logger } from '../../../functions/lib/log';
import { executionName, startExecutionOnce } from '../../../functions/lib/start-execution';
import { STATE_MACHINE_ARN } from './fixtures';

const sfnMock = mockClient(SFNClient);
const VALID_NAME = /^[0-9A-Za-z_-]{1,80}$/;

describe('Function: executionName', () => {
  it('joins short, clean parts unchanged', () => {
    // Prepare
    const parts = ['ami', 'ami-0281c9a5cd9de63bd', 'web'];

    // Act
    const name = executionName(parts);

    // Assess
    expect(name).toBe('ami-ami-0281c9a5cd9de63bd-web');
  });

  it('keeps a name of exactly 80 characters', () => {
    // Prepare
    const parts = ['ami', 'ami-0281c9a5cd9de63bd', 'c'.repeat(80 - 'ami-ami-0281c9a5cd9de63bd-'.length)];

    // Act
    const name = executionName(parts);

    // Assess
    expect(name).toBe(parts.join('-'));
    expect(name).toHaveLength(80);
  });

  it('cuts a long name to 80 characters ending in a stable 8-character hash', () => {
    // Prepare
    const parts = ['ami', 'ami-0281c9a5cd9de63bd', 'c'.repeat(255)];

    // Act
    const name = executionName(parts);

    // Assess
    expect(name).toHaveLength(80);
    expect(name).toMatch(VALID_NAME);
    expect(name).toMatch(/^ami-ami-0281c9a5cd9de63bd-c+-[0-9a-f]{8}$/);
    expect(executionName([...parts])).toBe(name);
  });

  it('keeps long names apart when they differ only past the cut', () => {
    // Prepare
    const prefix = 'c'.repeat(200);

    // Act
    const one = executionName(['ami', 'ami-0281c9a5cd9de63bd', `${prefix}-blue`]);
    const other = executionName(['ami', 'ami-0281c9a5cd9de63bd', `${prefix}-green`]);

    // Assess
    expect(one).not.toBe(other);
    expect(one.slice(0, 71)).toBe(other.slice(0, 71));
  });

  it('replaces characters Step Functions or CloudWatch Logs would refuse, and keeps such names apart', () => {
    // Prepare
    const withColon = ['arn:aws:ecs', 'web cluster/1'];
    const withDot = ['arn.aws.ecs', 'web cluster/1'];

    // Act
    const one = executionName(withColon);
    const other = executionName(withDot);

    // Assess
    expect(one).toMatch(VALID_NAME);
    expect(other).toMatch(VALID_NAME);
    expect(one).toMatch(/^arn_aws_ecs-web_cluster_1-[0-9a-f]{8}$/);
    expect(one).not.toBe(other);
  });

  it.each([[[]], [['']], [['ü']]])('gives a valid non-empty name for %j', (parts: string[]) => {
    // Prepare: parts that join to nothing usable

    // Act
    const name = executionName(parts);

    // Assess
    expect(name).toMatch(VALID_NAME);
  });
});

describe('Function: startExecutionOnce', () => {
  beforeEach(() => {
    sfnMock.reset();
    jest.spyOn(logger, 'info').mockImplementation(() => undefined);
  });

  afterEach(() => {
    jest.restoreAllMocks();
  });

  it('starts the execution with the name and the input as JSON', async () => {
    // Prepare
    sfnMock.on(StartExecutionCommand).resolves({ executionArn: 'arn:aws:states:us-east-1:123456789012:execution:ami-rollover:n', startDate: new Date() });

    // Act
    const result = await startExecutionOnce(new SFNClient({ region: 'us-east-1' }), STATE_MACHINE_ARN, 'n', { cluster: 'web' });

    // Assess
    expect(result).toEqual({ status: 'started', executionArn: 'arn:aws:states:us-east-1:123456789012:execution:ami-rollover:n' });
    expect(sfnMock).toHaveReceivedCommandWith(StartExecutionCommand, { stateMachineArn: STATE_MACHINE_ARN, name: 'n', input: '{"cluster":"web"}' });
  });

  it('answers alreadyHandled when the name is taken', async () => {
    // Prepare
    sfnMock.on(StartExecutionCommand).rejects(new ExecutionAlreadyExists({ message: 'Execution Already Exists', $metadata: {} }));

    // Act
    const result = await startExecutionOnce(new SFNClient({ region: 'us-east-1' }), STATE_MACHINE_ARN, 'n', {});

    // Assess
    expect(result).toEqual({ status: 'alreadyHandled' });
    expect(logger.info).toHaveBeenCalledWith(expect.any(String), { executionName: 'n' });
  });

  it.each(['StateMachineDoesNotExist', 'ThrottlingException', 'InvalidName'])('lets %s through', async (name) => {
    // Prepare
    sfnMock.on(StartExecutionCommand).rejects(Object.assign(new Error(name), { name }));

    // Act
    const start = startExecutionOnce(new SFNClient({ region: 'us-east-1' }), STATE_MACHINE_ARN, 'n', {});

    // Assess
    await expect(start).rejects.toMatchObject({ name });
  });
});
