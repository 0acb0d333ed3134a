import { AsyncLocalStorage } from 'node:async_hooks';
import { InvokeStoreBase } from '@aws/lambda-invoke-store';

/**
 * Lambda gives each invocation an execution environment of its own (one at a time), so a
 * handler's module-level state — Powertools Logger's keys above all — belongs to one invocation.
 * The simulator runs every function in one process, with invocations overlapping (a trigger's
 * StartExecution starts the execution's first Task while the trigger still runs; two executions
 * poll at once). Lambda's runtime has the same situation in environments that run invocations
 * concurrently, and solves it with the `awslambda.InvokeStore` (one async context per invocation)
 * and AWS_LAMBDA_MAX_CONCURRENCY, which Powertools honours. The simulator declares itself such an
 * environment: a store of that shape is installed, and the variable set, when this module loads —
 * before any invocation runs (the runner restores the environment after each).
 */
type InvocationContext = Record<string | symbol, unknown>;

/** The runtime's multi-concurrency store (the package builds its own asynchronously; this one exists at once). */
class SimulatedInvokeStore extends InvokeStoreBase {
  private readonly als = new AsyncLocalStorage<InvocationContext>();

  getContext(): InvocationContext | undefined {
    return this.als.getStore();
  }

  hasContext(): boolean {
    return this.als.getStore() !== undefined;
  }

  get<T = unknown>(key: string | symbol): T | undefined {
    return this.als.getStore()?.[key] as T | undefined;
  }

  set<T = unknown>(key: string | symbol, value: T): void {
    const context = this.als.getStore();
    if (!context) throw new Error('No invocation context to set a value in');
    if (this.isProtectedKey(key)) throw new Error(`Cannot modify protected Lambda context field: ${String(key)}`);
    context[key] = value;
  }

  run<T>(context: InvocationContext, fn: () => T): T {
    return this.als.run(context, fn);
  }
}

const lambdaGlobal = globalThis as unknown as { awslambda?: { InvokeStore?: InvokeStoreBase } };
lambdaGlobal.awslambda ??= {};
lambdaGlobal.awslambda.InvokeStore ??= new SimulatedInvokeStore();
process.env.AWS_LAMBDA_MAX_CONCURRENCY ??= '64';

let invocations = 0;

/** Runs `fn` as one Lambda invocation: what it keeps per invocation (log keys) stays its own. */
export function asInvocation<T>(fn: () => T): T {
  invocations++;
  return lambdaGlobal.awslambda!.InvokeStore!.run({ [InvokeStoreBase.PROTECTED_KEYS.REQUEST_ID]: `sim-invocation-${invocations}` }, fn);
}
