import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * The Lambda invocation an AWS call belongs to. A real call takes time on the wire: the router
 * advances `elapsedMs` by the network latency (and any SDK backoff), so calls of one invocation
 * happen at increasing virtual times, token buckets refill between them, and the invocation's
 * Task takes as long as its calls did.
 */
export interface CallContext {
  functionName: string;
  startedAt: number;
  elapsedMs: number;
}

export const callContext = new AsyncLocalStorage<CallContext>();
