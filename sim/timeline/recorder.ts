import type { Simulation } from '../harness';
import type { StateVisit } from '../runner';

/** What the world looked like at one instant: counts only, so a long run of a big cluster stays small. */
export interface TimelineSample {
  /** Virtual time, ms since the epoch. */
  at: number;
  /**
   * By fleet id (or `asg:<group>:<AMI>` for an Auto Scaling group's instances on one AMI):
   * instances pending or running, and how many of them are DRAINING in ECS.
   */
  fleets: Record<string, { live: number; draining: number }>;
  /** By "cluster/service": tasks RUNNING (and meant to run), healthy, desired. */
  services: Record<string, { running: number; healthy: number; desired: number }>;
  /** By target group name: healthy and draining targets. */
  targetGroups: Record<string, { healthy: number; draining: number }>;
}

export interface TimelineRecording {
  title: string;
  /** Where the picture starts and ends (virtual ms): around the executions, not the cluster's build-up. */
  from: number;
  to: number;
  samples: TimelineSample[];
  fleets: { id: string; old: boolean; createdAt: number; cluster?: string; label: string }[];
  services: { key: string; cluster: string; name: string; minimumHealthyPercent: number }[];
  targetGroups: { name: string }[];
  executions: { arn: string; name: string; stateMachine: string; status: string; startedAt: number; stoppedAt?: number; error?: string }[];
  visits: StateVisit[];
}

export interface RecorderOptions {
  /** Sample at most once per this many virtual seconds (the first resolution; it doubles on long runs). */
  resolutionSeconds?: number;
  /** Past this many samples, every other one is dropped and the resolution doubles. */
  maxSamples?: number;
}

/** Time shown before the first execution starts and after the last one ends. */
const MARGIN_MS = 30_000;

/**
 * Records a simulation for the timeline picture: a sample of the world at most every few virtual
 * seconds (on the world's ticks, so nothing is sampled while nothing happens), the runner's state
 * visits, and the executions. Attach before the scenario runs; call {@link finish} after.
 */
export class TimelineRecorder {
  private readonly samples: TimelineSample[] = [];
  private resolutionMs: number;
  private readonly maxSamples: number;
  private last = -Infinity;
  /** The cluster each fleet's instances joined (remembered: a retired fleet's instances leave it). */
  private readonly fleetClusters = new Map<string, string>();
  /** Lanes of Auto Scaling group instances (by group and AMI): the earliest launch seen. */
  private readonly groupLanes = new Map<string, { group: string; ami: string; firstLaunch: number }>();

  constructor(
    private readonly sim: Simulation,
    options: RecorderOptions = {},
  ) {
    this.resolutionMs = (options.resolutionSeconds ?? 5) * 1000;
    this.maxSamples = options.maxSamples ?? 1500;
    sim.world.onTick(() => {
      const now = sim.world.clock.now();
      if (now - this.last >= this.resolutionMs) this.sample(now);
    });
  }

  finish(title: string): TimelineRecording {
    const world = this.sim.world;
    this.sample(world.clock.now());
    const machines = this.sim.runner.stateMachineNames();
    const executions = [...world.sfn.executions.values()].map((e) => ({
      arn: e.arn,
      name: e.name,
      stateMachine: (machines.get(e.stateMachineArn) ?? e.stateMachineArn.split(':').pop() ?? '').replace(/^ecs-fleet-ops-sim-/, ''),
      status: e.status,
      startedAt: e.startDate,
      stoppedAt: e.stopDate,
      error: e.error,
    }));
    const first = Math.min(...executions.map((e) => e.startedAt), world.clock.now());
    const last = Math.max(...executions.map((e) => e.stoppedAt ?? world.clock.now()), first);
    const from = Math.max(this.samples[0]?.at ?? first, first - MARGIN_MS);
    const to = Math.min(world.clock.now(), last + MARGIN_MS);
    const samples = this.samples.filter((s, i, all) => s.at >= from || all[i + 1]?.at > from);
    const fleets = [...world.ec2.fleets.values()]
      .filter((f) => samples.some((s) => s.fleets[f.id]?.live))
      .map((f) => {
        const old = f.createTime < first;
        const cluster = this.fleetClusters.get(f.id);
        return { id: f.id, old, createdAt: f.createTime, cluster, label: `${cluster ? `${cluster} ` : ''}${f.id.slice(0, 12)}…` };
      });
    // "old" and "new" only mean something when the run created fleets (a rollover's replacement).
    if (fleets.some((f) => !f.old)) for (const f of fleets) f.label = f.label.replace(/(\S+…)$/, `${f.old ? 'old' : 'new'} $1`);
    for (const [id, lane] of this.groupLanes) {
      if (!samples.some((s) => s.fleets[id]?.live)) continue;
      const cluster = this.fleetClusters.get(id);
      const lanes = [...this.groupLanes.values()].filter((l) => l.group === lane.group);
      const old = lane.firstLaunch < first && lanes.some((l) => l.firstLaunch >= first);
      const age = lanes.length > 1 ? `${old ? 'old' : 'new'} ` : '';
      fleets.push({ id, old, createdAt: lane.firstLaunch, cluster, label: `${cluster ? `${cluster} ` : ''}${age}${lane.group} …${lane.ami.slice(-6)}` });
    }
    const services = [...world.ecs.clusters.values()].flatMap((c) => [...c.services.values()].map((s) => ({ key: `${c.name}/${s.name}`, cluster: c.name, name: s.name, minimumHealthyPercent: s.minimumHealthyPercent })));
    return {
      title,
      from,
      to,
      samples,
      fleets,
      services,
      targetGroups: [...world.elbv2.targetGroups.values()].map((tg) => ({ name: tg.name })),
      executions,
      visits: this.sim.runner.visits.filter((v) => v.at <= to),
    };
  }

  private sample(at: number): void {
    const world = this.sim.world;
    const fleets: TimelineSample['fleets'] = {};
    for (const f of world.ec2.fleets.values()) {
      let live = 0;
      let draining = 0;
      for (const id of f.instanceIds) {
        const i = world.ec2.instances.get(id);
        if (!i || (i.state !== 'pending' && i.state !== 'running')) continue;
        live++;
        const ci = world.ecs.containerInstanceOf(id);
        if (ci?.status === 'DRAINING') draining++;
        if (ci && !this.fleetClusters.has(f.id)) this.fleetClusters.set(f.id, ci.cluster);
      }
      if (live || f.state === 'active') fleets[f.id] = { live, draining };
    }
    for (const g of world.autoscaling.groups.values()) {
      for (const m of g.instances.values()) {
        const i = world.ec2.instances.get(m.id);
        if (!i || (i.state !== 'pending' && i.state !== 'running')) continue;
        const id = `asg:${g.name}:${i.imageId}`;
        const lane = this.groupLanes.get(id);
        if (!lane) this.groupLanes.set(id, { group: g.name, ami: i.imageId, firstLaunch: i.launchTime });
        else lane.firstLaunch = Math.min(lane.firstLaunch, i.launchTime);
        const counts = (fleets[id] ??= { live: 0, draining: 0 });
        counts.live++;
        const ci = world.ecs.containerInstanceOf(m.id);
        if (ci?.status === 'DRAINING') counts.draining++;
        if (ci && !this.fleetClusters.has(id)) this.fleetClusters.set(id, ci.cluster);
      }
    }
    const services: TimelineSample['services'] = {};
    for (const c of world.ecs.clusters.values()) {
      for (const s of c.services.values()) {
        let running = 0;
        for (const t of s.tasks) if (t.lastStatus === 'RUNNING' && t.desiredStatus === 'RUNNING') running++;
        services[`${c.name}/${s.name}`] = { running, healthy: s.healthyCount, desired: s.desiredCount };
      }
    }
    const targetGroups: TimelineSample['targetGroups'] = {};
    for (const tg of world.elbv2.targetGroups.values()) {
      let healthy = 0;
      let draining = 0;
      for (const t of tg.targets.values()) {
        if (t.state === 'healthy') healthy++;
        else if (t.state === 'draining') draining++;
      }
      targetGroups[tg.name] = { healthy, draining };
    }
    this.samples.push({ at, fleets, services, targetGroups });
    this.last = at;
    if (this.samples.length > this.maxSamples) {
      // Keep the first and every other one after it: the picture keeps its shape at half the points.
      const kept = this.samples.filter((_, i) => i % 2 === 0 || i === this.samples.length - 1);
      this.samples.splice(0, this.samples.length, ...kept);
      this.resolutionMs *= 2;
    }
  }
}
