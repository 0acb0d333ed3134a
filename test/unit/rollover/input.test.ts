import { InvalidInputError } from '../../../functions/lib/errors';
import { ROLLOVER_DEFAULTS, parseRolloverInput } from '../../../functions/rollover/input';

const FLEET_A = 'sfr-12345678-1234-1234-1234-123456789012';
const FLEET_B = 'sfr-abcdef01-2345-6789-abcd-ef0123456789';

/** The error parseRolloverInput throws for `raw` (fails the test if it throws nothing). */
function rejectionOf(raw: unknown): InvalidInputError {
  try {
    parseRolloverInput(raw);
  } catch (error) {
    return error as InvalidInputError;
  }
  throw new Error(`expected ${JSON.stringify(raw)} to be rejected`);
}

describe('Function: parseRolloverInput', () => {
  it('fills in every default when only the cluster is given', () => {
    // Prepare
    const raw = { cluster: 'demo' };

    // Act
    const request = parseRolloverInput(raw);

    // Assess
    expect(request).toEqual({
      cluster: 'demo',
      amiParameter: ROLLOVER_DEFAULTS.amiParameter,
      drain: { batchPercent: 100, timeoutSeconds: 1800, standaloneTasks: 'wait' },
      replacementTimeoutSeconds: 900,
      pollSeconds: 30,
    });
    expect(request).not.toHaveProperty('amiId');
    expect(request).not.toHaveProperty('fleetIds');
  });

  it('keeps every value the user gave', () => {
    // Prepare
    const raw = {
      cluster: 'web_prod-2',
      amiId: 'ami-0281c9a5cd9de63bd',
      fleetIds: [FLEET_A, FLEET_B],
      drain: { batchPercent: 25, timeoutSeconds: 600, standaloneTasks: 'stop' },
      replacementTimeoutSeconds: 1200,
      pollSeconds: 10,
    };

    // Act
    const request = parseRolloverInput(structuredClone(raw));

    // Assess
    expect(request).toEqual({ ...raw, amiParameter: ROLLOVER_DEFAULTS.amiParameter });
  });

  it('fills the drain defaults a partial drain block leaves out', () => {
    // Prepare
    const raw = { cluster: 'demo', drain: { batchPercent: 50 } };

    // Act
    const request = parseRolloverInput(raw);

    // Assess
    expect(request.drain).toEqual({ batchPercent: 50, timeoutSeconds: 1800, standaloneTasks: 'wait' });
  });

  it('accepts an 8-digit legacy AMI id and an SSM parameter of ones own', () => {
    // Prepare
    const raw = { cluster: 'demo', amiParameter: '/platform/ecs/golden-ami' };

    // Act
    const fromParameter = parseRolloverInput(raw);
    const legacy = parseRolloverInput({ cluster: 'demo', amiId: 'ami-0a1b2c3d' });

    // Assess
    expect(fromParameter.amiParameter).toBe('/platform/ecs/golden-ami');
    expect(legacy.amiId).toBe('ami-0a1b2c3d');
  });

  it('turns a cluster ARN into the cluster name', () => {
    // Prepare
    const raw = { cluster: 'arn:aws:ecs:eu-west-1:123456789012:cluster/web-prod' };

    // Act
    const request = parseRolloverInput(raw);

    // Assess
    expect(request.cluster).toBe('web-prod');
  });

  it.each([
    ['an unknown field', { cluster: 'demo', clustr: 'x' }, "input: unknown field(s) 'clustr'"],
    ['an unknown drain field', { cluster: 'demo', drain: { batchPercentage: 50 } }, "drain: unknown field(s) 'batchPercentage'"],
    ['a missing cluster', { amiId: 'ami-0281c9a5cd9de63bd' }, 'cluster:'],
    ['an amiId of the wrong shape', { cluster: 'demo', amiId: 'ami-123' }, 'amiId: must look like ami-'],
    ['an amiId in upper case', { cluster: 'demo', amiId: 'ami-0281C9A5CD9DE63BD' }, 'amiId:'],
    ['both amiId and amiParameter', { cluster: 'demo', amiId: 'ami-0281c9a5cd9de63bd', amiParameter: '/x/y' }, 'amiId: give either amiId or amiParameter, not both'],
    ['an amiParameter that is not a path', { cluster: 'demo', amiParameter: 'recommended' }, 'amiParameter:'],
    ['a repeated fleet id', { cluster: 'demo', fleetIds: [FLEET_A, FLEET_A] }, 'fleetIds: must not repeat a fleet id'],
    ['a malformed fleet id', { cluster: 'demo', fleetIds: [FLEET_A, 'sfr-123'] }, 'fleetIds.1: must look like sfr-'],
    ['an empty fleet list', { cluster: 'demo', fleetIds: [] }, 'fleetIds:'],
    ['fleetIds given as a string', { cluster: 'demo', fleetIds: FLEET_A }, 'fleetIds:'],
    ['drain.batchPercent 0', { cluster: 'demo', drain: { batchPercent: 0 } }, 'drain.batchPercent:'],
    ['drain.batchPercent 101', { cluster: 'demo', drain: { batchPercent: 101 } }, 'drain.batchPercent:'],
    ['a fractional drain.batchPercent', { cluster: 'demo', drain: { batchPercent: 33.3 } }, 'drain.batchPercent:'],
    ['drain.batchPercent as a string', { cluster: 'demo', drain: { batchPercent: '50' } }, 'drain.batchPercent:'],
    ["drain.standaloneTasks 'kill'", { cluster: 'demo', drain: { standaloneTasks: 'kill' } }, 'drain.standaloneTasks:'],
    ['drain.timeoutSeconds under a minute', { cluster: 'demo', drain: { timeoutSeconds: 59 } }, 'drain.timeoutSeconds:'],
    ['drain.timeoutSeconds over a day', { cluster: 'demo', drain: { timeoutSeconds: 86_401 } }, 'drain.timeoutSeconds:'],
    ['replacementTimeoutSeconds over two hours', { cluster: 'demo', replacementTimeoutSeconds: 7_201 }, 'replacementTimeoutSeconds:'],
    ['replacementTimeoutSeconds under a minute', { cluster: 'demo', replacementTimeoutSeconds: 30 }, 'replacementTimeoutSeconds:'],
    ['pollSeconds under 5', { cluster: 'demo', pollSeconds: 4 }, 'pollSeconds:'],
    ['pollSeconds over 300', { cluster: 'demo', pollSeconds: 301 }, 'pollSeconds:'],
  ])('rejects %s, naming the field', (_what, raw, expected) => {
    // Prepare: raw (table)

    // Act
    const error = rejectionOf(raw);

    // Assess
    expect(error).toBeInstanceOf(InvalidInputError);
    expect(error.name).toBe('InvalidInput');
    expect(error.message).toContain(expected);
  });

  it.each([
    ['an empty name', ''],
    ['a name with spaces', 'web prod'],
    ['a name over 255 characters', 'c'.repeat(256)],
    ['a shell injection', 'demo; rm -rf /'],
    ['a script tag', '<script>alert(1)</script>'],
    ['a path traversal', '../../etc/passwd'],
    ['a newline', 'demo\nECS_CLUSTER=evil'],
    ['a query-language injection', 'demo or ec2InstanceId in [i-1]'],
    ['an ARN of another service', 'arn:aws:ec2:us-east-1:123456789012:cluster/demo'],
    ['an ARN whose name is hostile', 'arn:aws:ecs:us-east-1:123456789012:cluster/demo;reboot'],
    ['a number', 42],
  ])('rejects a cluster given as %s without echoing it', (_what, cluster) => {
    // Prepare
    const raw = { cluster };

    // Act
    const error = rejectionOf(raw);

    // Assess
    expect(error).toBeInstanceOf(InvalidInputError);
    expect(error.message).toMatch(/^Invalid rollover input: cluster: /);
    if (typeof cluster === 'string' && cluster.length > 0) expect(error.message).not.toContain(cluster);
  });

  it('accepts a cluster name of exactly 255 characters', () => {
    // Prepare
    const cluster = 'c'.repeat(255);

    // Act
    const request = parseRolloverInput({ cluster });

    // Assess
    expect(request.cluster).toBe(cluster);
  });

  it.each([
    ['a string', 'demo'],
    ['a number', 7],
    ['null', null],
    ['undefined', undefined],
    ['an array', [{ cluster: 'demo' }]],
  ])('rejects %s as the whole input', (_what, raw) => {
    // Prepare: raw (table)

    // Act
    const error = rejectionOf(raw);

    // Assess
    expect(error).toBeInstanceOf(InvalidInputError);
    expect(error.message).toMatch(/^Invalid rollover input: input: /);
  });

  it('names every problem of an input at once', () => {
    // Prepare
    const raw = { cluster: 'demo', pollSeconds: 1, drain: { batchPercent: 0 } };

    // Act
    const error = rejectionOf(raw);

    // Assess
    expect(error.message).toContain('pollSeconds:');
    expect(error.message).toContain('drain.batchPercent:');
  });
});
