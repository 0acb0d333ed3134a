import { Simulation, type Summary } from '../harness';
import { baseAccount, buildCluster, defaultClusterSpec, releaseNewAmi, type ClusterSpec } from './cluster';
import { clusterLine, formatClock, rollFromSchedule } from './rollover';

export interface MultiClusterOptions {
  seed?: number;
  onProgress?: (line: string) => void;
  live?: boolean;
}

/** The stage params of a deployment serving two clusters, each with options of its own (serverless.yml `clusters`). */
export const MULTI_CLUSTER_PARAMS = [
  { cluster: 'web', drain: { batchPercent: 50 } },
  { cluster: 'batch', drain: { standaloneTasks: 'stop' }, pollSeconds: 20 },
];

/** `web`: the default cluster; `batch`: workers and a nightly job on a fleet of its own. */
export function multiClusterSpecs(): ClusterSpec[] {
  const web: ClusterSpec = { ...defaultClusterSpec(), cluster: 'web', targetGroup: { name: 'web-http', deregistrationDelaySeconds: 60, healthCheckIntervalSeconds: 10, healthyThreshold: 3 } };
  const batch: ClusterSpec = {
    cluster: 'batch',
    targetCapacity: 4,
    launch: [
      { instanceType: 'c5.large', weight: 1 },
      { instanceType: 'c5.xlarge', weight: 2 },
    ],
    allocationStrategy: 'lowestPrice',
    services: [{ name: 'jobs', desiredCount: 4, cpu: 512, memory: 512, minimumHealthyPercent: 50, maximumPercent: 150 }],
    standaloneTasks: [{ family: 'nightly-export', cpu: 256, memory: 256 }],
  };
  return [web, batch];
}

/**
 * One deployment, two clusters: AWS publishes a new AMI, the scheduled trigger fans out and starts
 * one rollover per cluster (each with its own options, lock and execution name); they run at once.
 */
export async function runMultiClusterScenario(options: MultiClusterOptions = {}): Promise<{ sim: Simulation; summary: Summary }> {
  const specs = multiClusterSpecs();
  const sim = new Simulation({ seed: options.seed ?? 1, recordEvents: false, env: { CLUSTERS: JSON.stringify(MULTI_CLUSTER_PARAMS) } });
  try {
    baseAccount(sim.world);
    for (const spec of specs) buildCluster(sim.world, spec);
    releaseNewAmi(sim.world);
    const since = sim.world.router.calls.length;
    const from = sim.world.clock.now();
    if (options.onProgress && !options.live) {
      let last = '';
      const print = options.onProgress;
      sim.runner.onTaskDone((state) => {
        const line = `${state.padEnd(26)} ${specs.map((s) => `${s.cluster}: ${clusterLine(sim, s.cluster)}`).join(' ‖ ')}`;
        if (line === last) return;
        last = line;
        print(`${formatClock(Math.round((sim.world.clock.now() - from) / 1000))}  ${line}`);
      });
    }
    await rollFromSchedule(sim);
    return { sim, summary: sim.summary('multi-cluster', since, from) };
  } finally {
    sim.dispose();
  }
}
