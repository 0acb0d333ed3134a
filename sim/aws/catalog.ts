/** Instance types the simulator knows: vCPUs, memory and an hourly spot price (USD). */
export interface InstanceTypeSpec {
  vcpu: number;
  memoryMiB: number;
  spotPrice: number;
}

export const INSTANCE_TYPES: Record<string, InstanceTypeSpec> = {
  'c5.large': { vcpu: 2, memoryMiB: 4096, spotPrice: 0.034 },
  'c5.xlarge': { vcpu: 4, memoryMiB: 8192, spotPrice: 0.068 },
  'c5.2xlarge': { vcpu: 8, memoryMiB: 16384, spotPrice: 0.136 },
  'm5.large': { vcpu: 2, memoryMiB: 8192, spotPrice: 0.038 },
  'm5.xlarge': { vcpu: 4, memoryMiB: 16384, spotPrice: 0.076 },
  'm5.2xlarge': { vcpu: 8, memoryMiB: 32768, spotPrice: 0.152 },
  'm6i.large': { vcpu: 2, memoryMiB: 8192, spotPrice: 0.04 },
  'm6i.xlarge': { vcpu: 4, memoryMiB: 16384, spotPrice: 0.08 },
  'r5.large': { vcpu: 2, memoryMiB: 16384, spotPrice: 0.05 },
  'r5.xlarge': { vcpu: 4, memoryMiB: 32768, spotPrice: 0.1 },
};

/** Memory the ECS agent keeps for the OS: registered memory is a little less than the type's. */
export const ECS_RESERVED_MEMORY_MIB = 256;

/** Ports the ECS agent registers as reserved on every container instance. */
export const ECS_RESERVED_PORTS = ['22', '2375', '2376', '51678', '51679'];
