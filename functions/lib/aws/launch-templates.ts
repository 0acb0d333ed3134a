import { DescribeLaunchTemplateVersionsCommand, EC2Client, type LaunchTemplateConfig } from '@aws-sdk/client-ec2';
import { UnsupportedFleetError } from '../errors';

export interface TemplateVersionData {
  templateId: string;
  version: number;
  imageId?: string;
  instanceType?: string;
}

/** The launch template version a fleet's launch template config points at (`$Default` when it names none). */
export async function templateVersionData(ec2: EC2Client, ltc: LaunchTemplateConfig): Promise<TemplateVersionData> {
  const spec = ltc.LaunchTemplateSpecification;
  if (!spec?.LaunchTemplateId && !spec?.LaunchTemplateName) throw new UnsupportedFleetError('A launch template config names no launch template');
  const res = await ec2.send(
    new DescribeLaunchTemplateVersionsCommand({
      ...(spec.LaunchTemplateId ? { LaunchTemplateId: spec.LaunchTemplateId } : { LaunchTemplateName: spec.LaunchTemplateName }),
      Versions: [spec.Version ?? '$Default'],
    }),
  );
  const v = res.LaunchTemplateVersions?.[0];
  if (!v?.LaunchTemplateId || v.VersionNumber === undefined) throw new UnsupportedFleetError(`Launch template ${spec.LaunchTemplateId ?? spec.LaunchTemplateName} version ${spec.Version ?? '$Default'} not found`);
  return { templateId: v.LaunchTemplateId, version: v.VersionNumber, imageId: v.LaunchTemplateData?.ImageId, instanceType: v.LaunchTemplateData?.InstanceType };
}
