import type { World } from '../world';
import { awsError } from './errors';

export type TargetState = 'initial' | 'healthy' | 'unhealthy' | 'unhealthy.draining' | 'unused' | 'draining' | 'unavailable';

export interface SimTarget {
  id: string;
  port: number;
  state: TargetState;
  reason?: string;
  registeredAt: number;
  /** Bumped on every (re)registration so stale health-check timers do nothing. */
  generation: number;
  /** Until then, DescribeTargetHealth does not list it yet (eventual consistency, a fault). */
  visibleAt?: number;
}

export interface SimTargetGroup {
  arn: string;
  name: string;
  port: number;
  deregistrationDelaySeconds: number;
  healthCheck: { intervalSeconds: number; healthyThreshold: number; unhealthyThreshold: number };
  targets: Map<string, SimTarget>;
}

const keyOf = (id: string, port: number) => `${id}:${port}`;
const MAX_TARGETS = 1000;

/** ELBv2 target groups: registration, health checks over time, draining for the deregistration delay. */
export class Elbv2Sim {
  readonly targetGroups = new Map<string, SimTargetGroup>();

  constructor(private readonly world: World) {}

  createTargetGroup(name: string, port: number, options: Partial<Pick<SimTargetGroup, 'deregistrationDelaySeconds'>> & { healthCheck?: Partial<SimTargetGroup['healthCheck']> } = {}): SimTargetGroup {
    const tg: SimTargetGroup = {
      arn: `arn:aws:elasticloadbalancing:${this.world.region}:${this.world.account}:targetgroup/${name}/${this.world.rng.hex(16)}`,
      name,
      port,
      deregistrationDelaySeconds: options.deregistrationDelaySeconds ?? 300,
      healthCheck: { intervalSeconds: 30, healthyThreshold: 5, unhealthyThreshold: 2, ...options.healthCheck },
      targets: new Map(),
    };
    this.targetGroups.set(tg.arn, tg);
    return tg;
  }

  /** Registration by ECS on behalf of a service task (no running check: ECS only registers running tasks). */
  registerInternal(tgArn: string, id: string, port: number): void {
    const tg = this.targetGroups.get(tgArn);
    if (tg) this.register(tg, id, port);
  }

  /** Deregistration by ECS when a task stops; returns the seconds the target will drain. */
  deregisterInternal(tgArn: string, id: string, port: number): number {
    const tg = this.targetGroups.get(tgArn);
    if (!tg) return 0;
    return this.deregister(tg, id, port) ? tg.deregistrationDelaySeconds : 0;
  }

  /** The instance is shutting down or gone: its registered targets turn `unused`. */
  onInstanceStopping(instanceId: string): void {
    for (const tg of this.targetGroups.values()) {
      for (const t of tg.targets.values()) {
        if (t.id !== instanceId || t.state === 'draining') continue;
        this.setState(tg, t, 'unused', 'Target.InvalidState');
      }
    }
  }

  /** A task began or stopped listening on instance:port: targets there re-evaluate their health. */
  onListenerChange(instanceId: string, port: number): void {
    for (const tg of this.targetGroups.values()) {
      const t = tg.targets.get(keyOf(instanceId, port));
      if (t && t.state !== 'draining' && t.state !== 'unused') this.scheduleCheck(tg, t);
    }
  }

  readonly operations = {
    DescribeTargetGroups: (input: { TargetGroupArns?: string[]; Names?: string[]; PageSize?: number; Marker?: string }) => {
      let list = [...this.targetGroups.values()];
      if (input.TargetGroupArns) {
        list = input.TargetGroupArns.map((arn) => {
          const tg = this.targetGroups.get(arn);
          if (!tg) throw awsError('TargetGroupNotFound', `One or more target groups not found`);
          return tg;
        });
      }
      if (input.Names) list = list.filter((tg) => input.Names!.includes(tg.name));
      if (input.PageSize !== undefined && (input.PageSize < 1 || input.PageSize > 400)) throw awsError('ValidationError', 'PageSize must be between 1 and 400');
      const size = input.PageSize ?? 400;
      const start = input.Marker ? Number(input.Marker) : 0;
      const slice = list.slice(start, start + size);
      return {
        TargetGroups: slice.map((tg) => ({
          TargetGroupArn: tg.arn,
          TargetGroupName: tg.name,
          Protocol: 'HTTP',
          Port: tg.port,
          TargetType: 'instance',
          HealthCheckIntervalSeconds: tg.healthCheck.intervalSeconds,
          HealthyThresholdCount: tg.healthCheck.healthyThreshold,
          UnhealthyThresholdCount: tg.healthCheck.unhealthyThreshold,
        })),
        NextMarker: start + size < list.length ? String(start + size) : undefined,
      };
    },

    DescribeTargetGroupAttributes: (input: { TargetGroupArn: string }) => {
      const tg = this.group(input.TargetGroupArn);
      return { Attributes: [{ Key: 'deregistration_delay.timeout_seconds', Value: String(tg.deregistrationDelaySeconds) }] };
    },

    DescribeTargetHealth: (input: { TargetGroupArn: string; Targets?: { Id: string; Port?: number }[] }) => {
      const tg = this.group(input.TargetGroupArn);
      const describe = (t: SimTarget) => ({
        Target: { Id: t.id, Port: t.port },
        HealthCheckPort: String(t.port),
        TargetHealth: { State: t.state, Reason: t.reason },
      });
      if (input.Targets?.length) {
        return {
          TargetHealthDescriptions: input.Targets.map((q) => {
            const t = tg.targets.get(keyOf(q.Id, q.Port ?? tg.port));
            return t ? describe(t) : { Target: { Id: q.Id, Port: q.Port ?? tg.port }, TargetHealth: { State: 'unused', Reason: 'Target.NotRegistered' } };
          }),
        };
      }
      const now = this.world.clock.now();
      return { TargetHealthDescriptions: [...tg.targets.values()].filter((t) => (t.visibleAt ?? 0) <= now).map(describe) };
    },

    RegisterTargets: (input: { TargetGroupArn: string; Targets: { Id: string; Port?: number }[] }) => {
      const tg = this.group(input.TargetGroupArn);
      const notRunning = input.Targets.filter((t) => this.world.ec2.instances.get(t.Id)?.state !== 'running');
      const unknown = notRunning.filter((t) => !this.world.ec2.instances.has(t.Id));
      if (unknown.length) throw awsError('InvalidTarget', `The following targets are not valid instances: ${unknown.map((t) => `'${t.Id}'`).join(', ')}`);
      if (notRunning.length) {
        throw awsError('InvalidTarget', `The following targets are not in a running state and cannot be registered: ${notRunning.map((t) => `'${t.Id}'`).join(', ')}`);
      }
      const added = input.Targets.filter((t) => !tg.targets.has(keyOf(t.Id, t.Port ?? tg.port))).length;
      if (tg.targets.size + added > MAX_TARGETS) throw awsError('TooManyTargets', `You've reached the limit on the number of targets per target group (${MAX_TARGETS})`);
      for (const t of input.Targets) this.register(tg, t.Id, t.Port ?? tg.port);
      return {};
    },

    DeregisterTargets: (input: { TargetGroupArn: string; Targets: { Id: string; Port?: number }[] }) => {
      const tg = this.group(input.TargetGroupArn);
      for (const t of input.Targets) this.deregister(tg, t.Id, t.Port ?? tg.port);
      return {};
    },
  };

  private group(arn: string): SimTargetGroup {
    const tg = this.targetGroups.get(arn);
    if (!tg) throw awsError('TargetGroupNotFound', `Target groups '${arn}' not found`);
    return tg;
  }

  private register(tg: SimTargetGroup, id: string, port: number): void {
    const existing = tg.targets.get(keyOf(id, port));
    if (existing && existing.state !== 'draining') return;
    const target: SimTarget = {
      id,
      port,
      state: 'initial',
      reason: 'Elb.RegistrationInProgress',
      registeredAt: this.world.clock.now(),
      generation: (existing?.generation ?? 0) + 1,
      visibleAt: existing ? undefined : this.world.faults.visibleAt(this.world.clock.now()),
    };
    tg.targets.set(keyOf(id, port), target);
    this.scheduleCheck(tg, target);
  }

  private deregister(tg: SimTargetGroup, id: string, port: number): boolean {
    const t = tg.targets.get(keyOf(id, port));
    if (!t || t.state === 'draining') return Boolean(t);
    const wasHealthy = t.state === 'healthy';
    t.generation++;
    t.state = 'draining';
    t.reason = 'Target.DeregistrationInProgress';
    if (wasHealthy) this.world.ecs.onTargetHealth(tg.arn, id, port, false);
    const generation = t.generation;
    this.world.clock.after(tg.deregistrationDelaySeconds, `deregistered ${id}:${port}`, () => {
      if (tg.targets.get(keyOf(id, port)) === t && t.generation === generation) tg.targets.delete(keyOf(id, port));
    });
    return true;
  }

  /** Health checks settle after `threshold` intervals; the outcome is what the target answers then. */
  private scheduleCheck(tg: SimTargetGroup, t: SimTarget): void {
    const generation = ++t.generation;
    const listening = this.passes(t);
    const threshold = listening ? tg.healthCheck.healthyThreshold : tg.healthCheck.unhealthyThreshold;
    if ((listening && t.state === 'healthy') || (!listening && t.state === 'unhealthy')) return;
    this.world.clock.after(tg.healthCheck.intervalSeconds * threshold, `health ${t.id}:${t.port}`, () => {
      if (t.generation !== generation || t.state === 'draining' || t.state === 'unused') return;
      const passing = this.passes(t);
      if (passing !== listening) {
        this.scheduleCheck(tg, t);
        return;
      }
      this.setState(tg, t, passing ? 'healthy' : 'unhealthy', passing ? undefined : 'Target.FailedHealthChecks');
    });
  }

  private passes(t: SimTarget): boolean {
    return this.world.ec2.instances.get(t.id)?.state === 'running' && this.world.ecs.isListening(t.id, t.port);
  }

  private setState(tg: SimTargetGroup, t: SimTarget, state: TargetState, reason?: string): void {
    const was = t.state;
    t.state = state;
    t.reason = reason;
    if ((was === 'healthy') !== (state === 'healthy')) this.world.ecs.onTargetHealth(tg.arn, t.id, t.port, state === 'healthy');
  }
}
