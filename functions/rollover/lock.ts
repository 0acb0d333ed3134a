import { DeleteParameterCommand, GetParameterCommand, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { DescribeExecutionCommand, SFNClient } from '@aws-sdk/client-sfn';
import { LOCK_PARAMETER_PREFIX } from '../lib/config';
import { RolloverInProgressError, errorName } from '../lib/errors';

/**
 * One rollover per cluster: an SSM parameter created with Overwrite=false is the lock (creation is
 * atomic). Its value names the owning execution. A lock whose owner is no longer RUNNING (aborted,
 * timed out) is stale and taken over.
 */
export function lockParameter(cluster: string): string {
  return `${LOCK_PARAMETER_PREFIX()}/${cluster}`;
}

interface LockValue {
  owner: string;
  since: string;
}

async function readLock(ssm: SSMClient, name: string): Promise<LockValue | undefined> {
  try {
    const res = await ssm.send(new GetParameterCommand({ Name: name }));
    return JSON.parse(res.Parameter?.Value ?? '{}') as LockValue;
  } catch (error) {
    if (errorName(error) === 'ParameterNotFound') return undefined;
    throw error;
  }
}

async function isRunning(sfn: SFNClient, executionArn: string): Promise<boolean> {
  try {
    const res = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    return res.status === 'RUNNING';
  } catch (error) {
    if (errorName(error) === 'ExecutionDoesNotExist' || errorName(error) === 'InvalidArn') return false;
    throw error;
  }
}

export async function acquireLock(ssm: SSMClient, sfn: SFNClient, cluster: string, owner: string, since: string): Promise<{ parameter: string; owner: string; tookOverFrom?: string }> {
  const parameter = lockParameter(cluster);
  const value = JSON.stringify({ owner, since } satisfies LockValue);
  try {
    await ssm.send(new PutParameterCommand({ Name: parameter, Value: value, Type: 'String', Overwrite: false, Description: `ecs-fleet-ops rollover lock of cluster ${cluster}` }));
    return { parameter, owner };
  } catch (error) {
    if (errorName(error) !== 'ParameterAlreadyExists') throw error;
  }
  const held = await readLock(ssm, parameter);
  if (held?.owner === owner) return { parameter, owner }; // our own lock: this step is being retried
  if (held && (await isRunning(sfn, held.owner))) {
    throw new RolloverInProgressError(`Cluster ${cluster} is already being rolled over by ${held.owner} (since ${held.since}); this execution changed nothing`);
  }
  await ssm.send(new PutParameterCommand({ Name: parameter, Value: value, Type: 'String', Overwrite: true }));
  const now = await readLock(ssm, parameter);
  if (now?.owner !== owner) throw new RolloverInProgressError(`Cluster ${cluster} was locked by ${now?.owner} at the same moment; this execution changed nothing`);
  return { parameter, owner, tookOverFrom: held?.owner };
}

/** Releases the lock only if this execution holds it (safe on every failure path). */
export async function releaseLock(ssm: SSMClient, cluster: string, owner: string): Promise<boolean> {
  const parameter = lockParameter(cluster);
  const held = await readLock(ssm, parameter);
  if (held?.owner !== owner) return false;
  try {
    await ssm.send(new DeleteParameterCommand({ Name: parameter }));
  } catch (error) {
    if (errorName(error) !== 'ParameterNotFound') throw error;
  }
  return true;
}
