import { DescribeSpotFleetRequestsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { ECSClient, StopTaskCommand, UpdateContainerInstancesStateCommand } from '@aws-sdk/client-ecs';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { useClients } from '../../../functions/lib/clients';
import { logger } from '../../../functions/lib/log';
import { handler } from '../../../functions/rollover/drain-instances';
import { TAGS } from '../../../functions/rollover/state';
import { testClients } from '../triggers/fixtures';
import { EXECUTION, FakeCluster, NEW_FLEET, OLD_FLEET, fakeInstance, fakeTask, rolloverState } from './fixtures';

const ecsMock = mockClient(ECSClient);
const ec2Mock = mockClient(EC2Client);

/** The container instances each UpdateContainerInstancesState call named, call by call. */
const drainCalls = () => ecsMock.commandCalls(UpdateContainerInstancesStateCommand).map((c) => c.args[0].input);

describe('Function: drain-instances handler (DrainOldInstances / DrainReplacement)', () => {
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

  it('sets every instance of the old fleets DRAINING, at most 10 per call, and leaves the rest of the cluster alone', async () => {
    // Prepare: 23 instances of the old fleet, 2 of no fleet at all
    const old = Array.from({ length: 23 }, (_, n) => fakeInstance(n + 1, { runningTasks: n % 3 }));
    const foreign = [fakeInstance(100, { fleetId: undefined }), fakeInstance(101, { fleetId: undefined })];
    new FakeCluster([...old, ...foreign]).install(ecsMock, ec2Mock);

    // Act
    const drain = await handler(rolloverState({}, { drain: { scope: 'old' } }));

    // Assess
    const calls = drainCalls();
    expect(calls.map((c) => c.containerInstances!.length)).toEqual([10, 10, 3]);
    expect(calls.every((c) => c.status === 'DRAINING' && c.cluster === 'demo')).toBe(true);
    expect(calls.flatMap((c) => c.containerInstances).sort()).toEqual(old.map((i) => i.arn).sort());
    expect(foreign.every((i) => i.status === 'ACTIVE')).toBe(true);
    expect(drain).toMatchObject({ scope: 'old', status: 'draining', batches: 1, polls: 0, waitSeconds: 30 });
    expect(drain.progress).toMatchObject({ instances: 23, draining: 23, standaloneStopped: 0 });
  });

  it('sets a deadline of drain.timeoutSeconds from now on the first batch, and keeps it on later ones', async () => {
    // Prepare
    new FakeCluster([fakeInstance(1), fakeInstance(2)]).install(ecsMock, ec2Mock);
    const before = Date.now();

    // Act
    const first = await handler(rolloverState({ drain: { timeoutSeconds: 600 } }, { drain: { scope: 'old' } }));
    const second = await handler(rolloverState({ drain: { timeoutSeconds: 600 } }, { drain: first }));

    // Assess
    const deadline = Date.parse(first.deadline!);
    expect(deadline).toBeGreaterThanOrEqual(before + 600_000);
    expect(deadline).toBeLessThanOrEqual(Date.now() + 600_000);
    expect(second.deadline).toBe(first.deadline);
    expect(second.startedAt).toBe(first.startedAt);
    expect(second.batches).toBe(2);
  });

  it('logs the instances ECS refused and goes on with the others', async () => {
    // Prepare
    const instances = [fakeInstance(1), fakeInstance(2), fakeInstance(3)];
    const cluster = new FakeCluster(instances);
    cluster.refuse.add(instances[1].arn);
    cluster.install(ecsMock, ec2Mock);

    // Act
    const drain = await handler(rolloverState({}, { drain: { scope: 'old' } }));

    // Assess
    expect(drain.status).toBe('draining');
    expect(drain.progress?.draining).toBe(2);
    expect(instances.map((i) => i.status)).toEqual(['DRAINING', 'ACTIVE', 'DRAINING']);
    expect(logger.warn).toHaveBeenCalledWith('Some container instances could not be set DRAINING', {
      failures: [{ arn: instances[1].arn, reason: 'INVALID_STATE: Container instance is in DEREGISTERING status' }],
    });
  });

  it('with batchPercent 50 drains half of the instances, the least busy first, then the other half', async () => {
    // Prepare
    const instances = [fakeInstance(1, { runningTasks: 3 }), fakeInstance(2, { runningTasks: 0 }), fakeInstance(3, { runningTasks: 2 }), fakeInstance(4, { runningTasks: 1 })];
    new FakeCluster(instances).install(ecsMock, ec2Mock);
    const input = { drain: { batchPercent: 50 } };

    // Act
    const first = await handler(rolloverState(input, { drain: { scope: 'old' } }));
    const afterFirst = instances.map((i) => i.status);
    const second = await handler(rolloverState(input, { drain: first }));

    // Assess
    expect(afterFirst).toEqual(['ACTIVE', 'DRAINING', 'ACTIVE', 'DRAINING']);
    expect(first.progress?.draining).toBe(2);
    expect(instances.map((i) => i.status)).toEqual(['DRAINING', 'DRAINING', 'DRAINING', 'DRAINING']);
    expect(second.progress?.draining).toBe(4);
    expect(drainCalls().map((c) => c.containerInstances!.length)).toEqual([2, 2]);
  });

  it('rounds a batch up, so a small fleet is never stuck on a batch of zero', async () => {
    // Prepare
    const instances = [fakeInstance(1), fakeInstance(2), fakeInstance(3)];
    new FakeCluster(instances).install(ecsMock, ec2Mock);

    // Act
    await handler(rolloverState({ drain: { batchPercent: 10 } }, { drain: { scope: 'old' } }));

    // Assess
    expect(instances.filter((i) => i.status === 'DRAINING')).toHaveLength(1);
  });

  it("with standaloneTasks 'stop' stops the standalone tasks of the drained instances, and no service task", async () => {
    // Prepare
    const drained = fakeInstance(1, { runningTasks: 3 });
    const elsewhere = fakeInstance(2, { fleetId: undefined, runningTasks: 1 });
    const tasks = [
      fakeTask('web-1', drained, 'service:web'),
      fakeTask('report-1', drained, 'family:nightly-report'),
      fakeTask('adhoc-1', drained, 'adhoc'),
      fakeTask('report-2', elsewhere, 'family:nightly-report'),
    ];
    new FakeCluster([drained, elsewhere], tasks).install(ecsMock, ec2Mock);

    // Act
    const drain = await handler(rolloverState({ drain: { standaloneTasks: 'stop' } }, { drain: { scope: 'old' } }));

    // Assess
    const stopped = ecsMock.commandCalls(StopTaskCommand).map((c) => c.args[0].input);
    expect(stopped.map((s) => s.task)).toEqual([tasks[1].taskArn, tasks[2].taskArn]);
    expect(stopped.every((s) => s.cluster === 'demo' && s.reason!.includes(EXECUTION.name))).toBe(true);
    expect(drain.progress?.standaloneStopped).toBe(2);
  });

  it("with standaloneTasks 'wait' (the default) stops nothing", async () => {
    // Prepare
    const drained = fakeInstance(1, { runningTasks: 1 });
    new FakeCluster([drained], [fakeTask('report-1', drained, 'family:nightly-report')]).install(ecsMock, ec2Mock);

    // Act
    const drain = await handler(rolloverState({}, { drain: { scope: 'old' } }));

    // Assess
    expect(ecsMock).not.toHaveReceivedCommand(StopTaskCommand);
    expect(drain.progress?.standaloneStopped).toBe(0);
  });

  it('drains the whole replacement at once in a rollback, whatever batchPercent says', async () => {
    // Prepare: the old fleet's instances stay; the replacement fleet, found by its tag, is drained
    const old = [fakeInstance(1), fakeInstance(2)];
    const replacement = [fakeInstance(11, { fleetId: NEW_FLEET }), fakeInstance(12, { fleetId: NEW_FLEET }), fakeInstance(13, { fleetId: NEW_FLEET })];
    new FakeCluster([...old, ...replacement]).install(ecsMock, ec2Mock);
    ec2Mock.on(DescribeSpotFleetRequestsCommand).resolves({
      SpotFleetRequestConfigs: [
        { SpotFleetRequestId: OLD_FLEET, Tags: [] },
        { SpotFleetRequestId: NEW_FLEET, Tags: [{ Key: TAGS.execution, Value: EXECUTION.name }] },
      ],
    });

    // Act
    const drain = await handler(rolloverState({ drain: { batchPercent: 34 } }, { drain: { scope: 'new' } }));

    // Assess
    expect(replacement.map((i) => i.status)).toEqual(['DRAINING', 'DRAINING', 'DRAINING']);
    expect(old.map((i) => i.status)).toEqual(['ACTIVE', 'ACTIVE']);
    expect(drain.scope).toBe('new');
  });
});
