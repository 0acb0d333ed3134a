import { DescribeServicesCommand, ECSClient, paginateListServices, type Service } from '@aws-sdk/client-ecs';
import { chunks } from '../chunks';

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
