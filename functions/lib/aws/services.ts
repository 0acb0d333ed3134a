import { DescribeServicesCommand, ECSClient, paginateListServices, type Service } from '@aws-sdk/client-ecs';
import { chunks } from '../chunks';
import { NotFoundError, errorName } from '../errors';

/** Every service of the cluster, described 10 at a time (DescribeServices' limit). */
export async function clusterServices(ecs: ECSClient, cluster: string): Promise<Service[]> {
  const arns: string[] = [];
  for await (const page of paginateListServices({ client: ecs, pageSize: 100 }, { cluster })) arns.push(...(page.serviceArns ?? []));
  const out: Service[] = [];
  for (const batch of chunks(arns, 10)) {
    const res = await ecs.send(new DescribeServicesCommand({ cluster, services: batch }));
    out.push(...(res.services ?? []));
  }
  return out;
}

/** The target groups the cluster's services register their tasks in. */
export function serviceTargetGroups(services: Service[]): string[] {
  return [...new Set(services.flatMap((s) => (s.loadBalancers ?? []).map((lb) => lb.targetGroupArn ?? '')).filter(Boolean))].sort();
}

/** One service of the cluster; a missing cluster or service is a NotFound error naming it. */
export async function describeService(ecs: ECSClient, cluster: string, service: string): Promise<Service> {
  let res;
  try {
    res = await ecs.send(new DescribeServicesCommand({ cluster, services: [service] }));
  } catch (error) {
    if (errorName(error) === 'ClusterNotFoundException') throw new NotFoundError(`ECS cluster '${cluster}' does not exist in this region`);
    throw error;
  }
  const found = res.services?.find((s) => s.status !== 'INACTIVE');
  if (!found) throw new NotFoundError(`ECS service '${service}' does not exist in cluster '${cluster}'${res.failures?.length ? ` (${res.failures.map((f) => f.reason).join(', ')})` : ''}`);
  return found;
}
