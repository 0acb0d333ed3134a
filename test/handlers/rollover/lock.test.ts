import { DescribeExecutionCommand, ExecutionDoesNotExist, SFNClient } from '@aws-sdk/client-sfn';
import { DeleteParameterCommand, GetParameterCommand, GetParametersByPathCommand, ParameterAlreadyExists, ParameterNotFound, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { useClients } from '../../../functions/lib/clients';
import { RolloverInProgressError } from '../../../functions/lib/errors';
import { logger } from '../../../functions/lib/log';
import { handler as acquireLock } from '../../../functions/rollover/acquire-lock';
import { handler as releaseLock } from '../../../functions/rollover/release-lock';
import type { RolloverState } from '../../../functions/rollover/state';
import { testClients } from '../triggers/fixtures';
import { EXECUTION, rolloverState } from './fixtures';

const ssmMock = mockClient(SSMClient);
const sfnMock = mockClient(SFNClient);
const LOCK = '/ecs-fleet-ops/locks/demo';
const OTHER = 'arn:aws:states:us-east-1:123456789012:execution:ecs-fleet-ops-ami-rollover:demo-0';
const savedEnv = { ...process.env };

const lockValue = (owner: string, since = '2026-11-01T09:00:00.000Z') => ({ Parameter: { Name: LOCK, Value: JSON.stringify({ owner, since }), Type: 'String' as const } });
const alreadyExists = () => new ParameterAlreadyExists({ message: 'The parameter already exists.', $metadata: {} });
const notFound = () => new ParameterNotFound({ message: '', $metadata: {} });

describe('Function: acquire-lock handler (AcquireLock)', () => {
  let state: RolloverState;

  beforeEach(() => {
    ssmMock.reset();
    sfnMock.reset();
    useClients(testClients());
    process.env = { ...savedEnv };
    delete process.env.LOCK_PARAMETER_PREFIX;
    jest.spyOn(logger, 'warn').mockImplementation(() => undefined);
    ssmMock.on(GetParametersByPathCommand).resolves({ Parameters: [] });
    state = rolloverState();
  });

  afterEach(() => {
    jest.restoreAllMocks();
    useClients(undefined);
    process.env = { ...savedEnv };
  });

  it('creates the lock without overwrite when the cluster is free', async () => {
    // Prepare
    ssmMock.on(PutParameterCommand).resolves({ Version: 1 });

    // Act
    const lock = await acquireLock(state);

    // Assess
    expect(lock).toEqual({ parameter: LOCK, owner: EXECUTION.id });
    expect(ssmMock).toHaveReceivedCommandTimes(PutParameterCommand, 1);
    expect(ssmMock).toHaveReceivedCommandWith(PutParameterCommand, { Name: LOCK, Overwrite: false, Type: 'String' });
    const value = JSON.parse(ssmMock.commandCalls(PutParameterCommand)[0].args[0].input.Value!);
    expect(value).toEqual({ owner: EXECUTION.id, since: EXECUTION.startedAt });
    expect(sfnMock).not.toHaveReceivedCommand(DescribeExecutionCommand);
  });

  it('gives its lock back and refuses with ScaleInProgress while a service of the cluster is being scaled', async () => {
    // Prepare: a running scaling of web in demo, a stale one of worker, one of another cluster
    const scaling = 'arn:aws:states:us-east-1:123456789012:execution:ecs-fleet-ops-scale-service:demo-web-out';
    const ended = 'arn:aws:states:us-east-1:123456789012:execution:ecs-fleet-ops-scale-service:demo-worker-in';
    const lockOf = (name: string, owner: string) => ({ Name: name, Value: JSON.stringify({ owner, since: '2026-11-01T09:00:00.000Z' }), Type: 'String' as const });
    ssmMock.on(PutParameterCommand).resolves({ Version: 1 });
    ssmMock.on(GetParametersByPathCommand).resolves({ Parameters: [lockOf(LOCK, EXECUTION.id), lockOf(`${LOCK}.scale.web`, scaling), lockOf(`${LOCK}.scale.worker`, ended), lockOf('/ecs-fleet-ops/locks/demo2.scale.web', scaling)] });
    ssmMock.on(GetParameterCommand, { Name: LOCK }).resolves(lockValue(EXECUTION.id));
    sfnMock.on(DescribeExecutionCommand, { executionArn: scaling }).resolves({ executionArn: scaling, status: 'RUNNING', startDate: new Date() });
    sfnMock.on(DescribeExecutionCommand, { executionArn: ended }).resolves({ executionArn: ended, status: 'SUCCEEDED', startDate: new Date() });

    // Act
    const result = acquireLock(state);

    // Assess
    await expect(result).rejects.toMatchObject({ name: 'ScaleInProgress', message: expect.stringMatching(/service\(s\) web \(by .*demo-web-out\); the rollover changed nothing/) });
    expect(ssmMock).toHaveReceivedCommandWith(GetParametersByPathCommand, { Path: '/ecs-fleet-ops/locks', Recursive: false });
    expect(ssmMock).toHaveReceivedCommandWith(DeleteParameterCommand, { Name: LOCK });
  });

  it('puts the lock under the configured prefix', async () => {
    // Prepare
    process.env.LOCK_PARAMETER_PREFIX = '/team-a/locks';
    ssmMock.on(PutParameterCommand).resolves({ Version: 1 });

    // Act
    const lock = await acquireLock(state);

    // Assess
    expect(lock.parameter).toBe('/team-a/locks/demo');
  });

  it('succeeds without overwriting when this execution already holds the lock (a retried step)', async () => {
    // Prepare
    ssmMock.on(PutParameterCommand).rejects(alreadyExists());
    ssmMock.on(GetParameterCommand).resolves(lockValue(EXECUTION.id));

    // Act
    const lock = await acquireLock(state);

    // Assess
    expect(lock).toEqual({ parameter: LOCK, owner: EXECUTION.id });
    expect(ssmMock).toHaveReceivedCommandTimes(PutParameterCommand, 1);
    expect(ssmMock).not.toHaveReceivedCommandWith(PutParameterCommand, { Overwrite: true });
    expect(sfnMock).not.toHaveReceivedCommand(DescribeExecutionCommand);
  });

  it('fails with RolloverInProgress naming the owner when a running execution holds the lock, overwriting nothing', async () => {
    // Prepare
    ssmMock.on(PutParameterCommand).rejects(alreadyExists());
    ssmMock.on(GetParameterCommand).resolves(lockValue(OTHER));
    sfnMock.on(DescribeExecutionCommand, { executionArn: OTHER }).resolves({ executionArn: OTHER, status: 'RUNNING', startDate: new Date() });

    // Act
    const result = acquireLock(state);

    // Assess
    await expect(result).rejects.toThrow(RolloverInProgressError);
    await expect(result).rejects.toMatchObject({ name: 'RolloverInProgress', message: expect.stringContaining(OTHER) });
    expect(ssmMock).toHaveReceivedCommandTimes(PutParameterCommand, 1);
    expect(ssmMock).not.toHaveReceivedCommandWith(PutParameterCommand, { Overwrite: true });
    expect(ssmMock).not.toHaveReceivedCommand(DeleteParameterCommand);
  });

  it.each(['SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED'] as const)('takes over a lock whose owner is %s', async (status) => {
    // Prepare
    ssmMock.on(PutParameterCommand, { Overwrite: false }).rejects(alreadyExists());
    ssmMock.on(PutParameterCommand, { Overwrite: true }).resolves({ Version: 2 });
    ssmMock.on(GetParameterCommand).resolvesOnce(lockValue(OTHER)).resolves(lockValue(EXECUTION.id, EXECUTION.startedAt));
    sfnMock.on(DescribeExecutionCommand).resolves({ executionArn: OTHER, status, startDate: new Date() });

    // Act
    const lock = await acquireLock(state);

    // Assess
    expect(lock).toEqual({ parameter: LOCK, owner: EXECUTION.id });
    expect(ssmMock).toHaveReceivedCommandWith(PutParameterCommand, { Name: LOCK, Overwrite: true });
    expect(logger.warn).toHaveBeenCalledWith('Took over a stale lock', { staleOwner: OTHER });
  });

  it('takes over a lock whose owner does not exist', async () => {
    // Prepare
    ssmMock.on(PutParameterCommand, { Overwrite: false }).rejects(alreadyExists());
    ssmMock.on(PutParameterCommand, { Overwrite: true }).resolves({ Version: 2 });
    ssmMock.on(GetParameterCommand).resolvesOnce(lockValue(OTHER)).resolves(lockValue(EXECUTION.id));
    sfnMock.on(DescribeExecutionCommand).rejects(new ExecutionDoesNotExist({ message: `Execution Does Not Exist: '${OTHER}'`, $metadata: {} }));

    // Act
    const lock = await acquireLock(state);

    // Assess
    expect(lock.owner).toBe(EXECUTION.id);
    expect(ssmMock).toHaveReceivedCommandWith(PutParameterCommand, { Overwrite: true });
  });

  it('fails with RolloverInProgress when another execution took the stale lock at the same moment', async () => {
    // Prepare
    const third = `${OTHER}-bis`;
    ssmMock.on(PutParameterCommand, { Overwrite: false }).rejects(alreadyExists());
    ssmMock.on(PutParameterCommand, { Overwrite: true }).resolves({ Version: 2 });
    ssmMock.on(GetParameterCommand).resolvesOnce(lockValue(OTHER)).resolves(lockValue(third));
    sfnMock.on(DescribeExecutionCommand).resolves({ executionArn: OTHER, status: 'ABORTED', startDate: new Date() });

    // Act
    const result = acquireLock(state);

    // Assess
    await expect(result).rejects.toMatchObject({ name: 'RolloverInProgress', message: expect.stringContaining(third) });
  });

  it('lets any other SSM error through unchanged', async () => {
    // Prepare
    const denied = Object.assign(new Error('User is not authorized to perform: ssm:PutParameter'), { name: 'AccessDeniedException' });
    ssmMock.on(PutParameterCommand).rejects(denied);

    // Act
    const result = acquireLock(state);

    // Assess
    await expect(result).rejects.toMatchObject({ name: 'AccessDeniedException' });
    expect(ssmMock).not.toHaveReceivedCommand(GetParameterCommand);
  });
});

describe('Function: release-lock handler (ReleaseLock)', () => {
  beforeEach(() => {
    ssmMock.reset();
    sfnMock.reset();
    useClients(testClients());
    delete process.env.LOCK_PARAMETER_PREFIX;
    jest.spyOn(logger, 'info').mockImplementation(() => undefined);
  });

  afterEach(() => {
    jest.restoreAllMocks();
    useClients(undefined);
    process.env = { ...savedEnv };
  });

  it('deletes the lock this execution holds', async () => {
    // Prepare
    ssmMock.on(GetParameterCommand).resolves(lockValue(EXECUTION.id));
    ssmMock.on(DeleteParameterCommand).resolves({});

    // Act
    const result = await releaseLock(rolloverState());

    // Assess
    expect(result).toEqual({ released: true });
    expect(ssmMock).toHaveReceivedCommandWith(DeleteParameterCommand, { Name: LOCK });
  });

  it('leaves alone a lock another execution holds', async () => {
    // Prepare
    ssmMock.on(GetParameterCommand).resolves(lockValue(OTHER));

    // Act
    const result = await releaseLock(rolloverState());

    // Assess
    expect(result).toEqual({ released: false });
    expect(ssmMock).not.toHaveReceivedCommand(DeleteParameterCommand);
  });

  it('does nothing when there is no lock', async () => {
    // Prepare
    ssmMock.on(GetParameterCommand).rejects(notFound());

    // Act
    const result = await releaseLock(rolloverState());

    // Assess
    expect(result).toEqual({ released: false });
    expect(ssmMock).not.toHaveReceivedCommand(DeleteParameterCommand);
  });

  it('counts a lock deleted meanwhile as released', async () => {
    // Prepare
    ssmMock.on(GetParameterCommand).resolves(lockValue(EXECUTION.id));
    ssmMock.on(DeleteParameterCommand).rejects(notFound());

    // Act
    const result = await releaseLock(rolloverState());

    // Assess
    expect(result).toEqual({ released: true });
  });

  it('touches nothing when the failure came before the request was validated', async () => {
    // Prepare
    const state = { execution: { ...EXECUTION }, failure: { Error: 'InvalidInput', Cause: '…' } } as unknown as RolloverState;

    // Act
    const result = await releaseLock(state);

    // Assess
    expect(result).toEqual({ released: false });
    expect(ssmMock.calls()).toHaveLength(0);
  });
});
