import type { ServiceKey } from '../../../sim/router';
import { FLEET_ROLE, OLD_AMI, baseAccount, buildCluster, type BuiltCluster, type ClusterSpec } from '../../../sim/scenarios/cluster';
import { World } from '../../../sim/world';
import { Ec2Sim } from '../../../sim/aws/ec2';

/** The error a simulated call throws (fails the test if it succeeds), as the SDK would surface it. */
export function errorOf(world: World, service: ServiceKey, operation: string, input: unknown): Error & { $metadata?: { httpStatusCode: number } } {
  try {
    world.router.call(service, operation, input);
  } catch (error) {
    return error as Error;
  }
  throw new Error(`expected ${service}:${operation} to fail`);
}

/** A world with the base account (subnets, AMIs, SSM parameter) and nothing else. */
export function emptyAccount(seed = 5): World {
  const world = new World({ seed });
  baseAccount(world);
  return world;
}

/** A world with a cluster built from `spec` (defaults: 4 m5.large, no service) and settled. */
export function clusterWorld(spec: Partial<ClusterSpec> = {}, seed = 5): { world: World; built: BuiltCluster } {
  const world = emptyAccount(seed);
  const built = buildCluster(world, {
    cluster: 'demo',
    targetCapacity: 4,
    launch: [{ instanceType: 'm5.large', weight: 1 }],
    allocationStrategy: 'lowestPrice',
    services: [],
    ...spec,
  });
  return { world, built };
}

/** A valid Spot Fleet request config on launch specifications (joins no cluster unless `cluster` is given). */
export function fleetConfig(overrides: Record<string, unknown> = {}, cluster = 'none'): Record<string, unknown> {
  return {
    IamFleetRole: FLEET_ROLE,
    TargetCapacity: 2,
    AllocationStrategy: 'lowestPrice',
    LaunchSpecifications: [{ ImageId: OLD_AMI, InstanceType: 'm5.large', SubnetId: 'subnet-0aaa1111', UserData: Ec2Sim.userDataFor(cluster) }],
    ...overrides,
  };
}

/** Requests a fleet through the API and returns its id. */
export function requestFleet(world: World, overrides: Record<string, unknown> = {}): string {
  const res = world.router.call('ec2', 'RequestSpotFleet', { SpotFleetRequestConfig: fleetConfig(overrides) }) as { SpotFleetRequestId: string };
  return res.SpotFleetRequestId;
}
