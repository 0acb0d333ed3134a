import { UpdateAutoScalingGroupCommand } from '@aws-sdk/client-auto-scaling';
import { DeleteLaunchTemplateVersionsCommand } from '@aws-sdk/client-ec2';
import type { AwsClients } from '../lib/clients';
import { logger } from '../lib/log';
import { liveInstances, terminateInGroup } from '../lib/aws/auto-scaling-groups';
import { templateVersionData } from '../lib/aws/launch-templates';
import { finishRoll, originalTemplate, withTemplate, type GroupScope } from './group-roll';
import type { DrainScope } from './state';

/**
 * The groups' half of RetireOldFleets / CancelReplacement, once every instance of the scope is
 * drained. Only groups carrying this execution's roll are touched (no roll: never changed, or
 * already finished by an earlier attempt of this step).
 *
 * Forward ("old"): exactly the old instances are terminated, desired capacity decremented with
 * each, so the group ends at its original size on the new version; its max goes back to what it
 * was; a group that named `$Latest` names it again (when the roll's version is still the latest).
 *
 * Rollback ("new"): the group's original template first, and its desired capacity held at its
 * live instances so it neither launches nor picks a victim; then exactly the new instances are
 * terminated (decrementing), the roll's template version deleted (a group or fleet naming
 * `$Latest` would otherwise launch the new AMI), and its original desired and max sizes set back.
 */
export async function retireGroups(aws: Pick<AwsClients, 'autoscaling' | 'ec2'>, scope: DrainScope, groups: GroupScope[]): Promise<{ groupName: string; terminated: number }[]> {
  const out: { groupName: string; terminated: number }[] = [];
  for (const g of groups) {
    if (!g.roll) continue;
    const name = g.plan.groupName;
    const ids = g.instances.map((i) => i.InstanceId!);
    if (scope === 'old') {
      const result = await terminateInGroup(aws.autoscaling, g.group, ids);
      const desired = (g.group.DesiredCapacity ?? 0) - result.terminated.length;
      const template = await keepLatest(aws, g);
      await finishRoll(aws.autoscaling, g, { MaxSize: Math.max(g.plan.maxSize, desired), ...(template ? withTemplate(g.group, template) : {}) });
      logger.info('Old instances of the Auto Scaling group terminated; group back to its bounds', { groupName: name, terminated: result.terminated.length, skipped: result.skipped.length, desired, maxSize: Math.max(g.plan.maxSize, desired) });
      out.push({ groupName: name, terminated: result.terminated.length });
    } else {
      const hold = Math.min(g.group.MaxSize ?? 0, Math.max(g.group.MinSize ?? 0, liveInstances(g.group).length));
      await aws.autoscaling.send(new UpdateAutoScalingGroupCommand({ AutoScalingGroupName: name, ...withTemplate(g.group, originalTemplate(g.plan)), DesiredCapacity: hold }));
      const result = await terminateInGroup(aws.autoscaling, g.group, ids);
      await deleteRollVersion(aws, g);
      await finishRoll(aws.autoscaling, g, { MinSize: g.plan.minSize, MaxSize: g.plan.maxSize, DesiredCapacity: g.plan.desiredCapacity });
      logger.info('New instances of the Auto Scaling group terminated; group put back as it was', { groupName: name, terminated: result.terminated.length, desired: g.plan.desiredCapacity, maxSize: g.plan.maxSize });
      out.push({ groupName: name, terminated: result.terminated.length });
    }
  }
  return out;
}

/** A group that named `$Latest` before the roll names it again, if the roll's version is still the template's latest. */
async function keepLatest(aws: Pick<AwsClients, 'ec2'>, g: GroupScope): Promise<{ LaunchTemplateId: string; Version: string } | undefined> {
  if (g.plan.launchTemplate?.version !== '$Latest' || !g.roll) return undefined;
  const latest = await templateVersionData(aws.ec2, { LaunchTemplateSpecification: { LaunchTemplateId: g.roll.templateId, Version: '$Latest' } });
  if (String(latest.version) !== g.roll.version) {
    logger.warn('The launch template has a newer version than the roll\'s; the group stays pinned to the roll\'s version', { groupName: g.plan.groupName, latest: latest.version, pinned: g.roll.version });
    return undefined;
  }
  return { LaunchTemplateId: g.roll.templateId, Version: '$Latest' };
}

/** Deletes the roll's launch template version; one already gone (a retried step) is fine. */
async function deleteRollVersion(aws: Pick<AwsClients, 'ec2'>, g: GroupScope): Promise<void> {
  const res = await aws.ec2.send(new DeleteLaunchTemplateVersionsCommand({ LaunchTemplateId: g.roll!.templateId, Versions: [g.roll!.version] }));
  const failed = (res.UnsuccessfullyDeletedLaunchTemplateVersions ?? []).filter((f) => f.ResponseError?.Code !== 'launchTemplateVersionDoesNotExist');
  if (failed.length) logger.warn('Could not delete the roll\'s launch template version', { groupName: g.plan.groupName, templateId: g.roll!.templateId, version: g.roll!.version, error: failed[0].ResponseError });
}
