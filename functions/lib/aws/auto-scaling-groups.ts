import { type AutoScalingClient, type AutoScalingGroup, DescribeLifecycleHooksCommand, type LifecycleHook, paginateDescribeAutoScalingGroups } from '@aws-sdk/client-auto-scaling';
import { chunks } from '../chunks';

/** The groups with these names (names AWS does not know are simply absent). */
export async function describeGroups(client: AutoScalingClient, names: string[]): Promise<AutoScalingGroup[]> {
  const out: AutoScalingGroup[] = [];
  for (const batch of chunks(names, 100)) {
    for await (const page of paginateDescribeAutoScalingGroups({ client, pageSize: 100 }, { AutoScalingGroupNames: batch })) out.push(...(page.AutoScalingGroups ?? []));
  }
  return out;
}

export async function lifecycleHooks(client: AutoScalingClient, groupName: string): Promise<LifecycleHook[]> {
  const res = await client.send(new DescribeLifecycleHooksCommand({ AutoScalingGroupName: groupName }));
  return res.LifecycleHooks ?? [];
}

/** The launch template a group launches from, directly or through its mixed instances policy. */
export function groupLaunchTemplate(group: AutoScalingGroup): { LaunchTemplateId?: string; LaunchTemplateName?: string; Version?: string } | undefined {
  return group.LaunchTemplate ?? group.MixedInstancesPolicy?.LaunchTemplate?.LaunchTemplateSpecification;
}
