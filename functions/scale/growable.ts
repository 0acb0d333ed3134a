import type { EC2Client } from '@aws-sdk/client-ec2';
import { launchOptions, weightOf, type LaunchOption } from '../lib/aws/launch-options';
import type { CapacitySource } from './capacity-source';
import { groupInstanceTypes } from './group';
import type { ScaleRequest } from './input';
import type { CapacityPlan } from './state';

/** A capacity source as a scale-out sees it: what it launches, where it stands, how far it may grow. */
export interface Growable {
  /** "fleet sfr-…" or "Auto Scaling group …", for messages. */
  label: string;
  unit: 'units' | 'instances';
  /** Instance types it launches, with the capacity units one instance fills (1 in a group). */
  options: LaunchOption[];
  /** Its capacity now: the fleet's target (weighted units), the group's desired capacity (instances). */
  from: number;
  /** How far it may grow: the configured maximum, and a group's own MaxSize (never raised for a scaling). */
  ceiling: number;
  /** The ceiling as a plan message says it: "its maximum of 12 units". */
  ceilingText: string;
  /** The same after "capped by": "the fleet maximum of 12 units". */
  cappedText: string;
  capacity(to: number): CapacityPlan;
}

export async function growable(ec2: EC2Client, source: CapacitySource, settings: NonNullable<ScaleRequest['fleet']>): Promise<Growable> {
  if (source.kind === 'fleet') {
    const fleetId = source.fleet.SpotFleetRequestId!;
    const config = source.fleet.SpotFleetRequestConfig!;
    const options = await launchOptions(ec2, config);
    const weights = Object.fromEntries(options.map((o) => [o.instanceType, weightOf(options, o.instanceType)!]));
    const fromTarget = config.TargetCapacity ?? 0;
    return {
      label: `fleet ${fleetId}`,
      unit: 'units',
      options,
      from: fromTarget,
      ceiling: settings.maxCapacity,
      ceilingText: `its maximum of ${settings.maxCapacity} units`,
      cappedText: `the fleet maximum of ${settings.maxCapacity} units`,
      capacity: (toTarget) => ({ fleetId, fromTarget, toTarget, weights }),
    };
  }
  const group = source.group;
  const groupName = group.AutoScalingGroupName!;
  const maxSize = group.MaxSize ?? 0;
  const fromDesired = group.DesiredCapacity ?? 0;
  const ownMax = maxSize <= settings.maxCapacity;
  return {
    label: `Auto Scaling group ${groupName}`,
    unit: 'instances',
    options: (await groupInstanceTypes(ec2, group)).map((instanceType) => ({ instanceType, weight: 1 })),
    from: fromDesired,
    ceiling: Math.min(maxSize, settings.maxCapacity),
    ceilingText: ownMax ? `its max size of ${maxSize} instances` : `its configured maximum of ${settings.maxCapacity} instances (scaleFleets)`,
    cappedText: ownMax ? `the group's max size of ${maxSize} instances (not raised for a scaling)` : `the configured maximum of ${settings.maxCapacity} instances (scaleFleets)`,
    capacity: (toDesired) => ({ groupName, fromDesired, toDesired }),
  };
}
