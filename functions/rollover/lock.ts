import type { SSMClient } from '@aws-sdk/client-ssm';
import type { SFNClient } from '@aws-sdk/client-sfn';
import { LOCK_PARAMETER_PREFIX } from '../lib/config';
import { ErrorNames, FleetOpsError, RolloverInProgressError } from '../lib/errors';
import { acquire, liveHoldersUnder, release, type HeldLock } from '../lib/lock';

/** One rollover per cluster: the lock parameter (functions/lib/lock.ts) is named after the cluster. */
export function lockParameter(cluster: string): string {
  return `${LOCK_PARAMETER_PREFIX()}/${cluster}`;
}

/**
 * The name every scale lock of the cluster's services starts with (functions/scale/lock.ts). The
 * '.' cannot occur in cluster or service names, so it never collides with a rollover lock.
 */
export function scaleLockPrefix(cluster: string): string {
  return `${LOCK_PARAMETER_PREFIX()}/${cluster}.scale.`;
}

/**
 * One rollover per cluster, and none while a service of it is being scaled: the lock is taken
 * first, then the scale locks are looked at (a scaling does the same the other way round), so two
 * that start at the same moment cannot both go on. A refusal releases the lock and changed nothing.
 */
export async function acquireLock(ssm: SSMClient, sfn: SFNClient, cluster: string, owner: string, since: string): Promise<HeldLock> {
  const lock = await takeLock(ssm, sfn, cluster, owner, since);
  const scaling = await liveHoldersUnder(ssm, sfn, LOCK_PARAMETER_PREFIX(), scaleLockPrefix(cluster));
  if (scaling.length) {
    await release(ssm, lock.parameter, owner);
    const services = scaling.map((s) => `${s.parameter.slice(scaleLockPrefix(cluster).length)} (by ${s.owner})`).join(', ');
    throw new FleetOpsError(ErrorNames.ScaleInProgress, `Cluster ${cluster} has a scaling in progress: service(s) ${services}; the rollover changed nothing (the next AMI check starts it again)`);
  }
  return lock;
}

async function takeLock(ssm: SSMClient, sfn: SFNClient, cluster: string, owner: string, since: string): Promise<HeldLock> {
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
