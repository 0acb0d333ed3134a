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
  if (!event || typeof event !== 'object' || !event.execution) throw new InvalidInputError('ValidateInput expects { input, execution } from the state machine');
  withContext({ execution: event.execution.name, state: 'ValidateInput' });
  const request = parseRolloverInput(event.input);
  withContext({ execution: event.execution.name, cluster: request.cluster, state: 'ValidateInput' });
  return { request, execution: event.execution };
}
