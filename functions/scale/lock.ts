import type { SSMClient } from '@aws-sdk/client-ssm';
import type { SFNClient } from '@aws-sdk/client-sfn';
import { ErrorNames, FleetOpsError, RolloverInProgressError } from '../lib/errors';
import { acquire, liveHolder, release, type HeldLock } from '../lib/lock';
import { lockParameter as rolloverLockParameter, scaleLockPrefix } from '../rollover/lock';

/**
 * One scale execution per service. The '.' cannot occur in cluster or service names, so the
 * parameter never collides with (or nests under) a cluster's rollover lock.
 */
export function scaleLockParameter(cluster: string, service: string): string {
  return `${scaleLockPrefix(cluster)}${service}`;
}

/**
 * Takes the service's lock, then refuses — releasing it, having changed nothing — while a rollover
 * of the cluster runs (it drains and replaces the very instances a scaling would count on). A
 * rollover does the same the other way round, so two that start at once cannot both go on.
 */
export async function acquireScaleLock(ssm: SSMClient, sfn: SFNClient, cluster: string, service: string, owner: string, since: string): Promise<HeldLock> {
  const lock = await takeScaleLock(ssm, sfn, cluster, service, owner, since);
  const rollover = await liveHolder(ssm, sfn, rolloverLockParameter(cluster));
  if (rollover) {
    await release(ssm, lock.parameter, owner);
    throw new RolloverInProgressError(`Cluster ${cluster} is being rolled over by ${rollover.owner} (since ${rollover.since}); scaling of service ${service} refused, nothing changed`);
  }
  return lock;
}

async function takeScaleLock(ssm: SSMClient, sfn: SFNClient, cluster: string, service: string, owner: string, since: string): Promise<HeldLock> {
  return acquire(ssm, sfn, {
    parameter: scaleLockParameter(cluster, service),
    owner,
    since,
    description: `ecs-fleet-ops scale lock of service ${service} in cluster ${cluster}`,
    busy: (holder) => new FleetOpsError(ErrorNames.ScaleInProgress, `Service ${service} of cluster ${cluster} is already being scaled by ${holder?.owner} (since ${holder?.since}); this execution changed nothing`),
  });
}

export async function releaseScaleLock(ssm: SSMClient, cluster: string, service: string, owner: string): Promise<boolean> {
  return release(ssm, scaleLockParameter(cluster, service), owner);
}
