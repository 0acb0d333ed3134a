import type { ContainerInstanceSummary } from '../lib/aws/container-instances';

export interface CapacityVerdict {
  fits: boolean;
  reason: string;
}

/**
 * Whether the destination instances can take the tasks now on the instances to drain: CPU and
 * memory reserved there against what is free here, and each host port in use there against the
 * instances here where that port is free (a static host port takes one task per instance).
 * An aggregate check: fragmentation can still leave a task unplaced — then the drain waits and,
 * at its deadline, gives the old instances back their capacity.
 */
export function canHold(sources: ContainerInstanceSummary[], destinations: ContainerInstanceSummary[]): CapacityVerdict {
  const needCpu = sources.reduce((n, ci) => n + (ci.registeredCpu - ci.freeCpu), 0);
  const needMemory = sources.reduce((n, ci) => n + (ci.registeredMemory - ci.freeMemory), 0);
  const haveCpu = destinations.reduce((n, ci) => n + ci.freeCpu, 0);
  const haveMemory = destinations.reduce((n, ci) => n + ci.freeMemory, 0);
  if (haveCpu < needCpu) return { fits: false, reason: `${haveCpu} CPU units free on the replacement, ${needCpu} reserved by tasks to move` };
  if (haveMemory < needMemory) return { fits: false, reason: `${haveMemory} MiB free on the replacement, ${needMemory} MiB reserved by tasks to move` };
  const portUse = new Map<string, number>();
  for (const ci of sources) for (const p of ci.usedPorts) if (Number(p) < 32768) portUse.set(p, (portUse.get(p) ?? 0) + 1);
  for (const [port, count] of portUse) {
    const free = destinations.filter((ci) => !ci.usedPorts.includes(port)).length;
    if (free < count) return { fits: false, reason: `host port ${port} is used on ${count} instance(s) to drain but free on only ${free} replacement instance(s)` };
  }
  return { fits: true, reason: `${haveCpu}/${needCpu} CPU units and ${haveMemory}/${needMemory} MiB free/needed` };
}
