import type { SpotFleetRequestConfigData } from '@aws-sdk/client-ec2';
import type { AwsClients } from '../lib/clients';
import { managedClusters } from '../lib/bindings';
import { optionalEnv } from '../lib/config';
import { isRunning, readLock } from '../lib/lock';
import { describeGroups, liveInstances } from '../lib/aws/auto-scaling-groups';
import { describeClusterInstances } from '../lib/aws/container-instances';
import { describeFleets, fleetInstances } from '../lib/aws/fleets';
import { registeredCapacities } from '../lib/aws/instance-types';
import { launchOptions } from '../lib/aws/launch-options';
import { clusterServices } from '../lib/aws/services';
import { targetGroupTimings } from '../lib/aws/targets';
import { tasksOnInstances } from '../lib/aws/tasks';
import { lockParameter } from './lock';
import type { FleetFacts, PlanFacts } from './planning';
import type { RolloverState } from './state';

/**
 * Everything a dry run needs, read from AWS after DiscoverFleets — with Describe / List / Get calls
 * only: the fleets' launch options and instances, the cluster's container instances, services and
 * the tasks on the instances to drain, the target groups' health check and deregistration timings,
 * the capacity each instance type registers, and the cluster's lock.
 */
export async function gatherPlanFacts(aws: Pick<AwsClients, 'ec2' | 'ecs' | 'elbv2' | 'ssm' | 'sfn' | 'autoscaling'>, state: RolloverState): Promise<PlanFacts> {
  const { cluster } = state.request;
  const discovery = state.plan!;
  const fleets: FleetFacts[] = [];
  for (const f of await describeFleets(aws.ec2, discovery.fleets.map((p) => p.fleetId))) {
    const config = f.SpotFleetRequestConfig ?? ({} as SpotFleetRequestConfigData);
    fleets.push({
      fleetId: f.SpotFleetRequestId!,
      targetCapacity: config.TargetCapacity ?? 0,
      allocationStrategy: config.AllocationStrategy ?? 'lowestPrice',
      launchOptions: await launchOptions(aws.ec2, config),
      instances: await fleetInstances(aws.ec2, f.SpotFleetRequestId!),
    });
  }

  const groupInstanceIds = discovery.replaceGroups?.length ? (await describeGroups(aws.autoscaling, discovery.replaceGroups)).flatMap((g) => liveInstances(g).map((i) => i.InstanceId!)) : [];
  const clusterInstances = await describeClusterInstances(aws.ecs, cluster);
  const replace = new Set(discovery.replace);
  const oldIds = new Set([...fleets.filter((f) => replace.has(f.fleetId)).flatMap((f) => f.instances.map((i) => i.instanceId)), ...groupInstanceIds]);
  const oldArns = new Set(clusterInstances.filter((ci) => oldIds.has(ci.ec2InstanceId)).map((ci) => ci.arn));
  const tasks = oldArns.size ? await tasksOnInstances(aws.ecs, cluster, oldArns) : [];
  const byGroup = new Map<string, number>();
  for (const t of tasks) byGroup.set(t.group ?? 'unknown', (byGroup.get(t.group ?? 'unknown') ?? 0) + 1);

  const services = (await clusterServices(aws.ecs, cluster)).filter((s) => s.status !== 'INACTIVE');
  const types = [...new Set(fleets.flatMap((f) => f.launchOptions.map((o) => o.instanceType)))];
  return {
    request: state.request,
    targetAmi: state.targetAmi!,
    discovery,
    fleets,
    groupInstanceIds,
    clusterInstances,
    typeCapacities: await registeredCapacities(aws.ec2, types, clusterInstances),
    services: services.map((s) => ({
      name: s.serviceName ?? '',
      desired: s.desiredCount ?? 0,
      running: s.runningCount ?? 0,
      minimumHealthyPercent: s.deploymentConfiguration?.minimumHealthyPercent ?? 100,
      maximumPercent: s.deploymentConfiguration?.maximumPercent ?? 200,
      targetGroupArns: (s.loadBalancers ?? []).map((lb) => lb.targetGroupArn ?? '').filter(Boolean),
    })),
    tasksOnOldInstances: [...byGroup].map(([group, count]) => ({ group, count })),
    targetGroups: (await targetGroupTimings(aws.elbv2, discovery.targetGroupArns)).map((tg) => ({ ...tg, name: tg.targetGroupArn.split('/')[1] ?? tg.targetGroupArn })),
    lock: await lockStatus(aws, cluster),
    managedClusters: optionalEnv('CLUSTERS') === undefined ? undefined : managedClusters(),
  };
}

async function lockStatus(aws: Pick<AwsClients, 'ssm' | 'sfn'>, cluster: string): Promise<PlanFacts['lock']> {
  const held = await readLock(aws.ssm, lockParameter(cluster));
  if (!held?.owner) return undefined;
  return { owner: held.owner, since: held.since, running: await isRunning(aws.sfn, held.owner) };
}
