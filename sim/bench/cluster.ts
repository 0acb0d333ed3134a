import type { World } from '../world';
import { Ec2Sim } from '../aws/ec2';
import { OLD_AMI, FLEET_ROLE, INSTANCE_PROFILE } from '../scenarios/cluster';
import type { SimTargetGroup } from '../aws/elbv2';

export interface BenchCluster {
  cluster: string;
  fleetIds: string[];
  targetGroups: SimTargetGroup[];
  services: number;
  tasks: number;
}

const SUBNETS = 'subnet-0aaa1111, subnet-0bbb2222, subnet-0ccc3333';

/**
 * A cluster of about `instances` instances on two Spot Fleets with weighted capacity (weights 1
 * and 2), ≈ 10 tasks per instance over several services — load-balanced ones split so that no
 * target group passes AWS's 1,000 targets even while a drain doubles them — and a few standalone
 * batch jobs that end at random times within 25 minutes (the drain waits for them: a long drain).
 * Timings are AWS's defaults: deregistration delay 300 s, health checks every 30 s, 5 to be healthy.
 */
export function buildBenchCluster(world: World, instances: number): BenchCluster {
  const cluster = 'bench';
  world.ecs.createCluster(cluster);
  const userData = Ec2Sim.userDataFor(cluster);
  const units = Math.round(instances * 1.5);
  const fleet = (types: [string, string]) =>
    (
      world.router.call('ec2', 'RequestSpotFleet', {
        SpotFleetRequestConfig: {
          IamFleetRole: FLEET_ROLE,
          TargetCapacity: Math.ceil(units / 2),
          AllocationStrategy: 'diversified',
          Type: 'maintain',
          LaunchSpecifications: types.map((type, i) => ({
            ImageId: OLD_AMI,
            InstanceType: type,
            WeightedCapacity: i + 1,
            SubnetId: SUBNETS,
            UserData: userData,
            IamInstanceProfile: { Arn: INSTANCE_PROFILE },
          })),
        },
      }) as { SpotFleetRequestId: string }
    ).SpotFleetRequestId;
  const fleetIds = [fleet(['m5.large', 'm5.xlarge']), fleet(['c5.large', 'c5.xlarge'])];

  const tasks = instances * 10;
  const lbServices = Math.max(1, Math.ceil((tasks * 0.4) / 400));
  const targetGroups: SimTargetGroup[] = [];
  let services = 0;
  for (let i = 0; i < lbServices; i++) {
    const tg = world.elbv2.createTargetGroup(`web-${i}`, 80, { deregistrationDelaySeconds: 300, healthCheck: { intervalSeconds: 30, healthyThreshold: 5 } });
    targetGroups.push(tg);
    const td = world.ecs.registerTaskDefinition(`web-${i}`, 128, 256, [{ containerPort: 8080 }]);
    world.ecs.createService(cluster, `web-${i}`, td, Math.round((tasks * 0.4) / lbServices), { targetGroupArn: tg.arn, minimumHealthyPercent: 100, maximumPercent: 200 });
    services++;
  }
  const api = world.ecs.registerTaskDefinition('api', 128, 256);
  world.ecs.createService(cluster, 'api', api, Math.round(tasks * 0.3), { minimumHealthyPercent: 50, maximumPercent: 200 });
  const worker = world.ecs.registerTaskDefinition('worker', 128, 256);
  world.ecs.createService(cluster, 'worker', worker, Math.round(tasks * 0.3) - Math.max(1, Math.round(instances / 50)), { minimumHealthyPercent: 100, maximumPercent: 150 });
  services += 2;
  world.advance(900);
  const batch = world.ecs.registerTaskDefinition('nightly-batch', 128, 256);
  for (let i = 0; i < Math.max(1, Math.round(instances / 50)); i++) {
    world.ecs.runStandaloneTask(cluster, batch, { runSeconds: world.rng.between(300, 1500), startedBy: 'batch' });
  }
  world.advance(60);
  return { cluster, fleetIds, targetGroups, services, tasks };
}
