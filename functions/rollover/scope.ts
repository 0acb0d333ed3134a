import type { AwsClients } from '../lib/clients';
import { describeClusterInstances, type ContainerInstanceSummary } from '../lib/aws/container-instances';
import { findFleetsByTag, fleetInstances } from '../lib/aws/fleets';
import { groupScopes, type GroupScope } from './group-roll';
import { TAGS, type DrainScope, type RolloverState } from './state';

export interface ScopeView {
  fleetIds: string[];
  /** The Auto Scaling groups being rolled, each with its live instances of the scope. */
  groups: GroupScope[];
  /** EC2 ids of the scope's instances: the fleets' active ones and the groups' live ones. */
  instanceIds: Set<string>;
  /** Container instances of the cluster, all of them (the rest of the cluster is the destination). */
  cluster: ContainerInstanceSummary[];
  /** Container instances in scope. */
  inScope: ContainerInstanceSummary[];
}

/**
 * The fleets a step works on: the old fleets being replaced, or this execution's replacement
 * fleets (found by tag, so a step that failed half-way still finds what it created).
 */
export async function scopeFleetIds(aws: Pick<AwsClients, 'ec2'>, state: RolloverState, scope: DrainScope): Promise<string[]> {
  if (scope === 'old') return state.plan?.replace ?? [];
  const tagged = await findFleetsByTag(aws.ec2, TAGS.execution, state.execution.name);
  return tagged.map((f) => f.SpotFleetRequestId!).sort();
}

/** Recomputed from AWS at every poll: which container instances belong to the scope's fleets and groups now. */
export async function viewScope(aws: Pick<AwsClients, 'ec2' | 'ecs' | 'autoscaling'>, state: RolloverState, scope: DrainScope): Promise<ScopeView> {
  const fleetIds = await scopeFleetIds(aws, state, scope);
  const instanceIds = new Set<string>();
  for (const id of fleetIds) for (const i of await fleetInstances(aws.ec2, id)) instanceIds.add(i.instanceId);
  const groups = await groupScopes(aws, state, scope);
  for (const g of groups) for (const i of g.instances) if (i.InstanceId) instanceIds.add(i.InstanceId);
  const cluster = await describeClusterInstances(aws.ecs, state.request.cluster);
  return { fleetIds, groups, instanceIds, cluster, inScope: cluster.filter((ci) => instanceIds.has(ci.ec2InstanceId)) };
}
