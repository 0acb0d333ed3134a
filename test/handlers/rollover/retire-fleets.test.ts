import { CancelSpotFleetRequestsCommand, DescribeSpotFleetRequestsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { ECSClient } from '@aws-sdk/client-ecs';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { useClients } from '../../../functions/lib/clients';
import { logger } from '../../../functions/lib/log';
import { handler } from '../../../functions/rollover/retire-fleets';
import { TAGS } from '../../../functions/rollover/state';
import { testClients } from '../triggers/fixtures';
import { EXECUTION, FakeCluster, NEW_FLEET, OLD_FLEET, fakeInstance, rolloverState } from './fixtures';

const ecsMock = mockClient(ECSClient);
const ec2Mock = mockClient(EC2Client);

const drained = (n: number) => fakeInstance(n, { status: 'DRAINING' });
const oldScope = () => rolloverState({}, { drain: { scope: 'old', status: 'drained' } });

describe('Function: retire-fleets handler (RetireOldFleets / CancelReplacement)', () => {
  beforeEach(() => {
    ecsMock.reset();
    ec2Mock.reset();
    useClients(testClients());
    jest.spyOn(logger, 'info').mockImplementation(() => undefined);
    jest.spyOn(logger, 'warn').mockImplementation(() => undefined);
  });

  afterEach(() => {
    jest.restoreAllMocks();
    useClients(undefined);
  });

  it('refuses to cancel while an instance of the fleet is still ACTIVE (the fleet replaced one meanwhile)', async () => {
    // Prepare
    new FakeCluster([drained(1), drained(2), fakeInstance(3, { status: 'ACTIVE' })]).install(ecsMock, ec2Mock);

    // Act
    const result = await handler(oldScope());

    // Assess
    expect(result).toEqual({ status: 'notDrained', cancelled: [], instances: 3 });
    expect(ec2Mock).not.toHaveReceivedCommand(CancelSpotFleetRequestsCommand);
    expect(logger.warn).toHaveBeenCalledWith(expect.stringContaining('draining again'), { instances: ['i-00000000000000003'] });
  });

  it('refuses to cancel while a DRAINING instance still runs a task', async () => {
    // Prepare
    new FakeCluster([drained(1), fakeInstance(2, { status: 'DRAINING', runningTasks: 1 })]).install(ecsMock, ec2Mock);

    // Act
    const result = await handler(oldScope());

    // Assess
    expect(result.status).toBe('notDrained');
    expect(ec2Mock).not.toHaveReceivedCommand(CancelSpotFleetRequestsCommand);
  });

  it('refuses to cancel while a DRAINING instance has a task pending', async () => {
    // Prepare
    new FakeCluster([drained(1), fakeInstance(2, { status: 'DRAINING', pendingTasks: 1 })]).install(ecsMock, ec2Mock);

    // Act
    const result = await handler(oldScope());

    // Assess
    expect(result.status).toBe('notDrained');
    expect(ec2Mock).not.toHaveReceivedCommand(CancelSpotFleetRequestsCommand);
  });

  it('refuses to cancel while a task that is stopping still holds its reservation', async () => {
    // Prepare: no task counted RUNNING or PENDING, but 512 CPU units still reserved
    new FakeCluster([drained(1), fakeInstance(2, { status: 'DRAINING', runningTasks: 0, usedCpu: 512 })]).install(ecsMock, ec2Mock);

    // Act
    const result = await handler(oldScope());

    // Assess
    expect(result.status).toBe('notDrained');
    expect(ec2Mock).not.toHaveReceivedCommand(CancelSpotFleetRequestsCommand);
  });

  it('cancels the drained fleets with their instances', async () => {
    // Prepare
    new FakeCluster([drained(1), drained(2), fakeInstance(3, { fleetId: NEW_FLEET })]).install(ecsMock, ec2Mock);
    ec2Mock.on(CancelSpotFleetRequestsCommand).resolves({
      SuccessfulFleetRequests: [{ SpotFleetRequestId: OLD_FLEET, PreviousSpotFleetRequestState: 'active', CurrentSpotFleetRequestState: 'cancelled_terminating' }],
      UnsuccessfulFleetRequests: [],
    });

    // Act
    const result = await handler(oldScope());

    // Assess
    expect(result).toEqual({ status: 'retired', cancelled: [OLD_FLEET], instances: 2 });
    expect(ec2Mock).toHaveReceivedCommandTimes(CancelSpotFleetRequestsCommand, 1);
    expect(ec2Mock).toHaveReceivedCommandWith(CancelSpotFleetRequestsCommand, { SpotFleetRequestIds: [OLD_FLEET], TerminateInstances: true });
  });

  it('counts a fleet that is no longer cancellable (cancelled by a previous attempt) as retired', async () => {
    // Prepare: the fleet was cancelled already, so it lists no instance any more
    new FakeCluster([]).install(ecsMock, ec2Mock);
    ec2Mock.on(CancelSpotFleetRequestsCommand).resolves({
      SuccessfulFleetRequests: [],
      UnsuccessfulFleetRequests: [{ SpotFleetRequestId: OLD_FLEET, Error: { Code: 'fleetRequestNotInCancellableState', Message: 'The spot fleet request is cancelled_terminating' } }],
    });

    // Act
    const result = await handler(oldScope());

    // Assess
    expect(result).toEqual({ status: 'retired', cancelled: [OLD_FLEET], instances: 0 });
  });

  it('fails with RetireFailed naming the fleet and the code when a cancel fails otherwise', async () => {
    // Prepare
    new FakeCluster([drained(1)]).install(ecsMock, ec2Mock);
    ec2Mock.on(CancelSpotFleetRequestsCommand).resolves({
      UnsuccessfulFleetRequests: [{ SpotFleetRequestId: OLD_FLEET, Error: { Code: 'unexpectedError', Message: 'try again later' } }],
    });

    // Act
    const result = handler(oldScope());

    // Assess
    await expect(result).rejects.toMatchObject({ name: 'RetireFailed', message: `Could not cancel fleet(s): ${OLD_FLEET} (unexpectedError: try again later)` });
  });

  it('fails with RollbackIncomplete when cancelling the replacement fails', async () => {
    // Prepare
    new FakeCluster([fakeInstance(11, { fleetId: NEW_FLEET, status: 'DRAINING' })]).install(ecsMock, ec2Mock);
    ec2Mock.on(DescribeSpotFleetRequestsCommand).resolves({ SpotFleetRequestConfigs: [{ SpotFleetRequestId: NEW_FLEET, Tags: [{ Key: TAGS.execution, Value: EXECUTION.name }] }] });
    ec2Mock.on(CancelSpotFleetRequestsCommand).resolves({
      UnsuccessfulFleetRequests: [{ SpotFleetRequestId: NEW_FLEET, Error: { Code: 'fleetRequestIdDoesNotExist', Message: 'gone' } }],
    });

    // Act
    const result = handler(rolloverState({}, { drain: { scope: 'new', status: 'drained' } }));

    // Assess
    await expect(result).rejects.toMatchObject({ name: 'RollbackIncomplete' });
    expect(ec2Mock).toHaveReceivedCommandWith(CancelSpotFleetRequestsCommand, { SpotFleetRequestIds: [NEW_FLEET], TerminateInstances: true });
  });
});
