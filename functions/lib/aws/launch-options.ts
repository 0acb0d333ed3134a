import type { EC2Client, SpotFleetRequestConfigData } from '@aws-sdk/client-ec2';
import { UnsupportedFleetError } from '../errors';
import { templateVersionData } from './launch-templates';

export interface LaunchOption {
  instanceType: string;
  /** Weighted capacity units one instance of this option fills. */
  weight: number;
}

/** The (instance type, weight) pairs a fleet may launch: launch specifications, or launch template overrides. */
export async function launchOptions(ec2: EC2Client, config: SpotFleetRequestConfigData): Promise<LaunchOption[]> {
  const options: LaunchOption[] = [];
  for (const spec of config.LaunchSpecifications ?? []) {
    if (spec.InstanceType) options.push({ instanceType: spec.InstanceType, weight: spec.WeightedCapacity ?? 1 });
  }
  for (const ltc of config.LaunchTemplateConfigs ?? []) {
    const overrides = ltc.Overrides?.length ? ltc.Overrides : [{}];
    let templateType: string | undefined;
    for (const o of overrides) {
      if (!o.InstanceType && templateType === undefined) templateType = (await templateVersionData(ec2, ltc)).instanceType ?? '';
      const instanceType = o.InstanceType ?? templateType;
      if (!instanceType) throw new UnsupportedFleetError('A launch template config names no instance type (attribute-based instance selection is not supported)');
      options.push({ instanceType, weight: o.WeightedCapacity ?? 1 });
    }
  }
  const unique = new Map(options.map((o) => [`${o.instanceType}/${o.weight}`, o]));
  return [...unique.values()].sort((a, b) => a.instanceType.localeCompare(b.instanceType) || a.weight - b.weight);
}

/** The weight of an instance of this type; the largest when options disagree (a scale-in then never leaves the target above what stays, which would make the fleet launch again). */
export function weightOf(options: LaunchOption[], instanceType: string): number | undefined {
  const weights = options.filter((o) => o.instanceType === instanceType).map((o) => o.weight);
  return weights.length ? Math.max(...weights) : undefined;
}
