import { InvalidInputError } from '../../../functions/lib/errors';
import { FLEET_DEFAULTS, SCALE_DEFAULTS, configuredAlarmActions, configuredFleets, parseScaleInput, type FleetSettings } from '../../../functions/scale/input';

const FLEET = 'sfr-12345678-1234-1234-1234-123456789012';
const savedEnv = { ...process.env };

/** The error `act` throws (fails the test if it throws nothing). */
function rejectionOf(act: () => unknown): InvalidInputError {
  try {
    act();
  } catch (error) {
    return error as InvalidInputError;
  }
  throw new Error('expected a rejection');
}

const valid = { cluster: 'demo', service: 'web', direction: 'out', min: 2, max: 10 };

describe('Function: parseScaleInput', () => {
  it('fills in step, cooldown and the defaults of a cluster without scaling settings', () => {
    // Prepare
    const raw = { ...valid };

    // Act
    const request = parseScaleInput(raw, []);

    // Assess
    expect(request).toEqual({
      cluster: 'demo',
      service: 'web',
      direction: 'out',
      step: SCALE_DEFAULTS.step,
      min: 2,
      max: 10,
      cooldownSeconds: SCALE_DEFAULTS.cooldownSeconds,
      pollSeconds: FLEET_DEFAULTS.pollSeconds,
      capacityTimeoutSeconds: FLEET_DEFAULTS.capacityTimeoutSeconds,
      steadyTimeoutSeconds: FLEET_DEFAULTS.steadyTimeoutSeconds,
      drain: FLEET_DEFAULTS.drain,
    });
    expect(request).not.toHaveProperty('fleet');
  });

  it("adds the cluster's fleet settings, with their own defaults", () => {
    // Prepare
    const settings: FleetSettings[] = [
      { cluster: 'other', minCapacity: 1, maxCapacity: 2 },
      { cluster: 'demo', fleetId: FLEET, minCapacity: 2, maxCapacity: 24, steadyTimeoutSeconds: 300, drain: { standaloneTasks: 'stop' } },
    ];

    // Act
    const request = parseScaleInput({ ...valid, step: 3, cooldownSeconds: 0 }, settings);

    // Assess
    expect(request).toMatchObject({
      step: 3,
      cooldownSeconds: 0,
      fleet: { fleetId: FLEET, minCapacity: 2, maxCapacity: 24, headroomInstances: FLEET_DEFAULTS.headroomInstances },
      steadyTimeoutSeconds: 300,
      drain: { timeoutSeconds: FLEET_DEFAULTS.drain.timeoutSeconds, standaloneTasks: 'stop' },
    });
  });

  it("adds the Auto Scaling group the cluster's settings name", () => {
    // Prepare
    const settings: FleetSettings[] = [{ cluster: 'demo', groupName: 'demo-ecs/asg', minCapacity: 1, maxCapacity: 6, headroomInstances: 0 }];

    // Act
    const request = parseScaleInput(valid, settings);

    // Assess
    expect(request.fleet).toEqual({ groupName: 'demo-ecs/asg', minCapacity: 1, maxCapacity: 6, headroomInstances: 0 });
  });

  it('accepts a cluster ARN and a service ARN (long and old format) and keeps the names', () => {
    // Prepare
    const long = { ...valid, cluster: 'arn:aws:ecs:us-east-1:123456789012:cluster/demo', service: 'arn:aws:ecs:us-east-1:123456789012:service/demo/web' };
    const old = { ...valid, service: 'arn:aws:ecs:us-east-1:123456789012:service/web' };

    // Act
    const requests = [parseScaleInput(long, []), parseScaleInput(old, [])];

    // Assess
    expect(requests.map((r) => [r.cluster, r.service])).toEqual([
      ['demo', 'web'],
      ['demo', 'web'],
    ]);
  });

  it.each([
    ['a misspelt field', { ...valid, stepp: 2 }, "unknown field(s) 'stepp'"],
    ['a missing service', { cluster: 'demo', direction: 'out', min: 1, max: 2 }, 'service:'],
    ['an unknown direction', { ...valid, direction: 'up' }, 'direction: must be "out" or "in"'],
    ['min above max', { ...valid, min: 5, max: 4 }, 'min: min must not exceed max'],
    ['a step of zero', { ...valid, step: 0 }, 'step:'],
    ['a fractional step', { ...valid, step: 1.5 }, 'step:'],
    ['more tasks than a service may have', { ...valid, max: 5001 }, 'max:'],
    ['a negative cooldown', { ...valid, cooldownSeconds: -1 }, 'cooldownSeconds:'],
    ['a service name with a wildcard', { ...valid, service: 'web*' }, 'service: must be a service name'],
    ['no object at all', 'scale web out', 'input:'],
  ])('refuses %s with InvalidInput', (_what, raw, message) => {
    // Prepare: raw input

    // Act
    const error = rejectionOf(() => parseScaleInput(raw, []));

    // Assess
    expect(error).toBeInstanceOf(InvalidInputError);
    expect(error.name).toBe('InvalidInput');
    expect(error.message).toContain(message);
  });
});

describe('Function: configuredFleets / configuredAlarmActions', () => {
  afterEach(() => {
    process.env = { ...savedEnv };
  });

  it('reads none when the variables are not set', () => {
    // Prepare
    delete process.env.SCALE_FLEETS;
    delete process.env.SCALE_ALARMS;

    // Act
    const result = [configuredFleets(), configuredAlarmActions()];

    // Assess
    expect(result).toEqual([[], []]);
  });

  it('reads the stage params as JSON', () => {
    // Prepare
    process.env.SCALE_FLEETS = JSON.stringify([{ cluster: 'demo', minCapacity: 2, maxCapacity: 24 }]);
    process.env.SCALE_ALARMS = JSON.stringify([{ alarm: 'high', cluster: 'demo', service: 'web', direction: 'out', min: 2, max: 20 }]);

    // Act
    const fleets = configuredFleets();
    const alarms = configuredAlarmActions();

    // Assess
    expect(fleets).toEqual([{ cluster: 'demo', minCapacity: 2, maxCapacity: 24 }]);
    expect(alarms).toEqual([{ alarm: 'high', cluster: 'demo', service: 'web', direction: 'out', min: 2, max: 20 }]);
  });

  it.each([
    ['SCALE_FLEETS', 'not json', 'is not valid JSON'],
    ['SCALE_FLEETS', JSON.stringify([{ cluster: 'demo', minCapacity: 5, maxCapacity: 4 }]), 'minCapacity must not exceed maxCapacity'],
    ['SCALE_FLEETS', JSON.stringify([{ cluster: 'demo', minCapacity: 1, maxCapacity: 4, fleetId: 'fleet-1' }]), 'fleetId'],
    ['SCALE_FLEETS', JSON.stringify([{ cluster: 'demo', minCapacity: 1, maxCapacity: 4, groupName: 'web-*' }]), 'groupName'],
    ['SCALE_FLEETS', JSON.stringify([{ cluster: 'demo', minCapacity: 1, maxCapacity: 4, groupName: 'web-ecs', fleetId: 'sfr-11111111-1111-4111-8111-111111111111' }]), 'not both'],
    ['SCALE_FLEETS', JSON.stringify([{ cluster: 'demo', minCapacity: 1, maxCapacity: 4 }, { cluster: 'demo', minCapacity: 1, maxCapacity: 8 }]), 'configured twice'],
    ['SCALE_ALARMS', JSON.stringify([{ alarm: 'high', cluster: 'demo', service: 'web', direction: 'out', min: 2 }]), 'max:'],
    ['SCALE_ALARMS', JSON.stringify([{ alarm: '', cluster: 'demo', service: 'web', direction: 'out', min: 2, max: 3 }]), 'alarm:'],
    [
      'SCALE_ALARMS',
      JSON.stringify([
        { alarm: 'high', cluster: 'demo', service: 'web', direction: 'out', min: 2, max: 3 },
        { alarm: 'high', cluster: 'demo', service: 'web', direction: 'in', min: 2, max: 3 },
      ]),
      'already scales demo/web',
    ],
  ])('refuses a broken %s with InvalidInput naming the problem', (variable, value, message) => {
    // Prepare
    process.env[variable] = value;

    // Act
    const error = rejectionOf(() => (variable === 'SCALE_FLEETS' ? configuredFleets() : configuredAlarmActions()));

    // Assess
    expect(error.name).toBe('InvalidInput');
    expect(error.message).toContain(message);
  });
});
