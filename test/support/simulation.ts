import { Simulation } from '../../sim/harness';
import { baseAccount, buildCluster, defaultClusterSpec, releaseNewAmi, type BuiltCluster, type ClusterSpec } from '../../sim/scenarios/cluster';
import type { CallRecord } from '../../sim/router';

export interface TestCluster {
  sim: Simulation;
  built: BuiltCluster;
  /** Index into the call log when the cluster was ready: calls after it are the workflow's. */
  mark: number;
}

/** A simulated account with the default cluster (or `spec`) settled on the old AMI, and a new AMI released. */
export function clusterOnOldAmi(options: { spec?: Partial<ClusterSpec>; seed?: number; env?: Record<string, string> } = {}): TestCluster {
  const sim = new Simulation({ seed: options.seed ?? 7, env: { CLUSTERS: JSON.stringify([{ cluster: 'demo' }]), ...options.env } });
  baseAccount(sim.world);
  const built = buildCluster(sim.world, { ...defaultClusterSpec(), ...options.spec });
  releaseNewAmi(sim.world);
  return { sim, built, mark: sim.world.router.calls.length };
}

export function mutatingCalls(sim: Simulation, since: number): CallRecord[] {
  return sim.world.router.mutatingCalls(since);
}

export function fleetsOf(sim: Simulation) {
  return [...sim.world.ec2.fleets.values()];
}

/** Container instances of the cluster that are not INACTIVE, with their AMI and status. */
export function liveContainerInstances(sim: Simulation, cluster = 'demo') {
  return [...sim.world.ecs.cluster(cluster).containerInstances.values()].filter((ci) => ci.status !== 'INACTIVE');
}
