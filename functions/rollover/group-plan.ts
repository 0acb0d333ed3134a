import type { AutoScalingGroup, LifecycleHook } from '@aws-sdk/client-auto-scaling';
import { groupLaunchTemplate } from '../lib/aws/auto-scaling-groups';
import type { GroupPlan } from './state';

/** Put `false` on a group to forbid raising its max size during a rollover. */
export const RAISE_MAX_TAG = 'ecs-fleet-ops:raise-max';

/**
 * How a group would be rolled: every old instance replaced before one is drained, so the group
 * grows by its old instances; past its max only when the max may be raised for the roll.
 */
export function planGroup(group: AutoScalingGroup, hooks: LifecycleHook[], clusterAmis: string[], targetAmi: string): GroupPlan {
  const live = (group.Instances ?? []).filter((i) => ['Pending', 'Pending:Wait', 'Pending:Proceed', 'InService'].includes(i.LifecycleState ?? ''));
  const amis = [...new Set(clusterAmis)].sort();
  const current = amis.length > 0 && amis.every((a) => a === targetAmi);
  const desired = group.DesiredCapacity ?? 0;
  const max = group.MaxSize ?? 0;
  const peak = desired + live.length;
  return {
    groupName: group.AutoScalingGroupName ?? '',
    minSize: group.MinSize ?? 0,
    maxSize: max,
    desiredCapacity: desired,
    instances: live.length,
    protectedInstances: live.filter((i) => i.ProtectedFromScaleIn).length,
    amis,
    usesLaunchTemplate: Boolean(groupLaunchTemplate(group)),
    lifecycleHooks: hooks.map((h) => `${h.LifecycleHookName} (${h.LifecycleTransition?.replace('autoscaling:', '')})`),
    peakSize: peak,
    raisesMax: peak > max,
    current,
  };
}

/** Why rolling this group safely is impossible, or undefined when it can be rolled. */
export function groupRefusal(group: AutoScalingGroup, plan: GroupPlan): string | undefined {
  const name = plan.groupName;
  if (group.Status) return `Auto Scaling group ${name} is being deleted (${group.Status})`;
  if (!plan.usesLaunchTemplate) {
    const source = group.LaunchConfigurationName ? `launch configuration ${group.LaunchConfigurationName}` : 'no launch template';
    return `Auto Scaling group ${name} launches from ${source}: a rollover needs a launch template to put the new AMI in a new version (migrate the group to a launch template first)`;
  }
  const raiseForbidden = (group.Tags ?? []).some((t) => t.Key === RAISE_MAX_TAG && t.Value === 'false');
  if (plan.raisesMax && raiseForbidden) {
    return `Auto Scaling group ${name} would need ${plan.peakSize} instances to replace its ${plan.instances} before draining them, above its max size ${plan.maxSize}, and its tag ${RAISE_MAX_TAG}=false forbids raising the max`;
  }
  return undefined;
}
