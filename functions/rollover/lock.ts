import type { SSMClient } from '@aws-sdk/client-ssm';
import type { SFNClient } from '@aws-sdk/client-sfn';
import { LOCK_PARAMETER_PREFIX } from '../lib/config';
import { RolloverInProgressError } from '../lib/errors';
import { acquire, release, type HeldLock } from '../lib/lock';

/** One rollover per cluster: the lock parameter (functions/lib/lock.ts) is named after the cluster. */
export function lockParameter(cluster: string): string {
  return `${LOCK_PARAMETER_PREFIX()}/${cluster}`;
}

export async function acquireLock(ssm: SSMClient, sfn: SFNClient, cluster: string, owner: string, since: string): Promise<HeldLock> {
  return acquire(ssm, sfn, {
    parameter: lockParameter(cluster),
    owner,
    since,
    description: `ecs-fleet-ops rollover lock of cluster ${cluster}`,
    busy: (holder, raced) =>
      raced
        ? new RolloverInProgressError(`Cluster ${cluster} was locked by ${holder?.owner} at the same moment; this execution changed nothing`)
        : new RolloverInProgressError(`Cluster ${cluster} is already being rolled over by ${holder?.owner} (since ${holder?.since}); this execution changed nothing`),
  });
}

/** Releases the lock only if this execution holds it (safe on every failure path). */
export async function releaseLock(ssm: SSMClient, cluster: string, owner: string): Promise<boolean> {
  return release(ssm, lockParameter(cluster), owner);
}
