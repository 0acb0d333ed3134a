import {
  CreateLaunchTemplateVersionCommand,
  EC2Client,
  type LaunchTemplateConfig,
  type SpotFleetRequestConfigData,
  type Tag,
} from '@aws-sdk/client-ec2';
import { createHash } from 'node:crypto';
import { UnsupportedFleetError } from '../lib/errors';
import { templateVersionData } from '../lib/aws/launch-templates';

/** The AMIs a fleet's configuration launches (launch specifications, or its launch template versions). */
export async function configuredImages(ec2: EC2Client, config: SpotFleetRequestConfigData): Promise<string[]> {
  const images = new Set<string>();
  for (const spec of config.LaunchSpecifications ?? []) if (spec.ImageId) images.add(spec.ImageId);
  for (const ltc of config.LaunchTemplateConfigs ?? []) {
    const data = await templateVersionData(ec2, ltc);
    if (data.imageId) images.add(data.imageId);
  }
  return [...images];
}

/** Output-only or one-shot members of a described fleet config that a new request must not carry. */
const NOT_CLONED = ['FulfilledCapacity', 'OnDemandFulfilledCapacity', 'ClientToken', 'ValidFrom'] as const;

/** A deterministic ClientToken (≤ 64 ASCII characters): a retried step gets the same fleet back. */
export function clientToken(...parts: string[]): string {
  return `efo-${createHash('sha256').update(parts.join('|')).digest('hex').slice(0, 60)}`;
}

/**
 * The configuration of a replacement fleet: the old one with the new AMI — swapped in each launch
 * specification, or through a new version of each launch template (a fleet override cannot carry
 * an image). Everything else is kept: role, allocation strategy, types, weights, subnets, user
 * data, tags, and the current target capacity.
 */
export async function replacementConfig(
  ec2: EC2Client,
  old: SpotFleetRequestConfigData,
  oldTags: Tag[],
  options: { imageId: string; token: string; tags: Tag[]; now: number },
): Promise<SpotFleetRequestConfigData> {
  const config: SpotFleetRequestConfigData = structuredClone(old);
  for (const key of NOT_CLONED) delete (config as unknown as Record<string, unknown>)[key];
  if (config.ValidUntil && config.ValidUntil.getTime() <= options.now) delete config.ValidUntil;

  if (config.LaunchSpecifications?.length) {
    config.LaunchSpecifications = config.LaunchSpecifications.map((spec) => ({ ...spec, ImageId: options.imageId }));
  }
  if (config.LaunchTemplateConfigs?.length) {
    const versions = new Map<string, string>();
    const configs: LaunchTemplateConfig[] = [];
    for (const ltc of config.LaunchTemplateConfigs) {
      const source = await templateVersionData(ec2, ltc);
      const key = `${source.templateId}:${source.version}`;
      if (!versions.has(key)) {
        const created = await ec2.send(
          new CreateLaunchTemplateVersionCommand({
            LaunchTemplateId: source.templateId,
            SourceVersion: String(source.version),
            VersionDescription: `ecs-fleet-ops: ${options.imageId} (from version ${source.version})`,
            LaunchTemplateData: { ImageId: options.imageId },
            ClientToken: clientToken(options.token, key),
          }),
        );
        const number = created.LaunchTemplateVersion?.VersionNumber;
        if (number === undefined) throw new UnsupportedFleetError(`Could not create a new version of launch template ${source.templateId}`);
        versions.set(key, String(number));
      }
      configs.push({
        ...ltc,
        LaunchTemplateSpecification: { LaunchTemplateId: source.templateId, Version: versions.get(key) },
      });
    }
    config.LaunchTemplateConfigs = configs;
  }

  const userTags = oldTags.filter((t) => t.Key && !t.Key.startsWith('aws:') && !options.tags.some((o) => o.Key === t.Key));
  const otherSpecs = (config.TagSpecifications ?? []).filter((s) => s.ResourceType !== 'spot-fleet-request');
  config.TagSpecifications = [...otherSpecs, { ResourceType: 'spot-fleet-request', Tags: [...userTags, ...options.tags] }];
  config.ClientToken = options.token;
  return config;
}
