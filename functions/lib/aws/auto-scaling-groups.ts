import {
  type AutoScalingClient,
  type AutoScalingGroup,
  DescribeLifecycleHooksCommand,
  type Instance,
  type LifecycleHook,
  paginateDescribeAutoScalingGroups,
  TerminateInstanceInAutoScalingGroupCommand,
} from '@aws-sdk/client-auto-scaling';
import { chunks } from '../chunks';
import { errorMessage, errorName } from '../errors';

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

const LIVE_STATES = new Set(['Pending', 'Pending:Wait', 'Pending:Proceed', 'InService']);

/** Instances the group counts toward its desired capacity (launching or in service; not terminating, standby or detaching). */
export function liveInstances(group: AutoScalingGroup): Instance[] {
  return (group.Instances ?? []).filter((i) => LIVE_STATES.has(i.LifecycleState ?? ''));
}

export function isInService(instance: Instance): boolean {
  return instance.LifecycleState === 'InService';
}

/** Scaling processes suspended on the group. */
export function suspendedProcesses(group: AutoScalingGroup): string[] {
  return (group.SuspendedProcesses ?? []).map((p) => p.ProcessName ?? '').filter(Boolean);
}

export interface GroupTermination {
  terminated: string[];
  /** Already terminating or gone from the group (a retried step): nothing to do. */
  skipped: string[];
}

/** Calls in flight at once when terminating many instances (the API takes one id per call). */
export const TERMINATE_CONCURRENCY = 8;

/**
 * Terminates exactly these instances of the group, one TerminateInstanceInAutoScalingGroup each
 * (the API takes one id; up to TERMINATE_CONCURRENCY at once, so a group of hundreds fits in one
 * invocation), decrementing the desired capacity so the group does not replace them. Lifecycle
 * hooks on termination run as they would for any termination. Instances already terminating, or
 * no longer in the group, are skipped: a retried step terminates nothing twice.
 */
export async function terminateInGroup(client: AutoScalingClient, group: AutoScalingGroup, instanceIds: string[]): Promise<GroupTermination> {
  const live = new Set(liveInstances(group).map((i) => i.InstanceId));
  const out: GroupTermination = { terminated: [], skipped: instanceIds.filter((id) => !live.has(id)) };
  const queue = instanceIds.filter((id) => live.has(id));
  const worker = async () => {
    for (let id = queue.shift(); id !== undefined; id = queue.shift()) {
      try {
        await client.send(new TerminateInstanceInAutoScalingGroupCommand({ InstanceId: id, ShouldDecrementDesiredCapacity: true }));
        out.terminated.push(id);
      } catch (error) {
        // The instance left the group between the describe and this call (a retry racing a termination).
        if (errorName(error) === 'ValidationError' && /not found|No managed instance/i.test(errorMessage(error))) out.skipped.push(id);
        else throw error;
      }
    }
  };
  // Every worker finishes before an error is reported: none is left calling AWS after the step failed.
  const settled = await Promise.allSettled(Array.from({ length: Math.min(TERMINATE_CONCURRENCY, queue.length) }, worker));
  const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
  return out;
}
