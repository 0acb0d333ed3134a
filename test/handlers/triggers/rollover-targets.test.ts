import { loadRolloverTargets } from '../../../functions/lib/rollover-targets';
import { ROLLOVER_DEFAULTS } from '../../../functions/rollover/input';
import { AL2023_IMAGE_ID, STATE_MACHINE_ARN } from './fixtures';

const savedEnv = { ...process.env };

function configure(clusters: string | undefined, extra: Record<string, string> = {}): void {
  process.env = { ...savedEnv, ROLLOVER_STATE_MACHINE_ARN: STATE_MACHINE_ARN };
  delete process.env.AMI_PARAMETER;
  delete process.env.CLUSTERS;
  Object.assign(process.env, extra, clusters === undefined ? {} : { CLUSTERS: clusters });
}

describe('Function: loadRolloverTargets', () => {
  afterEach(() => {
    process.env = { ...savedEnv };
  });

  it('reads each entry, fills in the AMI parameter and keeps the other options for the rollover input', () => {
    // Prepare
    configure(
      JSON.stringify([
        { cluster: 'web', drain: { batchPercent: 25, standaloneTasks: 'stop' }, replacementTimeoutSeconds: 600 },
        { cluster: 'arn:aws:ecs:us-east-1:123456789012:cluster/api', amiParameter: AL2023_IMAGE_ID },
      ]),
    );

    // Act
    const config = loadRolloverTargets();

    // Assess
    expect(config).toEqual({
      stateMachineArn: STATE_MACHINE_ARN,
      targets: [
        {
          cluster: 'web',
          amiParameter: ROLLOVER_DEFAULTS.amiParameter,
          options: { drain: { batchPercent: 25, standaloneTasks: 'stop' }, replacementTimeoutSeconds: 600 },
        },
        { cluster: 'api', amiParameter: AL2023_IMAGE_ID, options: {} },
      ],
    });
  });

  it('takes AMI_PARAMETER as the default parameter', () => {
    // Prepare
    configure(JSON.stringify([{ cluster: 'web' }]), { AMI_PARAMETER: AL2023_IMAGE_ID });

    // Act
    const { targets } = loadRolloverTargets();

    // Assess
    expect(targets[0].amiParameter).toBe(AL2023_IMAGE_ID);
  });

  it.each([
    ['is not JSON', '[{"cluster":"web"', /CLUSTERS is not valid JSON/],
    ['is not an array', '{"cluster":"web"}', /CLUSTERS must be a non-empty JSON array/],
    ['is an empty array', '[]', /CLUSTERS must be a non-empty JSON array/],
    ['has an entry with amiId', JSON.stringify([{ cluster: 'web' }, { cluster: 'api', amiId: 'ami-0abcdef1234567890' }]), /CLUSTERS\[1\]: amiId is not allowed/],
    ['has an entry with an unknown field', JSON.stringify([{ cluster: 'web', drainPercent: 50 }]), /CLUSTERS\[0\]: .*unknown field\(s\) 'drainPercent'/],
    ['has an entry without cluster', JSON.stringify([{ cluster: 'web' }, { pollSeconds: 30 }]), /CLUSTERS\[1\]: cluster:/],
    ['has an entry with a bad value', JSON.stringify([{ cluster: 'web', pollSeconds: 1 }]), /CLUSTERS\[0\]: pollSeconds/],
    ['has an entry that is not an object', JSON.stringify(['web']), /CLUSTERS\[0\]/],
    ['names a cluster twice', JSON.stringify([{ cluster: 'web' }, { cluster: 'arn:aws:ecs:us-east-1:123456789012:cluster/web' }]), /CLUSTERS\[1\]: cluster 'web' is already configured by CLUSTERS\[0\]/],
  ])('throws InvalidInput when CLUSTERS %s', (_case, clusters, message) => {
    // Prepare
    configure(clusters);

    // Act
    const load = () => loadRolloverTargets();

    // Assess
    expect(load).toThrow(expect.objectContaining({ name: 'InvalidInput', message: expect.stringMatching(message) }));
  });

  it('throws InvalidInput when AMI_PARAMETER is not a parameter name', () => {
    // Prepare
    configure(JSON.stringify([{ cluster: 'web' }]), { AMI_PARAMETER: 'ami-0abcdef1234567890' });

    // Act
    const load = () => loadRolloverTargets();

    // Assess
    expect(load).toThrow(expect.objectContaining({ name: 'InvalidInput', message: expect.stringContaining('AMI_PARAMETER') }));
  });

  it.each([
    ['CLUSTERS', () => configure(undefined)],
    ['ROLLOVER_STATE_MACHINE_ARN', () => {
      configure(JSON.stringify([{ cluster: 'web' }]));
      delete process.env.ROLLOVER_STATE_MACHINE_ARN;
    }],
  ])('throws MissingConfiguration when %s is not set', (variable, prepare) => {
    // Prepare
    prepare();

    // Act
    const load = () => loadRolloverTargets();

    // Assess
    expect(load).toThrow(expect.objectContaining({ name: 'MissingConfiguration', message: expect.stringContaining(variable) }));
  });
});
