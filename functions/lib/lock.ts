import { DeleteParameterCommand, GetParameterCommand, paginateGetParametersByPath, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { DescribeExecutionCommand, SFNClient } from '@aws-sdk/client-sfn';
import { errorName } from './errors';

/**
 * A lock held by a Step Functions execution: an SSM parameter created with Overwrite=false
 * (creation is atomic) whose value names the owning execution. A lock whose owner is no longer
 * RUNNING (aborted, timed out, failed past its release) is stale and may be taken over.
 */
export interface LockValue {
  owner: string;
  since: string;
}

export interface HeldLock {
  parameter: string;
  owner: string;
  tookOverFrom?: string;
}

export async function readLock(ssm: SSMClient, parameter: string): Promise<LockValue | undefined> {
  try {
    const res = await ssm.send(new GetParameterCommand({ Name: parameter }));
    return JSON.parse(res.Parameter?.Value ?? '{}') as LockValue;
  } catch (error) {
    if (errorName(error) === 'ParameterNotFound') return undefined;
    throw error;
  }
}

export async function isRunning(sfn: SFNClient, executionArn: string): Promise<boolean> {
  try {
    const res = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    return res.status === 'RUNNING';
  } catch (error) {
    if (errorName(error) === 'ExecutionDoesNotExist' || errorName(error) === 'InvalidArn') return false;
    throw error;
  }
}

/** Locks whose parameter name (right under `path`) starts with `namePrefix`, held by running executions. */
export async function liveHoldersUnder(ssm: SSMClient, sfn: SFNClient, path: string, namePrefix: string): Promise<(LockValue & { parameter: string })[]> {
  const out: (LockValue & { parameter: string })[] = [];
  for await (const page of paginateGetParametersByPath({ client: ssm, pageSize: 10 }, { Path: path, Recursive: false })) {
    for (const p of page.Parameters ?? []) {
      if (!p.Name?.startsWith(namePrefix)) continue;
      let value: Partial<LockValue>;
      try {
        value = JSON.parse(p.Value ?? '{}') as Partial<LockValue>;
      } catch {
        continue;
      }
      if (value.owner && (await isRunning(sfn, value.owner))) out.push({ parameter: p.Name, owner: value.owner, since: value.since ?? '' });
    }
  }
  return out;
}

/** The lock's value when a running execution holds it; undefined when it is free or stale. */
export async function liveHolder(ssm: SSMClient, sfn: SFNClient, parameter: string): Promise<LockValue | undefined> {
  const held = await readLock(ssm, parameter);
  return held && (await isRunning(sfn, held.owner)) ? held : undefined;
}

export interface AcquireOptions {
  parameter: string;
  owner: string;
  since: string;
  description: string;
  /** The error to throw when a running execution holds the lock (`raced`: it took a stale lock at the same moment). */
  busy: (holder: LockValue | undefined, raced: boolean) => Error;
}

export async function acquire(ssm: SSMClient, sfn: SFNClient, options: AcquireOptions): Promise<HeldLock> {
  const { parameter, owner } = options;
  const value = JSON.stringify({ owner, since: options.since } satisfies LockValue);
  try {
    await ssm.send(new PutParameterCommand({ Name: parameter, Value: value, Type: 'String', Overwrite: false, Description: options.description }));
    return { parameter, owner };
  } catch (error) {
    if (errorName(error) !== 'ParameterAlreadyExists') throw error;
  }
  const held = await readLock(ssm, parameter);
  if (held?.owner === owner) return { parameter, owner }; // our own lock: this step is being retried
  if (held && (await isRunning(sfn, held.owner))) throw options.busy(held, false);
  await ssm.send(new PutParameterCommand({ Name: parameter, Value: value, Type: 'String', Overwrite: true }));
  const now = await readLock(ssm, parameter);
  if (now?.owner !== owner) throw options.busy(now, true);
  return { parameter, owner, tookOverFrom: held?.owner };
}

/** Releases the lock only if `owner` holds it (safe on every failure path). */
export async function release(ssm: SSMClient, parameter: string, owner: string): Promise<boolean> {
  const held = await readLock(ssm, parameter);
  if (held?.owner !== owner) return false;
  try {
    await ssm.send(new DeleteParameterCommand({ Name: parameter }));
  } catch (error) {
    if (errorName(error) !== 'ParameterNotFound') throw error;
  }
  return true;
}
