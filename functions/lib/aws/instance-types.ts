import { DescribeInstanceTypesCommand, EC2Client, type _InstanceType } from '@aws-sdk/client-ec2';
import { chunks } from '../chunks';
import { errorName } from '../errors';
import type { ContainerInstanceSummary } from './container-instances';

export interface RegisteredCapacity {
  /** CPU units (1024 per vCPU). */
  cpu: number;
  /** MiB. */
  memory: number;
}

/**
 * ECS registers all vCPUs but less memory than the type has (the OS and the agent keep some): for a
 * type the cluster has not registered yet, assume 90 % of it.
 */
const MEMORY_REGISTERED_SHARE = 0.9;

/**
 * What a container instance of each type registers: ECS's own figures where the cluster has
 * instances of that type, else an estimate from DescribeInstanceTypes. A type EC2 does not know
 * is left out.
 */
export async function registeredCapacities(ec2: EC2Client, types: string[], clusterInstances: ContainerInstanceSummary[]): Promise<Record<string, RegisteredCapacity>> {
  const out: Record<string, RegisteredCapacity> = {};
  for (const ci of clusterInstances) {
    if (!ci.instanceType || !types.includes(ci.instanceType)) continue;
    const seen = out[ci.instanceType];
    out[ci.instanceType] = { cpu: Math.min(seen?.cpu ?? Infinity, ci.registeredCpu), memory: Math.min(seen?.memory ?? Infinity, ci.registeredMemory) };
  }
  const unseen = [...new Set(types)].filter((t) => !out[t]);
  for (const batch of chunks(unseen, 100)) {
    let described;
    try {
      described = await ec2.send(new DescribeInstanceTypesCommand({ InstanceTypes: batch as _InstanceType[] }));
    } catch (error) {
      if (errorName(error) === 'InvalidInstanceType') continue;
      throw error;
    }
    for (const t of described.InstanceTypes ?? []) {
      if (!t.InstanceType) continue;
      out[t.InstanceType] = { cpu: (t.VCpuInfo?.DefaultVCpus ?? 0) * 1024, memory: Math.floor((t.MemoryInfo?.SizeInMiB ?? 0) * MEMORY_REGISTERED_SHARE) };
    }
  }
  return out;
}
