import { Simulation, type Summary } from '../harness';
import { baseAccount, buildCluster, defaultClusterSpec, releaseNewAmi, type ClusterSpec } from './cluster';

export interface RolloverScenarioOptions {
  seed?: number;
  size?: number;
  spec?: ClusterSpec;
  input?: Record<string, unknown>;
  onProgress?: (line: string) => void;
  /** A live status line shows the progress: no line per Task state. */
  live?: boolean;
}

/**
 * The main job: a cluster on the old AMI, AWS releases a new one, the scheduled trigger notices
 * and starts the rollover; the run ends when every execution has.
 */
export async function runRolloverScenario(options: RolloverScenarioOptions = {}): Promise<{ sim: Simulation; summary: Summary }> {
  const spec = options.spec ?? defaultClusterSpec(options.size ?? 1);
  const sim = new Simulation({ seed: options.seed ?? 1, recordEvents: false, env: { CLUSTERS: JSON.stringify([{ cluster: spec.cluster, ...options.input }]) } });
  try {
    baseAccount(sim.world);
    buildCluster(sim.world, spec);
    releaseNewAmi(sim.world);
    const since = sim.world.router.calls.length;
    const from = sim.world.clock.now();
    if (options.onProgress && !options.live) watchProgress(sim, spec.cluster, options.onProgress);
    await rollFromSchedule(sim);
    return { sim, summary: sim.summary('rollover', since, from) };
  } finally {
    sim.dispose();
  }
}

/**
 * The scheduled trigger notices the new AMI and starts the rollovers; the run ends when every
 * execution has, and a cluster whose rollover succeeded must have nothing left DRAINING.
 */
export async function rollFromSchedule(sim: Simulation): Promise<void> {
  await sim.runner.invoke('amiScheduleTrigger', { 'detail-type': 'Scheduled Event', source: 'aws.events' });
  await sim.run();
  for (const e of sim.world.sfn.executions.values()) {
    if (e.status === 'SUCCEEDED') sim.world.invariants.checkNothingDraining((JSON.parse(e.input) as { cluster: string }).cluster);
  }
}

/** One line per Task state that changed something, with virtual time and what the cluster looks like then. */
export function watchProgress(sim: Simulation, cluster: string, print: (line: string) => void, describe: (sim: Simulation, cluster: string) => string = clusterLine): void {
  const start = sim.world.clock.now();
  let last = '';
  sim.runner.onTaskDone((state) => {
    const line = `${state.padEnd(26)} ${describe(sim, cluster)}`;
    if (line === last) return; // a poll that changed nothing is not worth a line
    last = line;
    print(`${formatClock(Math.round((sim.world.clock.now() - start) / 1000))}  ${line}`);
  });
}

export function formatClock(seconds: number): string {
  const m = Math.floor(seconds / 60);
  const s = seconds % 60;
  return `+${String(m).padStart(3, ' ')}m${String(s).padStart(2, '0')}s`;
}

/** What a cluster looks like now: instances per AMI (draining ones counted), healthy tasks per service. */
export function clusterLine(sim: Simulation, cluster: string): string {
  const c = sim.world.ecs.clusters.get(cluster);
  if (!c) return '';
  const byAmi = new Map<string, number>();
  let draining = 0;
  for (const ci of c.containerInstances.values()) {
    if (ci.status === 'INACTIVE') continue;
    if (ci.status === 'DRAINING') draining++;
    const ami = ci.attributes['ecs.ami-id'];
    byAmi.set(ami, (byAmi.get(ami) ?? 0) + 1);
  }
  const tasks = [...c.services.values()].map((s) => `${s.name} ${s.healthyCount}/${s.desiredCount}`).join(', ');
  const amis = [...byAmi].map(([ami, n]) => `${ami.slice(-6)}×${n}`).join(' ');
  return `instances ${amis}${draining ? ` (${draining} draining)` : ''} | healthy ${tasks}`;
}
