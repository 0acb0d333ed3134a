import type { ECSClient } from '@aws-sdk/client-ecs';
import { describeClusterInstances, type ContainerInstanceSummary } from '../lib/aws/container-instances';
import type { ShrinkPlan } from './state';

/** The chosen spare instances as container instances of the cluster now (recomputed at every poll). */
export async function viewSpare(ecs: ECSClient, cluster: string, shrink: ShrinkPlan): Promise<ContainerInstanceSummary[]> {
  const ids = new Set(shrink.instances.map((i) => i.instanceId));
  return (await describeClusterInstances(ecs, cluster)).filter((ci) => ids.has(ci.ec2InstanceId));
}
