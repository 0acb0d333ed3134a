import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * The Lambda invocation an AWS call belongs to. A real call takes time on the wire: a call starts
 * at `elapsedMs` and, when its answer reaches the handler, `elapsedMs` moves to its end (network
 * latency and any SDK backoff). Calls one after another happen at increasing virtual times, token
 * buckets refill between them; calls a handler keeps in flight at once overlap; the invocation's
 * Task takes as long as its calls did.
 */
export interface CallContext {
  functionName: string;
  startedAt: number;
  elapsedMs: number;
  /** The function's timeout: once `elapsedMs` reaches it, Lambda has stopped the invocation. */
  timeoutMs?: number;
}

/**
 * Whether an invocation `elapsedMs` into its run has reached its timeout: Lambda stops it then,
 * so it must have finished before.
 */
export function timedOut(elapsedMs: number, timeoutMs: number): boolean {
  return elapsedMs >= timeoutMs;
}

/** Lambda's error type for an invocation it stopped at the function's timeout. */
export const LAMBDA_TIMEOUT_ERROR = 'Sandbox.Timedout';

/**
 * What a call made after the invocation's timeout gets. In AWS the call is never made: Lambda
 * stopped the handler before it. The simulator cannot stop a handler, so it refuses the call, and
 * the runner reports the invocation as timed out whatever the handler does with this error.
 */
export function pastTimeout(ctx: CallContext): Error {
  return Object.assign(new Error(`${ctx.functionName} passed its ${(ctx.timeoutMs ?? 0) / 1000} s timeout: Lambda stopped it before this call`), { name: LAMBDA_TIMEOUT_ERROR });
}

export const callContext = new AsyncLocalStorage<CallContext>();
