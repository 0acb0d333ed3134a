import { createHash } from 'node:crypto';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { errorName } from './errors';
import { logger } from './log';

export interface StartExecutionResult {
  status: 'started' | 'alreadyHandled';
  executionArn?: string;
}

/**
 * Starts an execution under a deterministic name, so that two triggers (or two deliveries of
 * one SNS message) asking for the same work start it once. Step Functions answers a repeated
 * name with the first execution while it runs with the same input, and with
 * `ExecutionAlreadyExists` once it has closed or when the input differs: either way someone
 * already took care of it, so that error is not a failure here.
 */
export async function startExecutionOnce(
  sfn: SFNClient,
  stateMachineArn: string,
  name: string,
  input: unknown,
): Promise<StartExecutionResult> {
  try {
    const response = await sfn.send(new StartExecutionCommand({ stateMachineArn, name, input: JSON.stringify(input) }));
    return { status: 'started', executionArn: response.executionArn };
  } catch (error) {
    if (errorName(error) !== 'ExecutionAlreadyExists') throw error;
    logger.info('An execution with this name already exists; treating the request as already handled', { executionName: name });
    return { status: 'alreadyHandled' };
  }
}

const MAX_NAME_LENGTH = 80;
const HASH_LENGTH = 8;
const NOT_ALLOWED = /[^0-9A-Za-z_-]/g;

/**
 * A Step Functions execution name built from `parts`: the same parts always give the same name.
 * Only `0-9A-Za-z-_` (safe in CloudWatch Logs), 1 to 80 characters. When the parts had to be
 * shortened or had characters replaced, a hash of the original parts is appended, so two
 * inputs that differ only past the cut (or only in a replaced character) keep distinct names.
 */
export function executionName(parts: string[]): string {
  const joined = parts.join('-');
  const cleaned = joined.replace(NOT_ALLOWED, '_');
  if (cleaned === joined && cleaned.length > 0 && cleaned.length <= MAX_NAME_LENGTH) return cleaned;

  const hash = createHash('sha256').update(JSON.stringify(parts)).digest('hex').slice(0, HASH_LENGTH);
  if (cleaned.length === 0) return hash;
  return `${cleaned.slice(0, MAX_NAME_LENGTH - HASH_LENGTH - 1)}-${hash}`;
}
