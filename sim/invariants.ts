import type { World } from './world';
import type { SimService, SimTask } from './aws/ecs';

export type ViolationKind =
  | 'min-healthy-tasks'
  | 'instance-terminated-with-tasks'
  | 'fleet-cancelled-before-drain'
  | 'left-draining-after-success'
  | 'target-out-of-sync';

export interface Violation {
  kind: ViolationKind;
  at: string;
  message: string;
}

export interface ServiceHealthRecord {
  service: string;
  desired: number;
  floor: number;
  lowestHealthy: number;
  lowestRatio: number;
}

/**
 * The safety rules every workflow must keep, checked at every virtual tick (each instant at which
 * something happens in the world). A rule the scenario itself breaks (a spot interruption taking
 * tasks down) does not count against the workflow until the service has recovered.
 */
export class Invariants {
  readonly violations: Violation[] = [];
  /** Tasks still running or stopping on instances terminated by anyone but a spot interruption. */
  tasksKilled = 0;
  private readonly armed = new Map<SimService, number>();
  private readonly lowest = new Map<SimService, { healthy: number; ratio: number; desired: number; floor: number }>();

  constructor(private readonly world: World) {}

  /** A rule a scenario checks at its end (e.g. target groups hold exactly the running instances). */
  report(kind: ViolationKind, message: string): void {
    this.violate(kind, message);
  }

  private violate(kind: ViolationKind, message: string): void {
    this.violations.push({ kind, at: this.world.clock.iso(), message });
  }

  /** After each tick: every armed service keeps ⌈minimumHealthyPercent × desired⌉ healthy tasks. */
  tick(): void {
    for (const cluster of this.world.ecs.clusters.values()) {
      for (const s of cluster.services.values()) {
        const floor = Math.ceil((s.minimumHealthyPercent * s.desiredCount) / 100);
        const armedFloor = this.armed.get(s);
        if (armedFloor === undefined || armedFloor !== floor) {
          // (Re)arm once the service first holds its floor, e.g. after start-up or a change of desired count.
          if (s.healthyCount >= floor) this.armed.set(s, floor);
          else this.armed.delete(s);
          continue;
        }
        const ratio = s.desiredCount === 0 ? 1 : s.healthyCount / s.desiredCount;
        const low = this.lowest.get(s);
        if (!low || ratio < low.ratio) this.lowest.set(s, { healthy: s.healthyCount, ratio, desired: s.desiredCount, floor });
        if (s.healthyCount < floor) {
          this.violate('min-healthy-tasks', `service ${s.name}: ${s.healthyCount} healthy tasks < floor ${floor} (desired ${s.desiredCount}, minimumHealthyPercent ${s.minimumHealthyPercent})`);
          this.armed.delete(s);
        }
      }
    }
  }

  /** Instance is going down: by the scenario (spot reclaim) tasks may die; by anyone else they must not. */
  instanceStopping(instanceId: string, reason: string, liveTasks: SimTask[]): void {
    if (reason === 'spot interruption') {
      for (const t of liveTasks) if (t.service) this.armed.delete(t.service);
      return;
    }
    if (liveTasks.length > 0) {
      this.tasksKilled += liveTasks.length;
      const kind: ViolationKind = reason.startsWith('spot fleet') ? 'fleet-cancelled-before-drain' : 'instance-terminated-with-tasks';
      const names = liveTasks.map((t) => `${t.group}(${t.lastStatus})`).join(', ');
      this.violate(kind, `instance ${instanceId} terminated (${reason}) with ${liveTasks.length} task(s) not stopped: ${names}`);
    }
  }

  /**
   * After a successful workflow nothing may stay DRAINING on a live instance — unless its Auto
   * Scaling group is terminating it (a termination lifecycle hook holds it in Terminating:Wait).
   */
  checkNothingDraining(cluster: string): void {
    const c = this.world.ecs.clusters.get(cluster);
    if (!c) return;
    for (const ci of c.containerInstances.values()) {
      const instance = this.world.ec2.instances.get(ci.instanceId);
      const member = this.world.autoscaling.groupOf(ci.instanceId)?.instances.get(ci.instanceId);
      const leaving = member?.lifecycleState === 'Terminating' || member?.lifecycleState === 'Terminating:Wait';
      if (ci.status === 'DRAINING' && instance && (instance.state === 'running' || instance.state === 'pending') && !leaving) {
        this.violate('left-draining-after-success', `container instance of ${ci.instanceId} left DRAINING after the workflow succeeded`);
      }
    }
  }

  serviceHealth(): ServiceHealthRecord[] {
    const out: ServiceHealthRecord[] = [];
    for (const cluster of this.world.ecs.clusters.values()) {
      for (const s of cluster.services.values()) {
        const low = this.lowest.get(s);
        const floor = Math.ceil((s.minimumHealthyPercent * s.desiredCount) / 100);
        out.push({
          service: s.name,
          desired: s.desiredCount,
          floor,
          lowestHealthy: low?.healthy ?? s.healthyCount,
          lowestRatio: Math.round((low?.ratio ?? (s.desiredCount ? s.healthyCount / s.desiredCount : 1)) * 1000) / 1000,
        });
      }
    }
    return out;
  }
}
