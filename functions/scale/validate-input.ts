import { InvalidInputError } from '../lib/errors';
import { withContext } from '../lib/log';
import type { ExecutionRef } from '../rollover/state';
import { parseScaleInput } from './input';
import type { ScaleState } from './state';

interface Event {
  input: unknown;
  execution: ExecutionRef;
}

/** ValidateInput: the first state. Checks the console/trigger input and adds the cluster's settings (SCALE_FLEETS) and every default. */
export async function handler(event: Event): Promise<Pick<ScaleState, 'request' | 'execution'>> {
  const execution = event?.execution;
  // The state machine passes $$.Execution here; the lock keys on it, so a wrong Parameters block must not go unnoticed.
  if (typeof execution?.id !== 'string' || !execution.id.startsWith('arn:') || typeof execution.name !== 'string' || typeof execution.startedAt !== 'string') {
    throw new InvalidInputError('ValidateInput expects { input, execution: { id, name, startedAt } } from the state machine context');
  }
  withContext({ execution: execution.name, state: 'ValidateInput' });
  const request = parseScaleInput(event.input);
  withContext({ execution: execution.name, cluster: request.cluster, state: 'ValidateInput' });
  return { request, execution: { id: execution.id, name: execution.name, startedAt: execution.startedAt } };
}
