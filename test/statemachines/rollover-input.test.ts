import { clusterOnOldAmi, mutatingCalls, type TestCluster } from '../support/simulation';

let t: TestCluster | undefined;

afterEach(() => {
  t?.sim.dispose();
  t = undefined;
});

/** Inputs a console user or a broken trigger could send, the error each must get, and a word the message must contain. */
const CASES: [string, unknown, string, RegExp][] = [
  ['no cluster', {}, 'InvalidInput', /cluster/],
  ['cluster of the wrong type', { cluster: 5 }, 'InvalidInput', /cluster/],
  ['cluster with shell characters', { cluster: 'demo; rm -rf /' }, 'InvalidInput', /cluster/],
  ['cluster with markup', { cluster: '<script>alert(1)</script>' }, 'InvalidInput', /cluster/],
  ['oversize cluster name', { cluster: 'c'.repeat(300) }, 'InvalidInput', /cluster/],
  ['input that is a string', 'demo', 'InvalidInput', /input/],
  ['input that is a list', ['demo'], 'InvalidInput', /input/],
  ['misspelt field', { cluster: 'demo', fleetId: 'sfr-1' }, 'InvalidInput', /fleetId/],
  ['AMI id of the wrong shape', { cluster: 'demo', amiId: 'ami-xyz' }, 'InvalidInput', /amiId/],
  ['both amiId and amiParameter', { cluster: 'demo', amiId: 'ami-0281c9a5cd9de63bd', amiParameter: '/x' }, 'InvalidInput', /either amiId or amiParameter/],
  ['malformed fleet id', { cluster: 'demo', fleetIds: ['fleet-1'] }, 'InvalidInput', /fleetIds/],
  ['unknown standalone policy', { cluster: 'demo', drain: { standaloneTasks: 'kill' } }, 'InvalidInput', /standaloneTasks/],
  ['drain batch of 0 %', { cluster: 'demo', drain: { batchPercent: 0 } }, 'InvalidInput', /batchPercent/],
  ['poll interval of 0 s', { cluster: 'demo', pollSeconds: 0 }, 'InvalidInput', /pollSeconds/],
  ['unknown cluster', { cluster: 'nope' }, 'NotFound', /nope/],
  ['AMI that does not exist', { cluster: 'demo', amiId: 'ami-0123456789abcdef0' }, 'NotFound', /ami-0123456789abcdef0/],
  ['AMI parameter that does not exist', { cluster: 'demo', amiParameter: '/no/such/parameter' }, 'NotFound', /\/no\/such\/parameter/],
  ['fleet that does not exist', { cluster: 'demo', fleetIds: ['sfr-00000000-0000-4000-a000-000000000000'] }, 'NotFound', /sfr-00000000/],
];

describe('State machine: ami-rollover input', () => {
  it.each(CASES)('refuses %s with %s before changing anything', async (_label, input, error, message) => {
    // Prepare
    t = clusterOnOldAmi();
    const { sim, mark } = t;

    // Act
    const arn = sim.startRollover(input);
    await sim.run();

    // Assess
    const execution = sim.execution(arn);
    expect(execution.status).toBe('FAILED');
    expect(execution.error).toBe(error);
    expect(execution.cause).toMatch(message);
    const changes = mutatingCalls(sim, mark).map((c) => `${c.service}:${c.operation}`);
    expect(changes).toEqual(['sfn:StartExecution']);
  });

  it('refuses a fleet that exists but has no instance in the cluster', async () => {
    // Prepare: a second cluster with its own fleet.
    t = clusterOnOldAmi();
    const { sim } = t;
    const other = sim.world.router.call('ec2', 'RequestSpotFleet', {
      SpotFleetRequestConfig: { IamFleetRole: 'arn:aws:iam::123456789012:role/r', TargetCapacity: 1, LaunchSpecifications: [{ ImageId: 'ami-0a1b2c3d4e5f60718', InstanceType: 'm5.large' }] },
    }) as { SpotFleetRequestId: string };
    const mark = sim.world.router.calls.length;

    // Act
    const arn = sim.startRollover({ cluster: 'demo', fleetIds: [other.SpotFleetRequestId] });
    await sim.run();

    // Assess
    const execution = sim.execution(arn);
    expect(execution.error).toBe('NotFound');
    expect(execution.cause).toContain('have no container instance in cluster demo');
    expect(mutatingCalls(sim, mark).map((c) => c.operation)).toEqual(['StartExecution']);
  });
});
