import { Simulation, type Summary } from '../harness';
import type { World } from '../world';
import { baseAccount, buildCluster, defaultClusterSpec, type ClusterSpec } from './cluster';
import { formatClock } from './rollover';

export interface BindingSpec {
  cluster: string;
  fleetId?: string;
  targetGroupArn: string;
  port: number;
}

/** Targets that should not be there, and instances missing, per bound (target group, port). */
export function bindingMismatches(world: World, bindings: BindingSpec[]): string[] {
  const problems: string[] = [];
  const byGroupPort = new Map<string, BindingSpec[]>();
  for (const b of bindings) byGroupPort.set(`${b.targetGroupArn}|${b.port}`, [...(byGroupPort.get(`${b.targetGroupArn}|${b.port}`) ?? []), b]);
  for (const [key, group] of byGroupPort) {
    const [arn, portText] = key.split('|');
    const port = Number(portText);
    const wanted = new Set<string>();
    for (const b of group) {
      const fleets = b.fleetId ? [b.fleetId] : [...world.ec2.fleets.keys()];
      for (const fleetId of fleets) {
        for (const i of world.ec2.instancesOfFleet(fleetId)) {
          const ci = world.ecs.containerInstanceOf(i.id);
          if (i.state !== 'running' || i.tags.has('ecs-fleet-ops:interrupted') || ci?.cluster !== b.cluster || ci.status !== 'ACTIVE') continue;
          wanted.add(i.id);
        }
      }
    }
    const tg = world.elbv2.targetGroups.get(arn)!;
    const registered = new Set([...tg.targets.values()].filter((t) => t.port === port && t.state !== 'draining').map((t) => t.id));
    for (const id of registered) if (!wanted.has(id)) problems.push(`${tg.name}:${port} still holds ${id} (${world.ec2.instances.get(id)?.state ?? 'unknown'})`);
    for (const id of wanted) if (!registered.has(id)) problems.push(`${tg.name}:${port} is missing running instance ${id}`);
  }
  return problems;
}

export function edgeClusterSpec(): ClusterSpec {
  return {
    cluster: 'edge',
    targetCapacity: 4,
    launch: [
      { instanceType: 'm5.large', weight: 1 },
      { instanceType: 'c5.large', weight: 1 },
    ],
    allocationStrategy: 'diversified',
    services: [
      // One proxy per instance on host port 80: what an instance-level target group binding serves.
      { name: 'proxy', desiredCount: 4, cpu: 256, memory: 256, containerPort: 80, hostPort: 80, minimumHealthyPercent: 50, maximumPercent: 100 },
      { name: 'admin', desiredCount: 4, cpu: 128, memory: 128, containerPort: 8081, hostPort: 8081, minimumHealthyPercent: 50, maximumPercent: 100 },
    ],
  };
}

function progress(sim: Simulation, print?: (line: string) => void): (what: string) => void {
  const start = sim.world.clock.now();
  return (what) => print?.(`${formatClock(Math.round((sim.world.clock.now() - start) / 1000))}  ${what}`);
}

/**
 * Target sync: an edge cluster whose proxies are registered per instance in two target groups.
 * A spot instance is reclaimed, the fleet launches a replacement, and the EventBridge events of
 * both changes start syncs; at the end each bound (target group, port) must hold exactly the
 * running instances of the fleet.
 */
export async function runSyncTargetsScenario(options: { seed?: number; onProgress?: (line: string) => void } = {}): Promise<{ sim: Simulation; summary: Summary }> {
  const sim = new Simulation({ seed: options.seed ?? 1, recordEvents: false });
  try {
    baseAccount(sim.world);
    const spec = edgeClusterSpec();
    const built = buildCluster(sim.world, spec);
    const http = sim.world.elbv2.createTargetGroup('edge-http', 80, { deregistrationDelaySeconds: 30, healthCheck: { intervalSeconds: 10, healthyThreshold: 3 } });
    const admin = sim.world.elbv2.createTargetGroup('edge-admin', 8081, { deregistrationDelaySeconds: 30, healthCheck: { intervalSeconds: 10, healthyThreshold: 3 } });
    const bindings: BindingSpec[] = [
      { cluster: 'edge', targetGroupArn: http.arn, port: 80 },
      { cluster: 'edge', fleetId: built.fleetId, targetGroupArn: admin.arn, port: 8081 },
    ];
    sim.setEnv({ TARGET_BINDINGS: JSON.stringify(bindings), CLUSTERS: JSON.stringify([{ cluster: 'edge' }]) });
    sim.connectEventRules();
    const since = sim.world.router.calls.length;
    const from = sim.world.clock.now();
    const say = progress(sim, options.onProgress);

    sim.runner.start(sim.arns.syncTargets, { reason: 'schedule' }, 'scheduled-first-sync');
    await sim.run();
    say(`scheduled sync: ${http.targets.size} targets in edge-http, ${admin.targets.size} in edge-admin`);

    const victim = sim.world.ec2.instancesOfFleet(built.fleetId).find((i) => i.state === 'running')!;
    sim.world.interruptSpotInstance(victim.id);
    say(`spot interruption warning for ${victim.id}`);
    await sim.runner.advance(15 * 60);
    const replacement = sim.world.ec2.instancesOfFleet(built.fleetId).filter((i) => i.launchTime > from);
    say(`${victim.id} is ${sim.world.ec2.instances.get(victim.id)?.state}; the fleet launched ${replacement.map((i) => `${i.id} (${i.state})`).join(', ')}`);
    const syncs = [...sim.world.sfn.executions.values()].filter((e) => e.stateMachineArn === sim.arns.syncTargets);
    say(`${syncs.length} sync executions; targets: edge-http ${[...http.targets.values()].map((t) => `${t.id}=${t.state}`).join(' ')}`);

    for (const problem of bindingMismatches(sim.world, bindings)) sim.world.invariants.report('target-out-of-sync', problem);
    return { sim, summary: sim.summary('sync-targets', since, from) };
  } finally {
    sim.dispose();
  }
}

/**
 * Spot interruption: the default cluster; AWS warns that the busiest instance will be reclaimed.
 * The interruption machine drains it and takes it out of its target groups; the report says how
 * many tasks moved before the reclaim and how many were lost.
 */
export async function runSpotInterruptionScenario(options: { seed?: number; onProgress?: (line: string) => void } = {}): Promise<{ sim: Simulation; summary: Summary }> {
  const sim = new Simulation({ seed: options.seed ?? 1, recordEvents: false });
  try {
    baseAccount(sim.world);
    const built = buildCluster(sim.world, { ...defaultClusterSpec(), standaloneTasks: [] });
    sim.setEnv({ CLUSTERS: JSON.stringify([{ cluster: 'demo' }]) });
    sim.connectEventRules();
    const since = sim.world.router.calls.length;
    const from = sim.world.clock.now();
    const say = progress(sim, options.onProgress);
    const busiest = sim.world.ec2
      .instancesOfFleet(built.fleetId)
      .map((i) => ({ i, tasks: sim.world.ecs.liveTasksOn(i.id).length }))
      .sort((a, b) => b.tasks - a.tasks)[0];
    sim.world.interruptSpotInstance(busiest.i.id);
    say(`spot interruption warning for ${busiest.i.id} (${busiest.tasks} tasks)`);
    await sim.runner.advance(10 * 60);
    for (const e of sim.world.sfn.executions.values()) {
      if (e.status !== 'SUCCEEDED' || !e.output) continue;
      const out = JSON.parse(e.output) as { watch?: { status: string; moved: number; lost: number }; drain?: { tasksAtNotice: number } };
      if (out.watch) say(`report: ${out.drain?.tasksAtNotice} tasks at notice, ${out.watch.moved} moved, ${out.watch.lost} lost (${out.watch.status})`);
    }
    const services = [...sim.world.ecs.cluster('demo').services.values()].map((s) => `${s.name} ${s.healthyCount}/${s.desiredCount}`).join(', ');
    say(`after the reclaim: ${services}; fleet back at ${sim.world.ec2.fulfilledCapacity(sim.world.ec2.fleets.get(built.fleetId)!)} units`);
    return { sim, summary: sim.summary('spot-interruption', since, from) };
  } finally {
    sim.dispose();
  }
}
