import { withContext } from '../lib/log';
import { InvalidInputError } from '../lib/errors';
import { parseRolloverInput } from './input';
import type { ExecutionRef, RolloverState } from './state';

interface Event {
  input: unknown;
  execution: ExecutionRef;
}

/** ValidateInput: the first state. Checks the console/trigger input and fills in every default. */
export async function handler(event: Event): Promise<Pick<RolloverState, 'request' | 'execution'>> {
  const execution = event?.execution;
  // The state machine passes $$.Execution here; a wrong Parameters block must not go unnoticed (the lock and the tags key on it).
  if (typeof execution?.id !== 'string' || !execution.id.startsWith('arn:') || typeof execution.name !== 'string' || typeof execution.startedAt !== 'string') {
    throw new InvalidInputError('ValidateInput expects { input, execution: { id, name, startedAt } } from the state machine context');
  }
  withContext({ execution: execution.name, state: 'ValidateInput' });
  const request = parseRolloverInput(event.input);
  withContext({ execution: execution.name, cluster: request.cluster, state: 'ValidateInput' });
  return { request, execution: { id: execution.id, name: execution.name, startedAt: execution.startedAt } };
}
