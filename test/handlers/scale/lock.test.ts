import { DescribeExecutionCommand, SFNClient } from '@aws-sdk/client-sfn';
import { DeleteParameterCommand, GetParameterCommand, ParameterAlreadyExists, ParameterNotFound, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { useClients } from '../../../functions/lib/clients';
import { logger } from '../../../functions/lib/log';
import { handler as acquireLock } from '../../../functions/scale/acquire-lock';
import { handler as releaseLock } from '../../../functions/scale/release-lock';
import { testClients } from '../triggers/fixtures';
import { EXECUTION, scaleState } from './fixtures';

const ssmMock = mockClient(SSMClient);
const sfnMock = mockClient(SFNClient);
const savedEnv = { ...process.env };
const ROLLOVER_LOCK = '/ecs-fleet-ops/locks/demo';
const WEB_LOCK = '/ecs-fleet-ops/locks/demo.scale.web';
const ROLLOVER = 'arn:aws:states:us-east-1:123456789012:execution:ecs-fleet-ops-dev-ami-rollover:demo-ami-0281c9a5cd9de63bd';
const OTHER_SCALING = 'arn:aws:states:us-east-1:123456789012:execution:ecs-fleet-ops-dev-scale-service:demo-web-out-20261101T1005Z';

const lockValue = (name: string, owner: string) => ({ Parameter: { Name: name, Value: JSON.stringify({ owner, since: '2026-11-01T10:00:00.000Z' }), Type: 'String' as const } });
const notFound = () => new ParameterNotFound({ message: '', $metadata: {} });
const alreadyExists = () => new ParameterAlreadyExists({ message: 'The parameter already exists.', $metadata: {} });
const running = (arn: string) => ({ executionArn: arn, status: 'RUNNING' as const, startDate: new Date() });

describe('Function: scale acquire-lock handler (AcquireLock)', () => {
  beforeEach(() => {
    ssmMock.reset();
    sfnMock.reset();
    useClients(testClients());
    process.env = { ...savedEnv };
    delete process.env.LOCK_PARAMETER_PREFIX;
    jest.spyOn(logger, 'warn').mockImplementation(() => undefined);
    ssmMock.on(GetParameterCommand).rejects(notFound());
  });

  afterEach(() => {
    jest.restoreAllMocks();
    useClients(undefined);
    process.env = { ...savedEnv };
  });

  it("takes the service's own lock when no rollover runs", async () => {
    // Prepare
    ssmMock.on(PutParameterCommand).resolves({ Version: 1 });

    // Act
    const lock = await acquireLock(scaleState());

    // Assess
    expect(lock).toEqual({ parameter: WEB_LOCK, owner: EXECUTION.id });
    expect(ssmMock).toHaveReceivedCommandWith(GetParameterCommand, { Name: ROLLOVER_LOCK });
    expect(ssmMock).toHaveReceivedCommandWith(PutParameterCommand, { Name: WEB_LOCK, Overwrite: false });
  });

  it('refuses with RolloverInProgress, giving back the lock it took, while a rollover of the cluster runs', async () => {
    // Prepare: the scale lock is taken first, then the rollover's is seen
    ssmMock.on(PutParameterCommand).resolves({ Version: 1 });
    ssmMock.on(GetParameterCommand, { Name: ROLLOVER_LOCK }).resolves(lockValue(ROLLOVER_LOCK, ROLLOVER));
    ssmMock.on(GetParameterCommand, { Name: WEB_LOCK }).resolves(lockValue(WEB_LOCK, EXECUTION.id));
    sfnMock.on(DescribeExecutionCommand, { executionArn: ROLLOVER }).resolves(running(ROLLOVER));

    // Act
    const result = acquireLock(scaleState());

    // Assess
    await expect(result).rejects.toMatchObject({ name: 'RolloverInProgress', message: expect.stringContaining(ROLLOVER) });
    expect(ssmMock).toHaveReceivedCommandWith(PutParameterCommand, { Name: WEB_LOCK, Overwrite: false });
    expect(ssmMock).toHaveReceivedCommandWith(DeleteParameterCommand, { Name: WEB_LOCK });
    expect(ssmMock).not.toHaveReceivedCommandWith(PutParameterCommand, { Name: ROLLOVER_LOCK });
  });

  it('goes ahead past the lock of a rollover that has ended, without touching it', async () => {
    // Prepare
    ssmMock.on(GetParameterCommand, { Name: ROLLOVER_LOCK }).resolves(lockValue(ROLLOVER_LOCK, ROLLOVER));
    sfnMock.on(DescribeExecutionCommand).resolves({ executionArn: ROLLOVER, status: 'FAILED', startDate: new Date() });
    ssmMock.on(PutParameterCommand).resolves({ Version: 1 });

    // Act
    const lock = await acquireLock(scaleState());

    // Assess
    expect(lock.parameter).toBe(WEB_LOCK);
    expect(ssmMock).not.toHaveReceivedCommandWith(PutParameterCommand, { Name: ROLLOVER_LOCK });
  });

  it('refuses with ScaleInProgress, overwriting nothing, while another scaling of the service runs', async () => {
    // Prepare
    ssmMock.on(PutParameterCommand).rejects(alreadyExists());
    ssmMock.on(GetParameterCommand, { Name: WEB_LOCK }).resolves(lockValue(WEB_LOCK, OTHER_SCALING));
    sfnMock.on(DescribeExecutionCommand, { executionArn: OTHER_SCALING }).resolves(running(OTHER_SCALING));

    // Act
    const result = acquireLock(scaleState());

    // Assess
    await expect(result).rejects.toMatchObject({ name: 'ScaleInProgress', message: expect.stringContaining(OTHER_SCALING) });
    expect(ssmMock).not.toHaveReceivedCommandWith(PutParameterCommand, { Overwrite: true });
  });

  it('keeps one lock per service: another service of the cluster has a lock of its own', async () => {
    // Prepare
    ssmMock.on(PutParameterCommand).resolves({ Version: 1 });

    // Act
    const lock = await acquireLock(scaleState({ service: 'api' }));

    // Assess
    expect(lock.parameter).toBe('/ecs-fleet-ops/locks/demo.scale.api');
  });

  it('takes over the lock of a scaling that has ended', async () => {
    // Prepare
    ssmMock.on(PutParameterCommand, { Overwrite: false }).rejects(alreadyExists());
    ssmMock.on(PutParameterCommand, { Overwrite: true }).resolves({ Version: 2 });
    ssmMock.on(GetParameterCommand, { Name: WEB_LOCK }).resolvesOnce(lockValue(WEB_LOCK, OTHER_SCALING)).resolves(lockValue(WEB_LOCK, EXECUTION.id));
    sfnMock.on(DescribeExecutionCommand).resolves({ executionArn: OTHER_SCALING, status: 'ABORTED', startDate: new Date() });

    // Act
    const lock = await acquireLock(scaleState());

    // Assess
    expect(lock.owner).toBe(EXECUTION.id);
    expect(logger.warn).toHaveBeenCalledWith('Took over a stale lock', { staleOwner: OTHER_SCALING });
  });
});

describe('Function: scale release-lock handler (ReleaseLock)', () => {
  beforeEach(() => {
    ssmMock.reset();
    useClients(testClients());
    delete process.env.LOCK_PARAMETER_PREFIX;
    jest.spyOn(logger, 'info').mockImplementation(() => undefined);
  });

  afterEach(() => {
    jest.restoreAllMocks();
    useClients(undefined);
  });

  it('deletes the lock this execution holds, and leaves another one alone', async () => {
    // Prepare
    ssmMock.on(GetParameterCommand).resolvesOnce(lockValue(WEB_LOCK, EXECUTION.id)).resolves(lockValue(WEB_LOCK, OTHER_SCALING));
    ssmMock.on(DeleteParameterCommand).resolves({});

    // Act
    const results = [await releaseLock(scaleState()), await releaseLock(scaleState())];

    // Assess
    expect(results).toEqual([{ released: true }, { released: false }]);
    expect(ssmMock).toHaveReceivedCommandTimes(DeleteParameterCommand, 1);
    expect(ssmMock).toHaveReceivedCommandWith(DeleteParameterCommand, { Name: WEB_LOCK });
  });
});
