import type { World } from '../world';
import { awsError } from './errors';

export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';

export interface SimExecution {
  arn: string;
  name: string;
  stateMachineArn: string;
  input: string;
  status: ExecutionStatus;
  startDate: number;
  stopDate?: number;
  output?: string;
  error?: string;
  cause?: string;
}

/** What actually runs an execution: the local runner (real ASL in aws-local-stepfunctions). */
export interface ExecutionEngine {
  stateMachineNames(): Map<string, string>;
  run(execution: SimExecution): void;
  stop(execution: SimExecution): void;
}

/** What ListExecutions says of an execution (DescribeExecution adds input, output, error, cause). */
function listed(e: SimExecution) {
  return {
    executionArn: e.arn,
    stateMachineArn: e.stateMachineArn,
    name: e.name,
    status: e.status,
    startDate: new Date(e.startDate),
    stopDate: e.stopDate ? new Date(e.stopDate) : undefined,
  };
}

const NAME = /^[^\s<>{}[\]?*"#%\\^|~`$&,;:/]{1,80}$/;
const isControl = (c: string) => c.charCodeAt(0) <= 0x1f || (c.charCodeAt(0) >= 0x7f && c.charCodeAt(0) <= 0x9f);

/** 1 to 80 characters, none of white space, brackets, wildcards, the special characters, or control characters. */
function isValidName(name: string): boolean {
  return NAME.test(name) && ![...name].some(isControl);
}
const NINETY_DAYS = 90 * 24 * 3600 * 1000;

/** Step Functions' API with its real idempotency rules; executions run in the local runner. */
export class SfnSim {
  readonly executions = new Map<string, SimExecution>();
  private engine?: ExecutionEngine;

  constructor(private readonly world: World) {}

  attach(engine: ExecutionEngine): void {
    this.engine = engine;
  }

  private machines(): Map<string, string> {
    if (!this.engine) throw awsError('ServiceUnavailable', 'No execution engine attached to the simulator', 503);
    return this.engine.stateMachineNames();
  }

  readonly operations = {
    StartExecution: (input: { stateMachineArn: string; name?: string; input?: string }) => {
      const machines = this.machines();
      if (!machines.has(input.stateMachineArn)) throw awsError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${input.stateMachineArn}'`);
      const name = input.name ?? this.world.rng.uuid();
      if (!isValidName(name)) throw awsError('InvalidName', `Invalid Name: '${name}'`);
      const body = input.input ?? '{}';
      if (Buffer.byteLength(body) > 262_144) throw awsError('InvalidExecutionInput', 'Input exceeds 262144 bytes');
      try {
        JSON.parse(body);
      } catch {
        throw awsError('InvalidExecutionInput', 'Invalid State Machine Execution Input: not valid JSON');
      }
      const arn = `${input.stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
      const existing = this.executions.get(arn);
      if (existing && this.world.clock.now() - existing.startDate < NINETY_DAYS) {
        // Idempotent only for a STANDARD execution still running with the very same input.
        if (existing.status === 'RUNNING' && existing.input === body) return { executionArn: existing.arn, startDate: new Date(existing.startDate) };
        throw awsError('ExecutionAlreadyExists', `Execution Already Exists: '${arn}'`);
      }
      const execution: SimExecution = { arn, name, stateMachineArn: input.stateMachineArn, input: body, status: 'RUNNING', startDate: this.world.clock.now() };
      this.executions.set(arn, execution);
      this.engine!.run(execution);
      return { executionArn: arn, startDate: new Date(execution.startDate) };
    },

    DescribeExecution: (input: { executionArn: string }) => {
      const e = this.executions.get(input.executionArn);
      if (!e) throw awsError('ExecutionDoesNotExist', `Execution Does Not Exist: '${input.executionArn}'`);
      return {
        ...listed(e),
        input: e.input,
        output: e.output,
        error: e.error,
        cause: e.cause,
      };
    },

    ListExecutions: (input: { stateMachineArn?: string; statusFilter?: string; maxResults?: number; nextToken?: string }) => {
      if (input.maxResults !== undefined && (input.maxResults < 0 || input.maxResults > 1000)) throw awsError('ValidationException', 'maxResults must be <= 1000');
      const list = [...this.executions.values()]
        .filter((e) => (!input.stateMachineArn || e.stateMachineArn === input.stateMachineArn) && (!input.statusFilter || e.status === input.statusFilter))
        .sort((a, b) => b.startDate - a.startDate);
      const size = input.maxResults || 100;
      const start = input.nextToken ? Number(input.nextToken) : 0;
      return {
        executions: list.slice(start, start + size).map(listed),
        nextToken: start + size < list.length ? String(start + size) : undefined,
      };
    },

    StopExecution: (input: { executionArn: string; error?: string; cause?: string }) => {
      const e = this.executions.get(input.executionArn);
      if (!e) throw awsError('ExecutionDoesNotExist', `Execution Does Not Exist: '${input.executionArn}'`);
      if (e.status === 'RUNNING') {
        e.status = 'ABORTED';
        e.stopDate = this.world.clock.now();
        e.error = input.error;
        e.cause = input.cause;
        this.engine!.stop(e);
      }
      return { stopDate: new Date(e.stopDate ?? this.world.clock.now()) };
    },
  };
}
