import type { World } from '../world';
import { Ec2Sim } from '../aws/ec2';
import type { SimTaskDefinition } from '../aws/ecs';
import type { SimTargetGroup } from '../aws/elbv2';

export const OLD_AMI = 'ami-0a1b2c3d4e5f60718';
export const NEW_AMI = 'ami-0281c9a5cd9de63bd';
export const AL2023_PARAMETER = '/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended';
export const FLEET_ROLE = 'arn:aws:iam::123456789012:role/aws-ec2-spot-fleet-tagging-role';
export const INSTANCE_PROFILE = 'arn:aws:iam::123456789012:instance-profile/ecsInstanceRole';

export interface LaunchOptionSpec {
  instanceType: string;
  weight: number;
}

export interface ClusterSpec {
  cluster: string;
  /** Weighted capacity units of the fleet (not instances). */
  targetCapacity: number;
  launch: LaunchOptionSpec[];
  allocationStrategy?: string;
  /** Clone through launch templates instead of launch specifications. */
  useLaunchTemplate?: boolean;
  services: ServiceSpec[];
  standaloneTasks?: { family: string; cpu: number; memory: number; runSeconds?: number }[];
  targetGroup?: { name: string; deregistrationDelaySeconds: number; healthCheckIntervalSeconds: number; healthyThreshold: number };
  /** The agent drains its own instance on a spot interruption notice. */
  spotDraining?: boolean;
}

export interface ServiceSpec {
  name: string;
  desiredCount: number;
  cpu: number;
  memory: number;
  containerPort?: number;
  /** 0 or absent: dynamic host port. */
  hostPort?: number;
  behindLoadBalancer?: boolean;
  minimumHealthyPercent?: number;
  maximumPercent?: number;
}

export interface BuiltCluster {
  cluster: string;
  fleetId: string;
  targetGroup?: SimTargetGroup;
  taskDefinitions: Map<string, SimTaskDefinition>;
}

/** Sets up the account: subnets, both AMIs, and AWS's public SSM parameter still on the old AMI. */
export function baseAccount(world: World): void {
  world.ec2.addSubnet('subnet-0aaa1111', `${world.region}a`);
  world.ec2.addSubnet('subnet-0bbb2222', `${world.region}b`);
  world.ec2.addSubnet('subnet-0ccc3333', `${world.region}c`);
  world.ec2.addImage(OLD_AMI, 'al2023-ami-ecs-hvm-2023.0.20241010-kernel-6.1-x86_64');
  world.ec2.addImage(NEW_AMI, 'al2023-ami-ecs-hvm-2023.0.20241115-kernel-6.1-x86_64');
  world.ssm.publishEcsAmi(AL2023_PARAMETER, OLD_AMI, 'al2023-ami-ecs-hvm-2023.0.20241010-kernel-6.1-x86_64');
}

/** AWS publishes a new recommended ECS-optimized AMI. */
export function releaseNewAmi(world: World): void {
  world.ssm.publishEcsAmi(AL2023_PARAMETER, NEW_AMI, 'al2023-ami-ecs-hvm-2023.0.20241115-kernel-6.1-x86_64');
}

/**
 * Builds a cluster the way an operator would have: a Spot Fleet requested through the EC2 API with
 * user data joining the cluster, services and a target group, then lets it settle.
 */
export function buildCluster(world: World, spec: ClusterSpec): BuiltCluster {
  world.ecs.createCluster(spec.cluster);
  const extra = spec.spotDraining ? ['ECS_ENABLE_SPOT_INSTANCE_DRAINING=true'] : [];
  const userData = Ec2Sim.userDataFor(spec.cluster, extra);
  const subnets = 'subnet-0aaa1111, subnet-0bbb2222, subnet-0ccc3333';
  let config: Record<string, unknown>;
  if (spec.useLaunchTemplate) {
    const lt = world.ec2.addLaunchTemplate(`${spec.cluster}-ecs`, {
      ImageId: OLD_AMI,
      UserData: userData,
      IamInstanceProfile: { Arn: INSTANCE_PROFILE },
      TagSpecifications: [{ ResourceType: 'instance', Tags: [{ Key: 'Name', Value: `${spec.cluster}-ecs` }] }],
    });
    config = {
      IamFleetRole: FLEET_ROLE,
      TargetCapacity: spec.targetCapacity,
      AllocationStrategy: spec.allocationStrategy ?? 'diversified',
      Type: 'maintain',
      LaunchTemplateConfigs: [
        {
          LaunchTemplateSpecification: { LaunchTemplateId: lt.id, Version: '$Latest' },
          Overrides: spec.launch.flatMap((l) => subnets.split(', ').map((s) => ({ InstanceType: l.instanceType, WeightedCapacity: l.weight, SubnetId: s }))),
        },
      ],
      TagSpecifications: [{ ResourceType: 'spot-fleet-request', Tags: [{ Key: 'team', Value: 'platform' }] }],
    };
  } else {
    config = {
      IamFleetRole: FLEET_ROLE,
      TargetCapacity: spec.targetCapacity,
      AllocationStrategy: spec.allocationStrategy ?? 'diversified',
      Type: 'maintain',
      LaunchSpecifications: spec.launch.map((l) => ({
        ImageId: OLD_AMI,
        InstanceType: l.instanceType,
        WeightedCapacity: l.weight,
        SubnetId: subnets,
        UserData: userData,
        IamInstanceProfile: { Arn: INSTANCE_PROFILE },
        TagSpecifications: [{ ResourceType: 'instance', Tags: [{ Key: 'Name', Value: `${spec.cluster}-ecs` }] }],
      })),
      TagSpecifications: [{ ResourceType: 'spot-fleet-request', Tags: [{ Key: 'team', Value: 'platform' }] }],
    };
  }
  const { SpotFleetRequestId: fleetId } = world.router.call('ec2', 'RequestSpotFleet', { SpotFleetRequestConfig: config }) as { SpotFleetRequestId: string };
  return { fleetId, ...addServices(world, spec) };
}

/** What a cluster runs, whatever its capacity: services, their target group, standalone tasks. */
export type WorkloadSpec = Pick<ClusterSpec, 'cluster' | 'services' | 'standaloneTasks' | 'targetGroup'>;

/** Creates the target group and the services of an existing cluster, then lets them settle (and starts its standalone tasks). */
export function addServices(world: World, spec: WorkloadSpec): { cluster: string; targetGroup?: SimTargetGroup; taskDefinitions: Map<string, SimTaskDefinition> } {
  let targetGroup: SimTargetGroup | undefined;
  if (spec.targetGroup) {
    targetGroup = world.elbv2.createTargetGroup(spec.targetGroup.name, 80, {
      deregistrationDelaySeconds: spec.targetGroup.deregistrationDelaySeconds,
      healthCheck: { intervalSeconds: spec.targetGroup.healthCheckIntervalSeconds, healthyThreshold: spec.targetGroup.healthyThreshold, unhealthyThreshold: 2 },
    });
  }
  const taskDefinitions = new Map<string, SimTaskDefinition>();
  for (const s of spec.services) {
    const td = world.ecs.registerTaskDefinition(s.name, s.cpu, s.memory, s.containerPort ? [{ containerPort: s.containerPort, hostPort: s.hostPort ?? 0 }] : []);
    taskDefinitions.set(s.name, td);
    world.ecs.createService(spec.cluster, s.name, td, s.desiredCount, {
      minimumHealthyPercent: s.minimumHealthyPercent,
      maximumPercent: s.maximumPercent,
      targetGroupArn: s.behindLoadBalancer ? targetGroup?.arn : undefined,
    });
  }
  // Let the fleet launch, instances boot and register, services reach steady state.
  world.advance(600);
  for (const t of spec.standaloneTasks ?? []) {
    const td = world.ecs.registerTaskDefinition(t.family, t.cpu, t.memory);
    taskDefinitions.set(t.family, td);
    world.ecs.runStandaloneTask(spec.cluster, td, { runSeconds: t.runSeconds, startedBy: 'cron' });
  }
  world.advance(60);
  return { cluster: spec.cluster, targetGroup, taskDefinitions };
}

/** The default scenario's cluster: 6 weighted units on a mixed fleet, two services, a standalone task, an ALB target group. */
export function defaultClusterSpec(size = 1): ClusterSpec {
  return {
    cluster: 'demo',
    targetCapacity: 6 * size,
    launch: [
      { instanceType: 'm5.large', weight: 1 },
      { instanceType: 'm5.xlarge', weight: 2 },
      { instanceType: 'c5.xlarge', weight: 2 },
    ],
    allocationStrategy: 'diversified',
    services: [
      { name: 'web', desiredCount: 4 * size, cpu: 512, memory: 1024, containerPort: 8080, behindLoadBalancer: true, minimumHealthyPercent: 100, maximumPercent: 200 },
      { name: 'worker', desiredCount: 3 * size, cpu: 256, memory: 512, minimumHealthyPercent: 50, maximumPercent: 200 },
    ],
    standaloneTasks: [{ family: 'nightly-report', cpu: 256, memory: 256, runSeconds: 420 }],
    targetGroup: { name: 'demo-web', deregistrationDelaySeconds: 60, healthCheckIntervalSeconds: 10, healthyThreshold: 3 },
  };
}

export interface GroupSpec {
  cluster: string;
  name: string;
  minSize: number;
  maxSize: number;
  desiredCapacity: number;
  instanceTypes: string[];
  /** A legacy launch configuration instead of a launch template (a group the rollover refuses). */
  launchConfiguration?: boolean;
  tags?: { Key: string; Value: string }[];
  newInstancesProtectedFromScaleIn?: boolean;
  lifecycleHooks?: { LifecycleHookName: string; LifecycleTransition: string; HeartbeatTimeout: number; DefaultResult: string }[];
}

/**
 * An Auto Scaling group beside the cluster's Spot Fleet, created through the API (a launch
 * template on the old AMI with a mixed instances policy), and let its instances join the cluster.
 */
export function addAutoScalingGroup(world: World, spec: GroupSpec): void {
  const userData = Ec2Sim.userDataFor(spec.cluster);
  const source = spec.launchConfiguration
    ? (() => {
        world.autoscaling.addLaunchConfiguration(`${spec.name}-lc`, { imageId: OLD_AMI, instanceType: spec.instanceTypes[0], userData });
        return { LaunchConfigurationName: `${spec.name}-lc` };
      })()
    : (() => {
        const lt = world.ec2.addLaunchTemplate(`${spec.name}-lt`, { ImageId: OLD_AMI, InstanceType: spec.instanceTypes[0], UserData: userData, IamInstanceProfile: { Arn: INSTANCE_PROFILE } });
        return spec.instanceTypes.length > 1
          ? { MixedInstancesPolicy: { LaunchTemplate: { LaunchTemplateSpecification: { LaunchTemplateId: lt.id, Version: '$Latest' }, Overrides: spec.instanceTypes.map((InstanceType) => ({ InstanceType })) } } }
          : { LaunchTemplate: { LaunchTemplateId: lt.id, Version: '$Latest' } };
      })();
  world.router.call('autoscaling', 'CreateAutoScalingGroup', {
    AutoScalingGroupName: spec.name,
    MinSize: spec.minSize,
    MaxSize: spec.maxSize,
    DesiredCapacity: spec.desiredCapacity,
    VPCZoneIdentifier: 'subnet-0aaa1111,subnet-0bbb2222,subnet-0ccc3333',
    NewInstancesProtectedFromScaleIn: spec.newInstancesProtectedFromScaleIn ?? false,
    Tags: (spec.tags ?? []).map((t) => ({ ...t, PropagateAtLaunch: false })),
    ...(spec.lifecycleHooks ? { LifecycleHookSpecificationList: spec.lifecycleHooks } : {}),
    ...source,
  });
  world.advance(600);
}

export interface BuiltGroupCluster {
  cluster: string;
  groupName: string;
  targetGroup?: SimTargetGroup;
  taskDefinitions: Map<string, SimTaskDefinition>;
}

/** A cluster whose whole capacity is one Auto Scaling group (no Spot Fleet), with its services settled. */
export function buildGroupCluster(world: World, workload: WorkloadSpec, group: Omit<GroupSpec, 'cluster'>): BuiltGroupCluster {
  world.ecs.createCluster(workload.cluster);
  addAutoScalingGroup(world, { ...group, cluster: workload.cluster });
  return { groupName: group.name, ...addServices(world, workload) };
}
