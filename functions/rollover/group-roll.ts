import {
  type AutoScalingClient,
  type AutoScalingGroup,
  CreateOrUpdateTagsCommand,
  DeleteTagsCommand,
  type Instance,
  ResumeProcessesCommand,
  UpdateAutoScalingGroupCommand,
  type UpdateAutoScalingGroupCommandInput,
} from '@aws-sdk/client-auto-scaling';
import type { AwsClients } from '../lib/clients';
import { describeGroups, liveInstances } from '../lib/aws/auto-scaling-groups';
import { describeInstances } from '../lib/aws/fleets';
import type { DrainScope, GroupPlan, RolloverState } from './state';

/**
 * How an Auto Scaling group is rolled, in the same phases as a Spot Fleet:
 * PrepareGroups puts the new AMI in a new version of the group's launch template, points the
 * group at it and grows it by its old instances (raising the max for the roll when needed);
 * the replacement is ready when that many new instances are InService and ACTIVE in the
 * cluster; the old ones are drained with the fleets' old instances; RetireOldFleets terminates
 * exactly them with TerminateInstanceInAutoScalingGroup (desired decremented) and restores the
 * max. A rollback drains the new instances, terminates them and puts the group back as it was.
 *
 * What a step needs to find the roll again — after a retry, or in a rollback that follows a
 * step that failed half-way — is written on the group itself before anything else changes:
 * the tag ROLL_TAG = "<execution name>|<launch template id>|<new version>". Everything else
 * (original sizes, template version, suspended processes) is in the plan, computed before any
 * change.
 */
export const ROLL_TAG = 'ecs-fleet-ops:rollover';

/**
 * Processes suspended while a group is rolled: its own scaling (alarms, schedules) would fight
 * the desired capacity the roll sets, and an AZ rebalance terminates instances without draining
 * them. Launch and Terminate stay on (the roll needs them); health replacement stays on.
 */
export const SUSPENDED_DURING_ROLL = ['AlarmNotification', 'ScheduledActions', 'AZRebalance'] as const;

/** Processes a roll cannot do without: a group with one of them suspended is refused. */
export const REQUIRED_PROCESSES = ['Launch', 'Terminate'] as const;

export interface GroupRoll {
  execution: string;
  templateId: string;
  version: string;
}

export function formatRoll(roll: GroupRoll): string {
  return `${roll.execution}|${roll.templateId}|${roll.version}`;
}

/** The roll recorded on the group, if any (by any execution). */
export function rollOf(group: AutoScalingGroup): GroupRoll | undefined {
  const value = group.Tags?.find((t) => t.Key === ROLL_TAG)?.Value;
  const parts = value?.split('|');
  if (!parts || parts.length !== 3 || parts.some((p) => !p)) return undefined;
  return { execution: parts[0], templateId: parts[1], version: parts[2] };
}

/** Whether the instance was launched from the roll's new template version. */
export function onRollVersion(instance: Instance, roll: GroupRoll | undefined): boolean {
  return Boolean(roll && instance.LaunchTemplate?.LaunchTemplateId === roll.templateId && instance.LaunchTemplate?.Version === roll.version);
}

export interface GroupView extends ReplacedGroup {
  /** Live instances not launched from the roll's version. */
  old: Instance[];
  /** Live instances launched from it. */
  new: Instance[];
  /**
   * New instances beyond one for each old one: the group replaced an old instance lost during the
   * roll (reclaimed, unhealthy). They are drained and terminated with the old ones — the last
   * launched first — so the group ends at its original size.
   */
  excess: Instance[];
}

export interface GroupScope extends ReplacedGroup {
  /** Live instances of the scope. */
  instances: Instance[];
}

export interface ReplacedGroup {
  group: AutoScalingGroup;
  plan: GroupPlan;
  /** This execution's roll on the group (absent before PrepareGroups wrote it, or once the group was put back). */
  roll?: GroupRoll;
}

/** The groups this rollover replaces, as AWS describes them now (one DescribeAutoScalingGroups per 100 groups), with this execution's roll. */
export async function replacedGroups(aws: Pick<AwsClients, 'autoscaling'>, state: RolloverState): Promise<ReplacedGroup[]> {
  const plans = (state.plan?.groups ?? []).filter((g) => state.plan?.replaceGroups?.includes(g.groupName));
  if (plans.length === 0) return [];
  const groups = await describeGroups(aws.autoscaling, plans.map((p) => p.groupName));
  const out: ReplacedGroup[] = [];
  for (const plan of plans) {
    const group = groups.find((g) => g.AutoScalingGroupName === plan.groupName);
    if (!group) continue;
    const recorded = rollOf(group);
    out.push({ group, plan, ...(recorded?.execution === state.execution.name ? { roll: recorded } : {}) });
  }
  return out;
}

/**
 * The replaced groups, each with its live instances split into old and new — recomputed from
 * AWS at every poll. Terminating instances are in neither. Without this execution's roll on the
 * group (not prepared yet, or already put back — a step retried after it finished), an instance
 * is old only if it does not run the target AMI: a finished roll must never make the new
 * instances look old.
 */
export async function groupViews(aws: Pick<AwsClients, 'autoscaling' | 'ec2'>, state: RolloverState): Promise<GroupView[]> {
  const out: GroupView[] = [];
  for (const { group, plan, roll } of await replacedGroups(aws, state)) {
    const live = liveInstances(group);
    if (roll) {
      const fresh = live.filter((i) => onRollVersion(i, roll));
      out.push({ group, plan, roll, old: live.filter((i) => !onRollVersion(i, roll)), new: fresh, excess: await lastLaunched(aws, fresh, fresh.length - plan.instances) });
    } else {
      const amis = new Map((await describeInstances(aws.ec2, live.map((i) => i.InstanceId!))).map((f) => [f.instanceId, f.imageId]));
      out.push({ group, plan, old: live.filter((i) => amis.get(i.InstanceId!) !== state.targetAmi?.imageId), new: [], excess: [] });
    }
  }
  return out;
}

/**
 * The replaced groups with the live instances of one scope: old (being replaced, with any excess
 * new instance) or new (this execution's, all of them: only the group's description is needed).
 */
export async function groupScopes(aws: Pick<AwsClients, 'autoscaling' | 'ec2'>, state: RolloverState, scope: DrainScope): Promise<GroupScope[]> {
  if (scope === 'new') {
    return (await replacedGroups(aws, state)).map((g) => ({ ...g, instances: liveInstances(g.group).filter((i) => onRollVersion(i, g.roll)) }));
  }
  return (await groupViews(aws, state)).map(({ old, new: _fresh, excess, ...rest }) => ({ ...rest, instances: [...old, ...excess] }));
}

/** The `count` instances launched last (ties: by id), looked up only when there are any to pick. */
async function lastLaunched(aws: Pick<AwsClients, 'ec2'>, instances: Instance[], count: number): Promise<Instance[]> {
  if (count <= 0) return [];
  const launched = new Map((await describeInstances(aws.ec2, instances.map((i) => i.InstanceId!))).map((f) => [f.instanceId, f.launchTime]));
  const order = (i: Instance) => launched.get(i.InstanceId!) ?? '';
  return [...instances].sort((a, b) => order(b).localeCompare(order(a)) || b.InstanceId!.localeCompare(a.InstanceId!)).slice(0, count);
}

/** The group's launch template reference replaced by `spec`, in the shape UpdateAutoScalingGroup takes (whole mixed instances policy kept). */
export function withTemplate(group: AutoScalingGroup, spec: { LaunchTemplateId: string; Version: string }): Pick<UpdateAutoScalingGroupCommandInput, 'LaunchTemplate' | 'MixedInstancesPolicy'> {
  const policy = group.MixedInstancesPolicy;
  if (!policy) return { LaunchTemplate: spec };
  return {
    MixedInstancesPolicy: {
      ...policy,
      LaunchTemplate: { ...policy.LaunchTemplate, LaunchTemplateSpecification: spec },
    },
  };
}

/** The template the group named before the roll, as it named it ($Latest, $Default or a number). */
export function originalTemplate(plan: GroupPlan): { LaunchTemplateId: string; Version: string } {
  return { LaunchTemplateId: plan.launchTemplate!.templateId, Version: plan.launchTemplate!.version };
}

export async function tagRoll(client: AutoScalingClient, groupName: string, roll: GroupRoll): Promise<void> {
  await client.send(new CreateOrUpdateTagsCommand({ Tags: [{ ResourceId: groupName, ResourceType: 'auto-scaling-group', Key: ROLL_TAG, Value: formatRoll(roll), PropagateAtLaunch: false }] }));
}

/**
 * The end of a roll, forward or back: the group's processes resumed (only those the roll
 * suspended), its bounds and the launch template reference as `template` says, then the roll tag
 * removed — last, so a retry of a step that failed before it still finds the roll.
 */
export async function finishRoll(client: AutoScalingClient, scope: GroupScope, update: Omit<UpdateAutoScalingGroupCommandInput, 'AutoScalingGroupName'>): Promise<void> {
  const name = scope.plan.groupName;
  await client.send(new UpdateAutoScalingGroupCommand({ AutoScalingGroupName: name, ...update }));
  const resume = SUSPENDED_DURING_ROLL.filter((p) => !scope.plan.suspendedProcesses?.includes(p));
  if (resume.length) await client.send(new ResumeProcessesCommand({ AutoScalingGroupName: name, ScalingProcesses: resume }));
  if (scope.roll) await client.send(new DeleteTagsCommand({ Tags: [{ ResourceId: name, ResourceType: 'auto-scaling-group', Key: ROLL_TAG }] }));
}
