import * as z from 'zod';
import { AMI_ID, describeIssues } from '../rollover/input';

/**
 * The body AWS publishes on the ECS-optimized AMI update topic, reduced to what we read. Plain
 * `z.object` drops unknown keys: the real messages have gained fields over the years.
 */
const amiUpdateMessageSchema = z.object({
  ECSAmis: z.array(
    z.object({
      ReleaseVersion: z.string().optional(),
      OsType: z.string().optional(),
      OperatingSystemName: z.string().optional(),
      Regions: z.record(
        z.string(),
        z.object({
          Name: z.string().optional(),
          ImageId: z.string().regex(AMI_ID, 'must look like ami-0123456789abcdef0'),
        }),
      ),
    }),
  ),
});

export interface AnnouncedAmi {
  imageId: string;
  name?: string;
  releaseVersion?: string;
  operatingSystem?: string;
}

export type ReadAnnouncement = { ok: true; amis: AnnouncedAmi[] } | { ok: false; problem: string };

/** The AMIs an SNS message announces for `region`, or what is wrong with the message. */
export function readAnnouncement(message: unknown, region: string): ReadAnnouncement {
  if (typeof message !== 'string') return { ok: false, problem: `Sns.Message is ${typeof message}, not a string` };

  let body: unknown;
  try {
    body = JSON.parse(message);
  } catch {
    return { ok: false, problem: 'Sns.Message is not JSON' };
  }
  const parsed = amiUpdateMessageSchema.safeParse(body);
  if (!parsed.success) return { ok: false, problem: `unexpected message shape: ${describeIssues(parsed.error).slice(0, 300)}` };

  const amis = parsed.data.ECSAmis.flatMap(({ Regions, ReleaseVersion, OperatingSystemName }) => {
    const here = Regions[region];
    return here ? [{ imageId: here.ImageId, name: here.Name, releaseVersion: ReleaseVersion, operatingSystem: OperatingSystemName }] : [];
  });
  return { ok: true, amis };
}
