import { DescribeSpotFleetRequestsCommand, RequestSpotFleetCommand, type RequestSpotFleetCommandInput } from '@aws-sdk/client-ec2';
import { ListContainerInstancesCommand, type ListContainerInstancesCommandInput } from '@aws-sdk/client-ecs';
import { ModelValidationError, checkAgainstModel, inputSchemaOf } from '../../../sim/model-check';
import { emptyAccount, errorOf, fleetConfig } from './helpers';

describe('Class: ApiRouter (model check)', () => {
  it('rejects a misspelt member the SDK would drop silently, naming it', () => {
    // Prepare
    const world = emptyAccount();

    // Act
    const error = errorOf(world, 'ec2', 'RequestSpotFleet', { SpotFleetRequestConfg: fleetConfig() });

    // Assess
    expect(error).toBeInstanceOf(ModelValidationError);
    expect(error.name).toBe('ValidationException');
    expect(error.message).toContain("RequestSpotFleetRequest has no member 'SpotFleetRequestConfg'");
    expect(world.ec2.fleets.size).toBe(0);
  });

  it('rejects a misspelt member deep inside a request, with its path', () => {
    // Prepare
    const world = emptyAccount();
    const config = fleetConfig({ LaunchSpecifications: [{ ImageID: 'ami-0a1b2c3d4e5f60718', InstanceType: 'm5.large' }] });

    // Act
    const error = errorOf(world, 'ec2', 'RequestSpotFleet', { SpotFleetRequestConfig: config });

    // Assess
    expect(error.name).toBe('ValidationException');
    expect(error.message).toContain('RequestSpotFleetRequest.SpotFleetRequestConfig.LaunchSpecifications[0]');
    expect(error.message).toContain("no member 'ImageID'");
  });

  it('rejects a request whose required member is missing', () => {
    // Prepare
    const world = emptyAccount();

    // Act
    const top = errorOf(world, 'ec2', 'RequestSpotFleet', {});
    const nested = errorOf(world, 'ec2', 'RequestSpotFleet', { SpotFleetRequestConfig: { ...fleetConfig(), IamFleetRole: undefined } });
    const ecs = errorOf(world, 'ecs', 'UpdateContainerInstancesState', { cluster: 'demo', containerInstances: ['x'] });

    // Assess
    expect(top.name).toBe('ValidationException');
    expect(top.message).toContain("required member 'SpotFleetRequestConfig'");
    expect(nested.message).toContain("required member 'IamFleetRole' of SpotFleetRequestConfigData is missing");
    expect(ecs.message).toContain("required member 'status'");
  });

  it.each([
    ['a string where the model says integer', 'ec2', 'RequestSpotFleet', { SpotFleetRequestConfig: fleetConfig({ TargetCapacity: '2' }) }, 'TargetCapacity: expected a number, got a string'],
    ['a number where the model says string', 'ecs', 'ListContainerInstances', { cluster: 'demo', maxResults: 10, status: 1 }, 'status: expected a string, got a number'],
    ['a string where the model says boolean', 'ec2', 'CancelSpotFleetRequests', { SpotFleetRequestIds: ['sfr-1'], TerminateInstances: 'true' }, 'TerminateInstances: expected a boolean'],
    ['a string where the model says timestamp', 'ec2', 'RequestSpotFleet', { SpotFleetRequestConfig: fleetConfig({ ValidUntil: '2030-01-01' }) }, 'ValidUntil: expected a Date'],
    ['a single id where the model says list', 'ecs', 'DescribeContainerInstances', { cluster: 'demo', containerInstances: 'abc' }, 'expected a list'],
    ['a number inside a list of strings', 'ecs', 'DescribeServices', { cluster: 'demo', services: ['web', 7] }, 'services[1]: expected a string'],
    ['an object where the model says string', 'ssm', 'GetParameter', { Name: { path: '/x' } }, 'Name: expected a string, got an object'],
  ])('rejects %s', (_what, service, operation, input, expected) => {
    // Prepare
    const world = emptyAccount();

    // Act
    const error = errorOf(world, service as 'ec2', operation, input);

    // Assess
    expect(error.name).toBe('ValidationException');
    expect(error.message).toContain(expected);
  });

  it('lets valid requests through to the service model', () => {
    // Prepare
    const world = emptyAccount();

    // Act
    const created = world.router.call('ec2', 'RequestSpotFleet', {
      SpotFleetRequestConfig: fleetConfig({ ValidUntil: new Date('2030-01-01T00:00:00Z'), TagSpecifications: [{ ResourceType: 'spot-fleet-request', Tags: [{ Key: 'team', Value: 'platform' }] }] }),
    }) as { SpotFleetRequestId: string };
    const described = world.router.call('ec2', 'DescribeSpotFleetRequests', { SpotFleetRequestIds: [created.SpotFleetRequestId], MaxResults: 10 });

    // Assess
    expect(created.SpotFleetRequestId).toMatch(/^sfr-/);
    expect(described).toMatchObject({ SpotFleetRequestConfigs: [{ SpotFleetRequestId: created.SpotFleetRequestId }] });
    expect(world.router.calls.every((c) => c.error === undefined)).toBe(true);
  });

  it('rejects a misspelt member sent through a real SDK client too', async () => {
    // Prepare
    const world = emptyAccount();
    const input = { SpotFleetRequestConfg: fleetConfig() } as unknown as RequestSpotFleetCommandInput;

    // Act
    const result = world.clients.ec2.send(new RequestSpotFleetCommand(input));

    // Assess
    await expect(result).rejects.toMatchObject({ name: 'ValidationException' });
    await expect(world.clients.ec2.send(new DescribeSpotFleetRequestsCommand({}))).resolves.toMatchObject({ SpotFleetRequestConfigs: [] });
  });
});

describe('Function: checkAgainstModel', () => {
  it('accepts absent optional members and checks only what is there', () => {
    // Prepare
    const schema = inputSchemaOf(new ListContainerInstancesCommand({} as ListContainerInstancesCommandInput));

    // Act
    const check = () => checkAgainstModel({ cluster: 'demo', filter: 'runningTasksCount > 0', nextToken: undefined }, schema, 'ListContainerInstancesRequest');

    // Assess
    expect(check).not.toThrow();
    expect(() => checkAgainstModel({ cluster: 'demo', Cluster: 'demo' }, schema, 'ListContainerInstancesRequest')).toThrow(ModelValidationError);
  });
});
