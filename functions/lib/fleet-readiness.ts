import type { AwsClients } from './clients';
import { describeClusterInstances, type ContainerInstanceSummary } from './aws/container-instances';
import { describeFleets, fleetInstances, type FleetInstance } from './aws/fleets';

const DEAD_STATES = new Set(['failed', 'cancelled', 'cancelled_running', 'cancelled_terminating']);

export interface FleetReadiness {
  targetCapacity: number;
  fulfilledCapacity: number;
  /** States of the fleets, by id (active, modifying, …). */
  states: Record<string, string>;
  /** The fleets' active instances, as DescribeSpotFleetInstances lists them (the list can lag behind launches). */
  instances: FleetInstance[];
  /** Their EC2 ids. */
  instanceIds: Set<string>;
  /** How many of them are ACTIVE container instances of the cluster with a connected agent. */
  activeInCluster: number;
  /** Every container instance of the cluster (not INACTIVE). */
  clusterInstances: ContainerInstanceSummary[];
  /** Why the capacity is not ready yet; empty when it is. */
  problems: string[];
  /** Why it never will be: a fleet that died, or one in error that launched nothing. */
  fatal?: string;
}

/**
 * Whether fleets have delivered their capacity to the cluster: each fulfilled (capacity ≥ target, in
 * weighted units) and each of its instances ACTIVE in the cluster with its agent connected. Read
 * afresh from AWS at every poll.
 */
export async function fleetReadiness(aws: Pick<AwsClients, 'ec2' | 'ecs'>, cluster: string, fleetIds: string[]): Promise<FleetReadiness> {
  const fleets = await describeFleets(aws.ec2, fleetIds);
  const out: FleetReadiness = { targetCapacity: 0, fulfilledCapacity: 0, states: {}, instances: [], instanceIds: new Set(), activeInCluster: 0, clusterInstances: [], problems: [] };
  for (const f of fleets) {
    const id = f.SpotFleetRequestId!;
    const target = f.SpotFleetRequestConfig?.TargetCapacity ?? 0;
    const fulfilled = f.SpotFleetRequestConfig?.FulfilledCapacity ?? 0;
    out.targetCapacity += target;
    out.fulfilledCapacity += fulfilled;
    out.states[id] = f.SpotFleetRequestState ?? 'unknown';
    if (DEAD_STATES.has(f.SpotFleetRequestState ?? '')) return { ...out, fatal: `fleet ${id} is ${f.SpotFleetRequestState}` };
    if (f.ActivityStatus === 'error' && fulfilled === 0) {
      return { ...out, fatal: `fleet ${id} reports an error and launched nothing (check its request history: AMI, instance types, spot capacity)` };
    }
    if (fulfilled < target) out.problems.push(`fleet ${id} fulfilled ${fulfilled}/${target} units`);
  }

  out.clusterInstances = await describeClusterInstances(aws.ecs, cluster);
  for (const id of fleetIds) out.instances.push(...(await fleetInstances(aws.ec2, id)));
  out.instanceIds = new Set(out.instances.map((i) => i.instanceId));
  const byEc2 = new Map(out.clusterInstances.map((ci) => [ci.ec2InstanceId, ci]));
  out.activeInCluster = [...out.instanceIds].filter((id) => byEc2.get(id)?.status === 'ACTIVE' && byEc2.get(id)?.agentConnected).length;
  if (out.activeInCluster < out.instanceIds.size) out.problems.push(`${out.activeInCluster}/${out.instanceIds.size} new instances ACTIVE in the cluster`);
  return out;
}
