import type { World } from '../world';
import { awsError } from './errors';
import type { LaunchOption, SimInstance } from './ec2';

/** What DescribeAutoScalingGroups says of an instance (AWS's LifecycleState values, those modelled). */
export type AsgLifecycleState = 'Pending' | 'Pending:Wait' | 'InService' | 'Terminating' | 'Terminating:Wait' | 'Terminated';

export interface AsgInstance {
  id: string;
  lifecycleState: AsgLifecycleState;
  protectedFromScaleIn: boolean;
  /** The launch template version it was launched from (resolved number). */
  launchTemplate?: { id: string; name: string; version: string };
  launchConfigurationName?: string;
}

export interface LaunchTemplateRef {
  LaunchTemplateId?: string;
  LaunchTemplateName?: string;
  Version?: string;
}

export interface MixedInstancesPolicy {
  LaunchTemplate?: { LaunchTemplateSpecification?: LaunchTemplateRef; Overrides?: { InstanceType?: string; WeightedCapacity?: string }[] };
  InstancesDistribution?: Record<string, unknown>;
}

export interface LifecycleHook {
  LifecycleHookName: string;
  AutoScalingGroupName: string;
  LifecycleTransition: 'autoscaling:EC2_INSTANCE_LAUNCHING' | 'autoscaling:EC2_INSTANCE_TERMINATING';
  HeartbeatTimeout: number;
  DefaultResult: 'CONTINUE' | 'ABANDON';
  GlobalTimeout: number;
}

export interface SimGroup {
  name: string;
  arn: string;
  minSize: number;
  maxSize: number;
  desiredCapacity: number;
  launchTemplate?: LaunchTemplateRef;
  mixedInstancesPolicy?: MixedInstancesPolicy;
  launchConfigurationName?: string;
  subnets: string[];
  newInstancesProtectedFromScaleIn: boolean;
  tags: { Key: string; Value: string; PropagateAtLaunch: boolean }[];
  instances: Map<string, AsgInstance>;
  hooks: LifecycleHook[];
  createdTime: number;
  /** Set by DeleteAutoScalingGroup ("Delete in progress"); the sim never sets it yet. */
  status?: string;
  /** Scaling processes suspended (SuspendProcesses), with why. */
  suspended: Map<string, string>;
}

export interface SimLaunchConfiguration {
  name: string;
  imageId: string;
  instanceType: string;
  userData: string;
}

export interface AutoScalingBehaviour {
  /** Seconds from a capacity change to the group's launches or terminations. */
  reactSeconds: [number, number];
}

const GROUP_TAG = 'aws:autoscaling:groupName';
/** The processes SuspendProcesses knows (AWS's ScalingProcessQuery values). */
export const SCALING_PROCESSES = ['Launch', 'Terminate', 'AddToLoadBalancer', 'AlarmNotification', 'AZRebalance', 'HealthCheck', 'InstanceRefresh', 'ReplaceUnhealthy', 'ScheduledActions'] as const;
const LIVE: AsgLifecycleState[] = ['Pending', 'Pending:Wait', 'InService'];

const validation = (message: string) => awsError('ValidationError', message);

/** The processes a Suspend/ResumeProcesses call names (all of them when it names none). */
function processNames(requested: string[] | undefined): string[] {
  const names = requested?.length ? requested : [...SCALING_PROCESSES];
  const unknown = names.find((n) => !(SCALING_PROCESSES as readonly string[]).includes(n));
  if (unknown) throw validation(`Process ${unknown} is not a valid process`);
  return names;
}
const decodeB64 = (s: string | undefined) => (s ? Buffer.from(s, 'base64').toString('utf8') : '');

/**
 * EC2 Auto Scaling: groups that launch from a launch template (or a legacy launch
 * configuration) until they hold their desired capacity, scale in around protected instances,
 * and hold instances in a Wait state while a lifecycle hook is pending.
 */
export class AutoScalingSim {
  readonly groups = new Map<string, SimGroup>();
  readonly launchConfigurations = new Map<string, SimLaunchConfiguration>();
  readonly behaviour: AutoScalingBehaviour = { reactSeconds: [5, 15] };

  constructor(private readonly world: World) {}

  // ---- setup helpers for scenarios ------------------------------------------------------

  /** A legacy launch configuration (for groups the rollover must refuse). */
  addLaunchConfiguration(name: string, config: { imageId: string; instanceType: string; userData: string }): void {
    this.launchConfigurations.set(name, { name, ...config });
  }

  groupOf(instanceId: string): SimGroup | undefined {
    return [...this.groups.values()].find((g) => g.instances.has(instanceId));
  }

  liveInstances(group: SimGroup): AsgInstance[] {
    return [...group.instances.values()].filter((i) => LIVE.includes(i.lifecycleState));
  }

  /** EC2 tells the group an instance of it is going away (spot reclaim, TerminateInstances): the group replaces it. */
  onInstanceStopping(instance: SimInstance): void {
    const group = this.groupOf(instance.id);
    const member = group?.instances.get(instance.id);
    if (!group || !member || member.lifecycleState === 'Terminating' || member.lifecycleState === 'Terminating:Wait') return;
    member.lifecycleState = 'Terminating';
    this.world.clock.after(this.world.ec2.behaviour.shutdownSeconds[1] + 1, `asg forget ${instance.id}`, () => group.instances.delete(instance.id));
    this.schedule(group);
  }

  // ---- operations -----------------------------------------------------------------------

  readonly operations = {
    CreateAutoScalingGroup: (input: {
      AutoScalingGroupName: string;
      MinSize: number;
      MaxSize: number;
      DesiredCapacity?: number;
      LaunchTemplate?: LaunchTemplateRef;
      MixedInstancesPolicy?: MixedInstancesPolicy;
      LaunchConfigurationName?: string;
      InstanceId?: string;
      VPCZoneIdentifier?: string;
      NewInstancesProtectedFromScaleIn?: boolean;
      Tags?: { Key: string; Value?: string; PropagateAtLaunch?: boolean }[];
      LifecycleHookSpecificationList?: { LifecycleHookName: string; LifecycleTransition: string; HeartbeatTimeout?: number; DefaultResult?: string }[];
    }) => {
      if (this.groups.has(input.AutoScalingGroupName)) throw awsError('AlreadyExists', `AutoScalingGroup by this name already exists - A group with the name ${input.AutoScalingGroupName} already exists`);
      const sources = [input.LaunchTemplate, input.MixedInstancesPolicy, input.LaunchConfigurationName, input.InstanceId].filter((x) => x !== undefined);
      if (sources.length !== 1) throw validation('Valid requests must contain either LaunchTemplate, LaunchConfigurationName, InstanceId or MixedInstancesPolicy parameter.');
      if (input.InstanceId) throw awsError('UnsupportedOperation', 'The simulator does not model groups created from an instance');
      if (input.LaunchConfigurationName && !this.launchConfigurations.has(input.LaunchConfigurationName)) {
        throw validation(`Launch configuration name not found - Launch configuration ${input.LaunchConfigurationName} not found`);
      }
      const template = input.LaunchTemplate ?? input.MixedInstancesPolicy?.LaunchTemplate?.LaunchTemplateSpecification;
      if (input.MixedInstancesPolicy && !template) throw validation('MixedInstancesPolicy.LaunchTemplate.LaunchTemplateSpecification is required');
      if (template) this.resolveTemplate(template); // AWS checks the template exists
      const desired = input.DesiredCapacity ?? input.MinSize;
      this.checkBounds(input.MinSize, input.MaxSize, desired);
      const subnets = (input.VPCZoneIdentifier ?? [...this.world.ec2.subnets.keys()][0] ?? '').split(',').map((s) => s.trim()).filter(Boolean);
      const unknown = subnets.find((s) => !this.world.ec2.subnets.has(s));
      if (unknown) throw validation(`The subnet ID '${unknown}' does not exist`);
      const group: SimGroup = {
        name: input.AutoScalingGroupName,
        arn: `arn:aws:autoscaling:${this.world.region}:${this.world.account}:autoScalingGroup:${this.world.rng.uuid()}:autoScalingGroupName/${input.AutoScalingGroupName}`,
        minSize: input.MinSize,
        maxSize: input.MaxSize,
        desiredCapacity: desired,
        ...(input.LaunchTemplate ? { launchTemplate: structuredClone(input.LaunchTemplate) } : {}),
        ...(input.MixedInstancesPolicy ? { mixedInstancesPolicy: structuredClone(input.MixedInstancesPolicy) } : {}),
        ...(input.LaunchConfigurationName ? { launchConfigurationName: input.LaunchConfigurationName } : {}),
        subnets,
        newInstancesProtectedFromScaleIn: input.NewInstancesProtectedFromScaleIn ?? false,
        tags: (input.Tags ?? []).map((t) => ({ Key: t.Key, Value: t.Value ?? '', PropagateAtLaunch: t.PropagateAtLaunch ?? false })),
        instances: new Map(),
        hooks: (input.LifecycleHookSpecificationList ?? []).map((h) => this.hook(input.AutoScalingGroupName, h)),
        createdTime: this.world.clock.now(),
        suspended: new Map(),
      };
      this.checkLaunchable(group);
      this.groups.set(group.name, group);
      this.schedule(group);
      return {};
    },

    DescribeAutoScalingGroups: (input: { AutoScalingGroupNames?: string[]; Filters?: { Name?: string; Values?: string[] }[]; MaxRecords?: number; NextToken?: string }) => {
      if (input.MaxRecords !== undefined && (input.MaxRecords < 1 || input.MaxRecords > 100)) throw validation(`1 validation error detected: Value '${input.MaxRecords}' at 'maxRecords' failed to satisfy constraint: Member must have value less than or equal to 100`);
      // Unknown names are not an error: they are just absent from the answer.
      let list = [...this.groups.values()].filter((g) => !input.AutoScalingGroupNames?.length || input.AutoScalingGroupNames.includes(g.name));
      for (const f of input.Filters ?? []) {
        const values = f.Values ?? [];
        if (f.Name === 'tag-key') list = list.filter((g) => g.tags.some((t) => values.includes(t.Key)));
        else if (f.Name === 'tag-value') list = list.filter((g) => g.tags.some((t) => values.includes(t.Value)));
        else if (f.Name?.startsWith('tag:')) list = list.filter((g) => g.tags.some((t) => t.Key === f.Name!.slice(4) && values.includes(t.Value)));
        else throw validation(`Filter name '${f.Name}' is invalid`);
      }
      const size = input.MaxRecords ?? 50;
      const start = input.NextToken ? Number(input.NextToken) : 0;
      if (!Number.isInteger(start) || start < 0) throw awsError('InvalidNextToken', 'The token is not valid');
      const items = list.slice(start, start + size);
      return {
        AutoScalingGroups: items.map((g) => this.describeGroup(g)),
        ...(start + size < list.length ? { NextToken: String(start + size) } : {}),
      };
    },

    UpdateAutoScalingGroup: (input: { AutoScalingGroupName: string; MinSize?: number; MaxSize?: number; DesiredCapacity?: number; LaunchTemplate?: LaunchTemplateRef; MixedInstancesPolicy?: MixedInstancesPolicy; NewInstancesProtectedFromScaleIn?: boolean }) => {
      const group = this.group(input.AutoScalingGroupName);
      const min = input.MinSize ?? group.minSize;
      const max = input.MaxSize ?? group.maxSize;
      // Without a DesiredCapacity AWS pulls the desired capacity into the new bounds.
      const desired = input.DesiredCapacity ?? Math.min(max, Math.max(min, group.desiredCapacity));
      this.checkBounds(min, max, desired);
      if (input.LaunchTemplate && group.mixedInstancesPolicy) throw validation('You cannot use a LaunchTemplate with a MixedInstancesPolicy. Update the MixedInstancesPolicy instead.');
      const template = input.LaunchTemplate ?? input.MixedInstancesPolicy?.LaunchTemplate?.LaunchTemplateSpecification;
      if (template) this.resolveTemplate(template);
      const before = { launchTemplate: group.launchTemplate, mixedInstancesPolicy: group.mixedInstancesPolicy, launchConfigurationName: group.launchConfigurationName };
      if (input.LaunchTemplate) {
        group.launchTemplate = structuredClone(input.LaunchTemplate);
        delete group.launchConfigurationName;
      }
      if (input.MixedInstancesPolicy) {
        const current = group.mixedInstancesPolicy ?? {};
        group.mixedInstancesPolicy = {
          ...current,
          ...structuredClone(input.MixedInstancesPolicy),
          LaunchTemplate: { ...current.LaunchTemplate, ...structuredClone(input.MixedInstancesPolicy.LaunchTemplate) },
        };
        delete group.launchTemplate;
        delete group.launchConfigurationName;
      }
      try {
        if (input.LaunchTemplate || input.MixedInstancesPolicy) this.checkLaunchable(group);
      } catch (error) {
        Object.assign(group, before);
        throw error;
      }
      if (input.NewInstancesProtectedFromScaleIn !== undefined) group.newInstancesProtectedFromScaleIn = input.NewInstancesProtectedFromScaleIn;
      group.minSize = min;
      group.maxSize = max;
      group.desiredCapacity = desired;
      this.schedule(group);
      return {};
    },

    SetDesiredCapacity: (input: { AutoScalingGroupName: string; DesiredCapacity: number; HonorCooldown?: boolean }) => {
      const group = this.group(input.AutoScalingGroupName);
      if (input.DesiredCapacity > group.maxSize) throw validation(`New SetDesiredCapacity value ${input.DesiredCapacity} is above max value ${group.maxSize} for the AutoScalingGroup.`);
      if (input.DesiredCapacity < group.minSize) throw validation(`New SetDesiredCapacity value ${input.DesiredCapacity} is below min value ${group.minSize} for the AutoScalingGroup.`);
      group.desiredCapacity = input.DesiredCapacity;
      this.schedule(group);
      return {};
    },

    TerminateInstanceInAutoScalingGroup: (input: { InstanceId: string; ShouldDecrementDesiredCapacity: boolean }) => {
      const group = this.groupOf(input.InstanceId);
      const member = group?.instances.get(input.InstanceId);
      if (!group || !member || member.lifecycleState === 'Terminated') throw validation(`Instance Id not found - No managed instance found for instance ID: ${input.InstanceId}`);
      const terminating = member.lifecycleState === 'Terminating' || member.lifecycleState === 'Terminating:Wait';
      if (!terminating && input.ShouldDecrementDesiredCapacity) {
        if (group.desiredCapacity - 1 < group.minSize) {
          throw validation(
            `Currently, desiredSize equals minSize (${group.minSize}). Terminating instance without replacement will violate group's min size constraint. Either set shouldDecrementDesiredCapacity flag to false or lower group's min size.`,
          );
        }
        group.desiredCapacity -= 1;
      }
      // Scale-in protection does not apply here: this call names the instance.
      if (!terminating) this.beginTermination(group, member, input.ShouldDecrementDesiredCapacity ? 'TerminateInstanceInAutoScalingGroup (capacity decremented)' : 'TerminateInstanceInAutoScalingGroup');
      if (!input.ShouldDecrementDesiredCapacity) this.schedule(group);
      return { Activity: this.activity(group, `Terminating EC2 instance: ${input.InstanceId}`) };
    },

    SetInstanceProtection: (input: { InstanceIds: string[]; AutoScalingGroupName: string; ProtectedFromScaleIn: boolean }) => {
      const group = this.group(input.AutoScalingGroupName);
      if (input.InstanceIds.length > 50) throw validation('The number of instances exceeds the maximum of 50');
      for (const id of input.InstanceIds) {
        if (!group.instances.has(id)) throw validation(`The instance ${id} is not part of Auto Scaling group ${group.name}.`);
      }
      for (const id of input.InstanceIds) group.instances.get(id)!.protectedFromScaleIn = input.ProtectedFromScaleIn;
      this.schedule(group);
      return {};
    },

    DescribeLifecycleHooks: (input: { AutoScalingGroupName: string; LifecycleHookNames?: string[] }) => {
      const group = this.group(input.AutoScalingGroupName);
      const hooks = group.hooks.filter((h) => !input.LifecycleHookNames?.length || input.LifecycleHookNames.includes(h.LifecycleHookName));
      return { LifecycleHooks: structuredClone(hooks) };
    },

    PutLifecycleHook: (input: { AutoScalingGroupName: string; LifecycleHookName: string; LifecycleTransition?: string; HeartbeatTimeout?: number; DefaultResult?: string }) => {
      const group = this.group(input.AutoScalingGroupName);
      const existing = group.hooks.find((h) => h.LifecycleHookName === input.LifecycleHookName);
      if (!existing && !input.LifecycleTransition) throw validation('LifecycleTransition is required when creating a lifecycle hook');
      const hook = this.hook(group.name, { ...existing, ...input, LifecycleTransition: input.LifecycleTransition ?? existing!.LifecycleTransition });
      group.hooks = [...group.hooks.filter((h) => h.LifecycleHookName !== hook.LifecycleHookName), hook];
      return {};
    },

    CreateOrUpdateTags: (input: { Tags: { ResourceId?: string; ResourceType?: string; Key: string; Value?: string; PropagateAtLaunch?: boolean }[] }) => {
      for (const t of input.Tags) {
        if (t.ResourceType !== 'auto-scaling-group') throw validation(`1 validation error detected: Value '${t.ResourceType}' at 'tags.member.resourceType' failed to satisfy constraint: Member must be auto-scaling-group`);
        this.group(t.ResourceId ?? '');
        if (t.Key.length > 128 || (t.Value ?? '').length > 256) throw validation(`Tag key or value too long: ${t.Key}`);
        if (t.Key.startsWith('aws:')) throw validation('Tag keys starting with aws: are reserved');
      }
      for (const t of input.Tags) {
        const group = this.group(t.ResourceId!);
        const existing = group.tags.find((x) => x.Key === t.Key);
        if (group.tags.length >= 50 && !existing) throw awsError('LimitExceeded', `The number of tags on ${group.name} exceeds the limit of 50`);
        const tag = { Key: t.Key, Value: t.Value ?? '', PropagateAtLaunch: t.PropagateAtLaunch ?? false };
        group.tags = [...group.tags.filter((x) => x.Key !== t.Key), tag];
      }
      return {};
    },

    DeleteTags: (input: { Tags: { ResourceId?: string; ResourceType?: string; Key: string; Value?: string }[] }) => {
      for (const t of input.Tags) {
        const group = this.group(t.ResourceId ?? '');
        // AWS deletes the tag when the value matches, or whatever its value when none is given.
        group.tags = group.tags.filter((x) => x.Key !== t.Key || (t.Value !== undefined && t.Value !== x.Value));
      }
      return {};
    },

    SuspendProcesses: (input: { AutoScalingGroupName: string; ScalingProcesses?: string[] }) => {
      const group = this.group(input.AutoScalingGroupName);
      const names = processNames(input.ScalingProcesses);
      for (const n of names) if (!group.suspended.has(n)) group.suspended.set(n, `User suspended at ${new Date(this.world.clock.now()).toISOString()}`);
      return {};
    },

    ResumeProcesses: (input: { AutoScalingGroupName: string; ScalingProcesses?: string[] }) => {
      const group = this.group(input.AutoScalingGroupName);
      for (const n of processNames(input.ScalingProcesses)) group.suspended.delete(n);
      this.schedule(group);
      return {};
    },
  };

  // ---- internals ------------------------------------------------------------------------

  private group(name: string): SimGroup {
    const group = this.groups.get(name);
    if (!group) throw validation(`AutoScalingGroup name not found - AutoScalingGroup '${name}' not found`);
    return group;
  }

  private checkBounds(min: number, max: number, desired: number): void {
    if (min > max) throw validation(`Max bound, ${max}, must be greater than or equal to min bound, ${min}`);
    if (desired < min || desired > max) throw validation(`Desired capacity:${desired} must be between the specified min size:${min} and max size:${max}`);
  }

  private hook(group: string, h: { LifecycleHookName: string; LifecycleTransition: string; HeartbeatTimeout?: number; DefaultResult?: string }): LifecycleHook {
    if (!['autoscaling:EC2_INSTANCE_LAUNCHING', 'autoscaling:EC2_INSTANCE_TERMINATING'].includes(h.LifecycleTransition)) throw validation(`Invalid Lifecycle Transition: ${h.LifecycleTransition}`);
    const timeout = h.HeartbeatTimeout ?? 3600;
    if (timeout < 30 || timeout > 7200) throw validation('HeartbeatTimeout must be between 30 and 7200 seconds');
    return {
      LifecycleHookName: h.LifecycleHookName,
      AutoScalingGroupName: group,
      LifecycleTransition: h.LifecycleTransition as LifecycleHook['LifecycleTransition'],
      HeartbeatTimeout: timeout,
      DefaultResult: (h.DefaultResult ?? 'ABANDON') as LifecycleHook['DefaultResult'],
      GlobalTimeout: Math.min(172_800, timeout * 100),
    };
  }

  private resolveTemplate(ref: LaunchTemplateRef): { id: string; name: string; version: number; data: Record<string, unknown> } {
    if (!ref.LaunchTemplateId && !ref.LaunchTemplateName) throw validation('You must specify a launch template ID or name');
    let lt;
    try {
      lt = this.world.ec2.findTemplate(ref.LaunchTemplateId, ref.LaunchTemplateName);
    } catch {
      throw validation(`You must use a valid fully-formed launch template. The specified launch template, with template ${ref.LaunchTemplateId ? 'ID' : 'name'} ${ref.LaunchTemplateId ?? ref.LaunchTemplateName}, does not exist.`);
    }
    try {
      const v = this.world.ec2.templateVersion(lt, ref.Version ?? '$Default');
      return { id: lt.id, name: lt.name, version: v.number, data: v.data };
    } catch {
      throw validation(`You must use a valid fully-formed launch template. The specified launch template version ${ref.Version} of ${lt.id} does not exist.`);
    }
  }

  /** Where the group's next instance comes from: its template (or configuration), instance types and subnets. */
  private launchPlan(group: SimGroup): { options: LaunchOption[]; template?: { id: string; name: string; version: string } } {
    if (group.launchConfigurationName) {
      const lc = this.launchConfigurations.get(group.launchConfigurationName)!;
      return {
        options: group.subnets.map((subnetId) => ({
          instanceType: lc.instanceType,
          imageId: lc.imageId,
          subnetId,
          az: this.world.ec2.subnets.get(subnetId) ?? `${this.world.region}a`,
          weight: 1,
          userData: decodeB64(lc.userData),
          priority: 0,
          tags: [],
        })),
      };
    }
    const ref = group.launchTemplate ?? group.mixedInstancesPolicy!.LaunchTemplate!.LaunchTemplateSpecification!;
    const resolved = this.resolveTemplate(ref);
    const types = group.mixedInstancesPolicy?.LaunchTemplate?.Overrides?.map((o) => o.InstanceType).filter((t): t is string => Boolean(t));
    const overrides = (types?.length ? types : [undefined]).flatMap((InstanceType) => group.subnets.map((SubnetId) => ({ ...(InstanceType ? { InstanceType } : {}), SubnetId })));
    const options = this.world.ec2.launchOptions({
      LaunchTemplateConfigs: [{ LaunchTemplateSpecification: { LaunchTemplateId: resolved.id, Version: String(resolved.version) }, Overrides: overrides }],
    });
    return { options, template: { id: resolved.id, name: resolved.name, version: String(resolved.version) } };
  }

  /** AWS refuses a group whose template or overrides name an instance type it does not offer. */
  private checkLaunchable(group: SimGroup): void {
    try {
      this.launchPlan(group);
    } catch (error) {
      throw validation(`You must use a valid fully-formed launch template. ${(error as Error).message}`);
    }
  }

  private schedule(group: SimGroup): void {
    this.world.clock.after(this.world.rng.between(...this.behaviour.reactSeconds), `asg ${group.name}`, () => this.reconcile(group));
  }

  /** Launches or terminates (unprotected instances only) until the group holds its desired capacity. */
  reconcile(group: SimGroup): void {
    if (!this.groups.has(group.name)) return;
    const live = this.liveInstances(group);
    if (live.length < group.desiredCapacity && !group.suspended.has('Launch')) {
      const { options, template } = this.launchPlan(group);
      const usable = options.filter((o) => this.world.ec2.images.has(o.imageId) && !this.world.ec2.behaviour.noCapacityTypes.has(o.instanceType));
      if (usable.length === 0) {
        this.world.clock.after(60, `asg retry ${group.name}`, () => this.reconcile(group));
        return;
      }
      for (let n = live.length; n < group.desiredCapacity; n++) this.launch(group, this.balanced(group, usable), template);
    } else if (live.length > group.desiredCapacity && !group.suspended.has('Terminate')) {
      for (const victim of this.scaleInVictims(group).slice(0, live.length - group.desiredCapacity)) this.beginTermination(group, victim, 'scale-in');
    }
  }

  /** The option in the least-used availability zone (Auto Scaling balances across its zones). */
  private balanced(group: SimGroup, options: LaunchOption[]): LaunchOption {
    const perAz = new Map<string, number>();
    for (const m of this.liveInstances(group)) {
      const az = this.world.ec2.instances.get(m.id)?.az ?? '';
      perAz.set(az, (perAz.get(az) ?? 0) + 1);
    }
    return [...options].sort((a, b) => (perAz.get(a.az) ?? 0) - (perAz.get(b.az) ?? 0))[0];
  }

  /**
   * The default termination policy: never a protected instance; the zone with the most
   * instances first, then instances not on the group's current template version, then the oldest.
   */
  private scaleInVictims(group: SimGroup): AsgInstance[] {
    const current = group.launchConfigurationName ? undefined : this.currentTemplateVersion(group);
    const candidates = this.liveInstances(group).filter((m) => !m.protectedFromScaleIn);
    const out: AsgInstance[] = [];
    const remaining = [...candidates];
    while (remaining.length) {
      const perAz = new Map<string, AsgInstance[]>();
      for (const m of remaining) {
        const az = this.world.ec2.instances.get(m.id)?.az ?? '';
        perAz.set(az, [...(perAz.get(az) ?? []), m]);
      }
      const pool = [...perAz.values()].sort((a, b) => b.length - a.length)[0];
      const launch = (m: AsgInstance) => this.world.ec2.instances.get(m.id)?.launchTime ?? 0;
      const stale = (m: AsgInstance) => (current && m.launchTemplate?.version !== current ? 0 : 1);
      const victim = [...pool].sort((a, b) => stale(a) - stale(b) || launch(a) - launch(b))[0];
      out.push(victim);
      remaining.splice(remaining.indexOf(victim), 1);
    }
    return out;
  }

  private currentTemplateVersion(group: SimGroup): string | undefined {
    try {
      return String(this.resolveTemplate(group.launchTemplate ?? group.mixedInstancesPolicy!.LaunchTemplate!.LaunchTemplateSpecification!).version);
    } catch {
      return undefined;
    }
  }

  private launch(group: SimGroup, option: LaunchOption, template?: { id: string; name: string; version: string }): void {
    const tags: Record<string, string> = { [GROUP_TAG]: group.name };
    for (const t of group.tags) if (t.PropagateAtLaunch) tags[t.Key] = t.Value;
    const launchHook = group.hooks.find((h) => h.LifecycleTransition === 'autoscaling:EC2_INSTANCE_LAUNCHING');
    this.world.ec2.launchInstance(option, tags, { spot: false }, (instance) => {
      const member: AsgInstance = {
        id: instance.id,
        lifecycleState: launchHook ? 'Pending:Wait' : 'Pending',
        protectedFromScaleIn: group.newInstancesProtectedFromScaleIn,
        ...(template ? { launchTemplate: template } : {}),
        ...(group.launchConfigurationName ? { launchConfigurationName: group.launchConfigurationName } : {}),
      };
      group.instances.set(instance.id, member);
      // Nobody completes the lifecycle action in the simulator: the hook times out and its default result applies.
      const inService = launchHook ? launchHook.HeartbeatTimeout : this.world.ec2.behaviour.bootSeconds[1];
      this.world.clock.after(inService, `asg in service ${instance.id}`, () => {
        if (member.lifecycleState !== 'Pending' && member.lifecycleState !== 'Pending:Wait') return;
        if (launchHook?.DefaultResult === 'ABANDON') {
          this.beginTermination(group, member, 'launch lifecycle hook abandoned');
          this.schedule(group);
          return;
        }
        member.lifecycleState = 'InService';
      });
    });
  }

  /** Terminating (after the termination hook's heartbeat timeout, when the group has one), then gone. */
  private beginTermination(group: SimGroup, member: AsgInstance, reason: string): void {
    const hook = group.hooks.find((h) => h.LifecycleTransition === 'autoscaling:EC2_INSTANCE_TERMINATING');
    member.lifecycleState = hook ? 'Terminating:Wait' : 'Terminating';
    const terminate = () => {
      member.lifecycleState = 'Terminating';
      this.world.ec2.terminate(member.id, `auto scaling group ${group.name}: ${reason}`);
      this.world.clock.after(this.world.ec2.behaviour.shutdownSeconds[1] + 1, `asg forget ${member.id}`, () => group.instances.delete(member.id));
    };
    if (hook) this.world.clock.after(hook.HeartbeatTimeout, `asg termination hook ${member.id}`, terminate);
    else terminate();
  }

  private activity(group: SimGroup, description: string) {
    return {
      ActivityId: this.world.rng.uuid(),
      AutoScalingGroupName: group.name,
      Description: description,
      Cause: `At ${new Date(this.world.clock.now()).toISOString()} instance was taken out of service in response to a user request.`,
      StartTime: new Date(this.world.clock.now()),
      StatusCode: 'InProgress',
      Progress: 0,
    };
  }

  private describeGroup(g: SimGroup) {
    return {
      AutoScalingGroupName: g.name,
      AutoScalingGroupARN: g.arn,
      MinSize: g.minSize,
      MaxSize: g.maxSize,
      DesiredCapacity: g.desiredCapacity,
      DefaultCooldown: 300,
      AvailabilityZones: [...new Set(g.subnets.map((s) => this.world.ec2.subnets.get(s) ?? ''))],
      VPCZoneIdentifier: g.subnets.join(','),
      HealthCheckType: 'EC2',
      HealthCheckGracePeriod: 300,
      CreatedTime: new Date(g.createdTime),
      NewInstancesProtectedFromScaleIn: g.newInstancesProtectedFromScaleIn,
      TerminationPolicies: ['Default'],
      ...(g.launchTemplate ? { LaunchTemplate: this.describeTemplateRef(g.launchTemplate) } : {}),
      ...(g.mixedInstancesPolicy
        ? {
            MixedInstancesPolicy: {
              ...structuredClone(g.mixedInstancesPolicy),
              LaunchTemplate: { ...structuredClone(g.mixedInstancesPolicy.LaunchTemplate), LaunchTemplateSpecification: this.describeTemplateRef(g.mixedInstancesPolicy.LaunchTemplate!.LaunchTemplateSpecification!) },
            },
          }
        : {}),
      ...(g.launchConfigurationName ? { LaunchConfigurationName: g.launchConfigurationName } : {}),
      Instances: [...g.instances.values()].map((m) => {
        const i = this.world.ec2.instances.get(m.id);
        return {
          InstanceId: m.id,
          InstanceType: i?.type,
          AvailabilityZone: i?.az ?? '',
          LifecycleState: m.lifecycleState,
          HealthStatus: 'Healthy',
          ProtectedFromScaleIn: m.protectedFromScaleIn,
          ...(m.launchTemplate ? { LaunchTemplate: { LaunchTemplateId: m.launchTemplate.id, LaunchTemplateName: m.launchTemplate.name, Version: m.launchTemplate.version } } : {}),
          ...(m.launchConfigurationName ? { LaunchConfigurationName: m.launchConfigurationName } : {}),
        };
      }),
      Tags: g.tags.map((t) => ({ ResourceId: g.name, ResourceType: 'auto-scaling-group', ...t })),
      SuspendedProcesses: [...g.suspended].map(([ProcessName, SuspensionReason]) => ({ ProcessName, SuspensionReason })),
      ...(g.status ? { Status: g.status } : {}),
    };
  }

  /** A group's template as AWS echoes it: id and name both filled in, the version as given. */
  private describeTemplateRef(ref: LaunchTemplateRef) {
    const lt = [...this.world.ec2.launchTemplates.values()].find((t) => (ref.LaunchTemplateId ? t.id === ref.LaunchTemplateId : t.name === ref.LaunchTemplateName));
    return { LaunchTemplateId: lt?.id ?? ref.LaunchTemplateId, LaunchTemplateName: lt?.name ?? ref.LaunchTemplateName, Version: ref.Version ?? '$Default' };
  }
}
