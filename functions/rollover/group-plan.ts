import type { AutoScalingGroup, LifecycleHook } from '@aws-sdk/client-auto-scaling';
import { groupLaunchTemplate, liveInstances, suspendedProcesses } from '../lib/aws/auto-scaling-groups';
import { REQUIRED_PROCESSES, ROLL_TAG, rollOf } from './group-roll';
import type { GroupPlan } from './state';

/** Put `false` on a group to forbid raising its max size during a rollover. */
export const RAISE_MAX_TAG = 'ecs-fleet-ops:raise-max';

/**
 * How a group would be rolled: every old instance replaced before one is drained, so the group
 * grows by its old instances; past its max only when the max may be raised for the roll.
 */
export function planGroup(group: AutoScalingGroup, hooks: LifecycleHook[], clusterAmis: string[], targetAmi: string): GroupPlan {
  const live = liveInstances(group);
  const template = groupLaunchTemplate(group);
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
    usesLaunchTemplate: Boolean(template),
    lifecycleHooks: hooks.map((h) => `${h.LifecycleHookName} (${h.LifecycleTransition?.replace('autoscaling:', '')})`),
    peakSize: peak,
    raisesMax: peak > max,
    current,
    ...(template?.LaunchTemplateId ? { launchTemplate: { templateId: template.LaunchTemplateId, version: template.Version ?? '$Default' } } : {}),
    suspendedProcesses: suspendedProcesses(group),
  };
}

/** Why rolling this group safely is impossible, or undefined when it can be rolled. */
export function groupRefusal(group: AutoScalingGroup, plan: GroupPlan, execution: string): string | undefined {
  const name = plan.groupName;
  if (group.Status) return `Auto Scaling group ${name} is being deleted (${group.Status})`;
  const roll = rollOf(group);
  if (roll && roll.execution !== execution) {
    return `Auto Scaling group ${name} carries the unfinished rollover of execution ${roll.execution} (tag ${ROLL_TAG}); check the group (launch template version, desired and max size, suspended processes), put it right, then delete the tag`;
  }
  const blocked = REQUIRED_PROCESSES.filter((p) => plan.suspendedProcesses.includes(p));
  if (blocked.length) return `Auto Scaling group ${name} has ${blocked.join(' and ')} suspended: a rollover must launch new instances and terminate the old ones (resume the process first)`;
  if (!plan.usesLaunchTemplate) {
    const source = group.LaunchConfigurationName ? `launch configuration ${group.LaunchConfigurationName}` : 'no launch template';
    return `Auto Scaling group ${name} launches from ${source}: a rollover needs a launch template to put the new AMI in a new version (migrate the group to a launch template first)`;
  }
  if (group.MixedInstancesPolicy?.LaunchTemplate?.Overrides?.some((o) => o.LaunchTemplateSpecification)) {
    return `Auto Scaling group ${name} has instance type overrides with their own launch templates; a rollover versions only the group's launch template (give the overrides no launch template of their own)`;
  }
  const raiseForbidden = (group.Tags ?? []).some((t) => t.Key === RAISE_MAX_TAG && t.Value === 'false');
  if (plan.raisesMax && raiseForbidden) {
    return `Auto Scaling group ${name} would need ${plan.peakSize} instances to replace its ${plan.instances} before draining them, above its max size ${plan.maxSize}, and its tag ${RAISE_MAX_TAG}=false forbids raising the max`;
  }
  return undefined;
}
