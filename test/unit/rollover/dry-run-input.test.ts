import { InvalidInputError } from '../../../functions/lib/errors';
import { loadRolloverTargets } from '../../../functions/lib/rollover-targets';
import { parseRolloverInput } from '../../../functions/rollover/input';

const savedEnv = { ...process.env };

describe('Input: dryRun', () => {
  afterEach(() => {
    process.env = { ...savedEnv };
  });

  it('is carried in the request only when true', () => {
    // Prepare
    const inputs = [{ cluster: 'demo', dryRun: true }, { cluster: 'demo', dryRun: false }, { cluster: 'demo' }];

    // Act
    const requests = inputs.map(parseRolloverInput);

    // Assess
    expect(requests.map((r) => r.dryRun)).toEqual([true, undefined, undefined]);
    expect('dryRun' in requests[1]).toBe(false);
  });

  it('must be a boolean', () => {
    // Prepare
    const input = { cluster: 'demo', dryRun: 'yes' };

    // Act
    const parse = () => parseRolloverInput(input);

    // Assess
    expect(parse).toThrow(InvalidInputError);
    expect(parse).toThrow(/dryRun/);
  });

  it('is refused in a CLUSTERS entry: a dry run under the triggers’ execution name would block the real rollover', () => {
    // Prepare
    process.env = { ...savedEnv, ROLLOVER_STATE_MACHINE_ARN: 'arn:aws:states:us-east-1:123456789012:stateMachine:x', CLUSTERS: JSON.stringify([{ cluster: 'web', dryRun: true }]) };

    // Act
    const load = () => loadRolloverTargets();

    // Assess
    expect(load).toThrow('CLUSTERS[0]: dryRun is not allowed; plan a rollover from the console or with npm run plan');
  });
});
