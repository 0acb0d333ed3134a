import { RegisterTargetsCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import type { AwsClients } from './clients';
import { chunks } from './chunks';
import { describeClusterInstances, type ContainerInstanceSummary } from './aws/container-instances';
import { describeInstances, fleetInstances, type InstanceFacts } from './aws/fleets';
import { deregisterTargets, targetsOf } from './aws/targets';
import type { Binding } from './bindings';

export interface TargetGroupSync {
  targetGroupArn: string;
  ports: number[];
  desired: number;
  registered: number;
  deregistered: number;
  /** Targets already right (registered and wanted). */
  unchanged: number;
}

interface ClusterView {
  containerInstances: Map<string, ContainerInstanceSummary>;
  instances: Map<string, InstanceFacts>;
}

/**
 * One pass of one target group: the running, non-draining instances of the bound fleets are
 * registered on every bound port; any other target on a bound port (instance gone, terminated,
 * out of the fleet, draining, or being reclaimed) is deregistered. Only running instances are
 * ever sent to RegisterTargets (one non-running id fails AWS's whole call). Idempotent: running
 * it twice, or two at once, converges on the same target group.
 */
export async function syncTargetGroup(aws: Pick<AwsClients, 'ec2' | 'ecs' | 'elbv2'>, targetGroupArn: string, bindings: Binding[]): Promise<TargetGroupSync> {
  const views = new Map<string, ClusterView>();
  for (const cluster of new Set(bindings.map((b) => b.cluster))) views.set(cluster, await viewCluster(aws, cluster));

  // Wanted: port → instance ids.
  const wanted = new Map<number, Set<string>>();
  for (const b of bindings) {
    const view = views.get(b.cluster)!;
    const members = b.fleetId ? new Set((await fleetInstances(aws.ec2, b.fleetId)).map((i) => i.instanceId)) : undefined;
    if (members) {
      // A fleet's instance that has not joined the cluster yet still belongs in the target group once running.
      const unknown = [...members].filter((id) => !view.instances.has(id));
      for (const f of await describeInstances(aws.ec2, unknown)) view.instances.set(f.instanceId, f);
    }
    const set = wanted.get(b.port) ?? new Set<string>();
    for (const facts of view.instances.values()) {
      if (!facts.fleetId || (members && !members.has(facts.instanceId))) continue;
      if (facts.state !== 'running' || facts.interrupted) continue;
      const status = view.containerInstances.get(facts.instanceId)?.status;
      if (status === 'DRAINING' || status === 'INACTIVE' || status === 'DEREGISTERING') continue;
      set.add(facts.instanceId);
    }
    wanted.set(b.port, set);
  }

  const current = await targetsOf(aws.elbv2, targetGroupArn);
  const toRegister: { Id: string; Port: number }[] = [];
  const toDeregister: { id: string; port: number }[] = [];
  let unchanged = 0;
  for (const [port, ids] of wanted) {
    const here = new Map(current.filter((t) => t.port === port).map((t) => [t.id, t.state]));
    for (const id of ids) {
      const state = here.get(id);
      if (state === undefined || state === 'draining') toRegister.push({ Id: id, Port: port });
      else unchanged++;
    }
    for (const [id, state] of here) if (!ids.has(id) && state !== 'draining') toDeregister.push({ id, port });
  }

  for (const batch of chunks(toRegister, 100)) await aws.elbv2.send(new RegisterTargetsCommand({ TargetGroupArn: targetGroupArn, Targets: batch }));
  await deregisterTargets(aws.elbv2, targetGroupArn, toDeregister);
  return {
    targetGroupArn,
    ports: [...wanted.keys()].sort((a, b) => a - b),
    desired: [...wanted.values()].reduce((n, s) => n + s.size, 0),
    registered: toRegister.length,
    deregistered: toDeregister.length,
    unchanged,
  };
}

/** The cluster's container instances and what EC2 says of their instances (state, fleet, tags). */
async function viewCluster(aws: Pick<AwsClients, 'ec2' | 'ecs'>, cluster: string): Promise<ClusterView> {
  const cis = await describeClusterInstances(aws.ecs, cluster);
  const facts = await describeInstances(aws.ec2, cis.map((ci) => ci.ec2InstanceId));
  return { containerInstances: new Map(cis.map((ci) => [ci.ec2InstanceId, ci])), instances: new Map(facts.map((f) => [f.instanceId, f])) };
}

/** Groups bindings by target group: one sync per group. */
export function byTargetGroup(bindings: Binding[]): Map<string, Binding[]> {
  const out = new Map<string, Binding[]>();
  for (const b of bindings) out.set(b.targetGroupArn, [...(out.get(b.targetGroupArn) ?? []), b]);
  return out;
}

/** Syncs every target group bound to `cluster` (the rollover and the interruption drain use this). */
export async function syncClusterBindings(aws: Pick<AwsClients, 'ec2' | 'ecs' | 'elbv2'>, cluster: string, bindings: Binding[]): Promise<TargetGroupSync[]> {
  const mine = bindings.filter((b) => b.cluster === cluster);
  const out: TargetGroupSync[] = [];
  for (const [tg, group] of byTargetGroup(mine)) out.push(await syncTargetGroup(aws, tg, group));
  return out;
}
