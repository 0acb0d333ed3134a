import { SuspendProcessesCommand, UpdateAutoScalingGroupCommand } from '@aws-sdk/client-auto-scaling';
import { CreateLaunchTemplateVersionCommand } from '@aws-sdk/client-ec2';
import { clients } from '../lib/clients';
import { UnsupportedGroupError } from '../lib/errors';
import { logger, withContext } from '../lib/log';
import { groupLaunchTemplate } from '../lib/aws/auto-scaling-groups';
import { templateVersionData } from '../lib/aws/launch-templates';
import { clientToken } from './fleet-config';
import { groupRefusal } from './group-plan';
import { replacedGroups, SUSPENDED_DURING_ROLL, tagRoll, withTemplate, type GroupRoll } from './group-roll';
import type { GroupsPrepared, RolloverState } from './state';

/**
 * PrepareGroups: each Auto Scaling group being rolled gets a new version of its launch template
 * on the target AMI (its source version kept otherwise), the roll recorded on the group (tag),
 * its own scaling suspended for the roll, and then the group pointed at the new version and grown
 * by its old instances — its max raised when the old and new instances do not fit under it.
 * Nothing is terminated here: the old instances stay until they are drained.
 *
 * Safe to retry: a roll already on the group is reused; the template version comes from a
 * ClientToken derived from the execution; sizes come from the plan, computed before any change.
 */
export async function handler(state: RolloverState): Promise<GroupsPrepared> {
  const { cluster } = state.request;
  withContext({ execution: state.execution.name, cluster, state: 'PrepareGroups' });
  const aws = clients();
  const { ec2, autoscaling } = aws;
  const imageId = state.targetAmi!.imageId;
  const out: GroupsPrepared = { groups: 0, newInstances: 0, maxRaised: 0 };

  for (const { group, plan, roll: recorded } of await replacedGroups(aws, state)) {
    const name = plan.groupName;
    // The group may have changed since discovery (another roll started, a process suspended).
    const refusal = groupRefusal(group, plan, state.execution.name);
    if (refusal) throw new UnsupportedGroupError(refusal);

    let roll: GroupRoll | undefined = recorded;
    if (!roll) {
      const source = await templateVersionData(ec2, { LaunchTemplateSpecification: groupLaunchTemplate(group) });
      const created = await ec2.send(
        new CreateLaunchTemplateVersionCommand({
          LaunchTemplateId: source.templateId,
          SourceVersion: String(source.version),
          VersionDescription: `ecs-fleet-ops: ${imageId} (from version ${source.version}) for Auto Scaling group ${name}`,
          LaunchTemplateData: { ImageId: imageId },
          ClientToken: clientToken(state.execution.id, name, String(source.version)),
        }),
      );
      const version = created.LaunchTemplateVersion?.VersionNumber;
      if (version === undefined) throw new UnsupportedGroupError(`Could not create a new version of launch template ${source.templateId} for Auto Scaling group ${name}`);
      roll = { execution: state.execution.name, templateId: source.templateId, version: String(version) };
      // Recorded before the group changes: a rollback after any later failure finds what to undo.
      await tagRoll(autoscaling, name, roll);
    }

    const suspend = SUSPENDED_DURING_ROLL.filter((p) => !plan.suspendedProcesses.includes(p));
    if (suspend.length) await autoscaling.send(new SuspendProcessesCommand({ AutoScalingGroupName: name, ScalingProcesses: suspend }));

    const desired = plan.desiredCapacity + plan.instances;
    const max = Math.max(plan.maxSize, desired);
    await autoscaling.send(
      new UpdateAutoScalingGroupCommand({
        AutoScalingGroupName: name,
        ...withTemplate(group, { LaunchTemplateId: roll.templateId, Version: roll.version }),
        MaxSize: max,
        DesiredCapacity: desired,
      }),
    );
    logger.info('Auto Scaling group growing on the new launch template version', { groupName: name, templateId: roll.templateId, version: roll.version, desired, max, originalMax: plan.maxSize, suspended: suspend });
    out.groups++;
    out.newInstances += plan.instances;
    if (max > plan.maxSize) out.maxRaised++;
  }
  return out;
}
