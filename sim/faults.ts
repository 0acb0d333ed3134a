import type { World } from './world';
import { Rng } from './rng';
import { awsError } from './aws/errors';
import type { ServiceKey } from './router';
import { callContext } from './call-context';

/** What AWS can do to a workflow, each switchable; rates are probabilities per opportunity. */
export interface FaultSettings {
  /** AWS's token buckets (real error names, SDK retries in virtual time). */
  throttling: boolean;
  /** A 5xx on a call (the SDK retries it). */
  serverErrorRate: number;
  /** New instances, container instances and targets show in Describe/List only after up to this long. */
  listLagSeconds: number;
  /** A new instance's agent never connects. */
  agentNeverConnectsRate: number;
  /** A registered agent disconnects for a while (no placement there meanwhile). */
  agentDisconnectRate: number;
  /** A task fails to start (the service scheduler tries again). */
  taskStartFailureRate: number;
  /** A Lambda fails after its AWS side effects were made (Step Functions retries the Task). */
  handlerCrashRate: number;
}

export const NO_FAULTS: FaultSettings = {
  throttling: false,
  serverErrorRate: 0,
  listLagSeconds: 0,
  agentNeverConnectsRate: 0,
  agentDisconnectRate: 0,
  taskStartFailureRate: 0,
  handlerCrashRate: 0,
};

const SERVER_ERRORS: Partial<Record<ServiceKey, [string, number]>> = {
  ecs: ['ServerException', 500],
  ec2: ['InternalError', 500],
  elbv2: ['InternalFailure', 500],
  ssm: ['InternalServerError', 500],
  sfn: ['ServiceUnavailable', 503],
  sns: ['InternalError', 500],
  autoscaling: ['InternalFailure', 500],
  applicationAutoScaling: ['InternalServiceException', 500],
};

/** Seeded fault injection: the same seed injects the same faults at the same moments. */
export class Faults {
  settings: FaultSettings = { ...NO_FAULTS };
  readonly injected: Record<string, number> = {};
  private readonly rng: Rng;

  constructor(
    private readonly world: World,
    seed: number,
  ) {
    this.rng = new Rng(seed ^ 0x5eed);
    world.router.intercept((service) => this.maybeServerError(service));
  }

  configure(settings: Partial<FaultSettings>): void {
    this.settings = { ...this.settings, ...settings };
    this.world.router.network.throttling = this.settings.throttling;
  }

  count(kind: string): void {
    this.injected[kind] = (this.injected[kind] ?? 0) + 1;
  }

  chance(rate: number, kind: string): boolean {
    if (rate <= 0 || !this.rng.chance(rate)) return false;
    this.count(kind);
    return true;
  }

  /** When something created now becomes visible in Describe/List calls. */
  visibleAt(now: number): number | undefined {
    if (this.settings.listLagSeconds <= 0) return undefined;
    const lag = this.rng.between(0, this.settings.listLagSeconds);
    if (lag > 1) this.count('list lag');
    return now + lag * 1000;
  }

  between(min: number, max: number): number {
    return this.rng.between(min, max);
  }

  private maybeServerError(service: ServiceKey): void {
    if (!callContext.getStore()) return;
    const error = SERVER_ERRORS[service];
    if (error && this.chance(this.settings.serverErrorRate, '5xx')) throw awsError(error[0], 'We encountered an internal error. Please try again.', error[1]);
  }
}
