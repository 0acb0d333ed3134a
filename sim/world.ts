import { VirtualClock } from './clock';
import { Rng } from './rng';
import { ApiRouter, simulatedClients } from './router';
import type { AwsClients } from '../functions/lib/clients';
import { Ec2Sim, type SimInstance } from './aws/ec2';
import { AutoScalingSim } from './aws/autoscaling';
import { ApplicationAutoScalingSim } from './aws/application-autoscaling';
import { EcsSim, type SimTask } from './aws/ecs';
import { Elbv2Sim } from './aws/elbv2';
import { SsmSim } from './aws/ssm';
import { SfnSim } from './aws/sfn';
import { SnsSim } from './aws/sns';
import { EventBusSim } from './aws/events';
import { Invariants } from './invariants';
import { Faults } from './faults';

export interface WorldOptions {
  seed?: number;
  region?: string;
  account?: string;
  /** Keep every emitted EventBridge event in `events.emitted` (tests). */
  recordEvents?: boolean;
}

/**
 * The simulated AWS account: one model per service on a shared virtual clock, and real SDK
 * clients routed into them. Scenarios build a world; the local runner drives its clock.
 */
export class World {
  readonly clock = new VirtualClock();
  readonly rng: Rng;
  readonly region: string;
  readonly account: string;
  readonly recordEvents: boolean;
  readonly router: ApiRouter;
  readonly clients: AwsClients;
  readonly events: EventBusSim;
  readonly ec2: Ec2Sim;
  readonly autoscaling: AutoScalingSim;
  readonly applicationAutoScaling: ApplicationAutoScalingSim;
  readonly ecs: EcsSim;
  readonly elbv2: Elbv2Sim;
  readonly ssm: SsmSim;
  readonly sfn: SfnSim;
  readonly sns: SnsSim;
  readonly invariants: Invariants;
  readonly faults: Faults;
  private readonly tickListeners: (() => void)[] = [];

  constructor(options: WorldOptions = {}) {
    this.rng = new Rng(options.seed ?? 1);
    this.region = options.region ?? 'us-east-1';
    this.account = options.account ?? '123456789012';
    this.recordEvents = options.recordEvents ?? true;
    this.router = new ApiRouter(() => this.clock.now(), () => this.rng.next());
    this.events = new EventBusSim(this);
    this.ec2 = new Ec2Sim(this);
    this.autoscaling = new AutoScalingSim(this);
    this.applicationAutoScaling = new ApplicationAutoScalingSim(this);
    this.ecs = new EcsSim(this);
    this.elbv2 = new Elbv2Sim(this);
    this.ssm = new SsmSim(this);
    this.sfn = new SfnSim(this);
    this.sns = new SnsSim(this);
    this.invariants = new Invariants(this);
    this.router.register('ec2', this.ec2.operations);
    this.router.register('autoscaling', this.autoscaling.operations);
    this.router.register('applicationAutoScaling', this.applicationAutoScaling.operations);
    this.router.register('ecs', this.ecs.operations);
    this.router.register('elbv2', this.elbv2.operations);
    this.router.register('ssm', this.ssm.operations);
    this.router.register('sfn', this.sfn.operations);
    this.router.register('sns', this.sns.operations);
    this.clients = simulatedClients(this.router, this.region);
    this.faults = new Faults(this, options.seed ?? 1);
  }

  /** Runs everything scheduled up to `limit` in time order, checking invariants after each instant. */
  advanceTo(limit: number, stopEarly: () => boolean = () => false): void {
    for (;;) {
      const t = this.clock.runNextBatch(limit);
      if (t === undefined) break;
      this.tick();
      if (stopEarly()) return;
    }
    this.clock.setTime(limit);
  }

  /** Advances by `seconds` of virtual time (no workflow running). */
  advance(seconds: number): void {
    this.advanceTo(this.clock.now() + seconds * 1000);
  }

  onTick(listener: () => void): void {
    this.tickListeners.push(listener);
  }

  private tick(): void {
    this.invariants.tick();
    for (const l of this.tickListeners) l();
  }

  /** A spot interruption: the warning now, the instance reclaimed two minutes later. */
  interruptSpotInstance(instanceId: string, action: 'terminate' | 'stop' | 'hibernate' = 'terminate'): void {
    const instance = this.ec2.instances.get(instanceId);
    if (!instance || instance.state !== 'running') return;
    instance.interruptionAt = this.clock.now() + 120_000;
    this.events.emit('aws.ec2', 'EC2 Spot Instance Interruption Warning', [`arn:aws:ec2:${this.region}:${this.account}:instance/${instanceId}`], {
      'instance-id': instanceId,
      'instance-action': action,
    });
    if (instance.fleetId) {
      this.events.emit('aws.ec2spotfleet', 'EC2 Spot Fleet Instance Change', [this.ec2.fleetArn(instance.fleetId)], {
        'instance-id': instanceId,
        description: JSON.stringify({ instanceType: instance.type, image: instance.imageId }),
        'sub-type': 'termination_notified',
      });
    }
    this.ecs.onSpotInterruptionNotice(instanceId);
    this.clock.after(120, `spot reclaim ${instanceId}`, () => this.ec2.terminate(instanceId, 'spot interruption'));
  }

  // ---- cross-service reactions (what AWS does between services) ---------------------------

  onInstanceRunning(instance: SimInstance): void {
    this.ecs.onInstanceRunning(instance);
  }

  onInstanceStopping(instance: SimInstance, reason: string): void {
    this.invariants.instanceStopping(instance.id, reason, this.ecs.liveTasksOn(instance.id));
    this.ecs.onInstanceStopping(instance);
    this.autoscaling.onInstanceStopping(instance);
    this.elbv2.onInstanceStopping(instance.id);
  }

  onTaskStopped(task: SimTask): void {
    for (const b of task.hostPorts) this.elbv2.onListenerChange(task.containerInstance.instanceId, b.hostPort);
  }
}
