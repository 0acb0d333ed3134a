import { parseRolloverInput } from '../../../functions/rollover/input';
import { causeText, outcomeOf } from '../../../functions/rollover/notify';
import type { RolloverState } from '../../../functions/rollover/state';

const STARTED = Date.parse('2026-11-01T10:00:00.000Z');
const NEW_AMI = 'ami-0281c9a5cd9de63bd';

/** A Catch's Cause for a Lambda error: the runtime's JSON error document, as a string. */
function lambdaCause(errorType: string, errorMessage: string): string {
  return JSON.stringify({ errorType, errorMessage, trace: [`${errorType}: ${errorMessage}`, '    at handler (/var/task/index.js:1:1)'] });
}

function state(extra: Partial<RolloverState> = {}): RolloverState {
  return {
    request: parseRolloverInput({ cluster: 'demo' }),
    execution: { id: 'arn:aws:states:us-east-1:123456789012:execution:ami-rollover:demo-1', name: 'demo-1', startedAt: new Date(STARTED).toISOString() },
    targetAmi: { imageId: NEW_AMI, source: 'ssm', parameter: '/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended' },
    ...extra,
  };
}

describe('Function: causeText', () => {
  it('keeps only the message of a Lambda error cause', () => {
    // Prepare
    const failure = { Error: 'DrainTimeout', Cause: lambdaCause('DrainTimeout', 'Drain of the old instances of cluster demo timed out after 1800 s') };

    // Act
    const text = causeText(failure);

    // Assess
    expect(text).toBe('Drain of the old instances of cluster demo timed out after 1800 s');
  });

  it('keeps a plain-text cause as it is', () => {
    // Prepare
    const failure = { Error: 'States.Timeout', Cause: 'The state did not finish within 300 seconds' };

    // Act
    const text = causeText(failure);

    // Assess
    expect(text).toBe('The state did not finish within 300 seconds');
  });

  it('keeps a JSON cause without errorMessage whole', () => {
    // Prepare
    const failure = { Error: 'States.TaskFailed', Cause: '{"code":42}' };

    // Act
    const text = causeText(failure);

    // Assess
    expect(text).toBe('{"code":42}');
  });

  it('gives an empty text when there is no failure', () => {
    // Prepare
    const failure = undefined;

    // Act
    const text = causeText(failure);

    // Assess
    expect(text).toBe('');
  });
});

describe('Function: outcomeOf', () => {
  beforeEach(() => {
    jest.spyOn(Date, 'now').mockReturnValue(STARTED + 754_400);
  });

  afterEach(() => {
    jest.restoreAllMocks();
  });

  it('reports a success with the replaced fleets and the duration', () => {
    // Prepare
    const fleets = [{ oldFleetId: 'sfr-12345678-1234-1234-1234-123456789012', newFleetId: 'sfr-abcdef01-2345-6789-abcd-ef0123456789' }];
    const input = state({ replacement: { fleets, deadline: '', status: 'ready', waitSeconds: 30, polls: 3, progress: { targetCapacity: 6, fulfilledCapacity: 6, instances: 4, activeInCluster: 4 } } });

    // Act
    const outcome = outcomeOf(input);

    // Assess
    expect(outcome).toEqual({
      outcome: 'succeeded',
      cluster: 'demo',
      message: `Cluster demo now runs ${NEW_AMI} on 1 replacement fleet(s)`,
      targetAmi: NEW_AMI,
      replacedFleets: fleets,
      durationSeconds: 754,
    });
  });

  it('reports a no-op when the plan found the cluster up to date', () => {
    // Prepare
    const input = state({
      plan: { fleets: [], replace: [], upToDate: true, containerInstances: 4, otherInstances: 0, targetGroupArns: [], message: `Every Spot Fleet of cluster demo already runs ${NEW_AMI}; nothing to do` },
    });

    // Act
    const outcome = outcomeOf(input);

    // Assess
    expect(outcome.outcome).toBe('noop');
    expect(outcome.message).toBe(`Every Spot Fleet of cluster demo already runs ${NEW_AMI}; nothing to do`);
  });

  it('reports a failure with its error name and the readable cause', () => {
    // Prepare
    const input = state({ failure: { Error: 'ReplacementFailed', Cause: lambdaCause('ReplacementFailed', 'Replacement for cluster demo failed: fleet is failed') } });

    // Act
    const outcome = outcomeOf(input);

    // Assess
    expect(outcome).toEqual({
      outcome: 'failed',
      cluster: 'demo',
      error: 'ReplacementFailed',
      cause: 'Replacement for cluster demo failed: fleet is failed',
      message: 'Rollover of demo failed: ReplacementFailed',
      durationSeconds: 754,
    });
  });

  it('reports RollbackIncomplete with both causes when the rollback failed too', () => {
    // Prepare
    const input = state({
      failure: { Error: 'DrainTimeout', Cause: lambdaCause('DrainTimeout', 'tasks still on draining instances: service:web 1a2b (RUNNING)') },
      rollbackFailure: { Error: 'States.TaskFailed', Cause: 'Lambda timed out' },
    });

    // Act
    const outcome = outcomeOf(input);

    // Assess
    expect(outcome.outcome).toBe('failed');
    expect(outcome.error).toBe('RollbackIncomplete');
    expect(outcome.message).toBe('Rollover of demo failed and its rollback is incomplete');
    expect(outcome.cause).toContain('tasks still on draining instances: service:web 1a2b (RUNNING)');
    expect(outcome.cause).toContain('the rollback could not finish: Lambda timed out');
    expect(outcome.cause).toContain('ecs-fleet-ops:execution=demo-1');
  });

  it('still reports a failure of a state that carries no request (input validation failed)', () => {
    // Prepare
    const input = { execution: state().execution, failure: { Error: 'InvalidInput', Cause: lambdaCause('InvalidInput', 'Invalid rollover input: cluster: must be…') } } as unknown as RolloverState;

    // Act
    const outcome = outcomeOf(input);

    // Assess
    expect(outcome.outcome).toBe('failed');
    expect(outcome.cluster).toBeUndefined();
    expect(outcome.message).toBe('Rollover of an unknown cluster failed: InvalidInput');
  });
});
