import * as z from 'zod';
import { InvalidInputError } from '../lib/errors';

/** Defaults a console user gets when they leave a field out. */
export const ROLLOVER_DEFAULTS = {
  amiParameter: '/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended',
  drain: { batchPercent: 100, timeoutSeconds: 1800, standaloneTasks: 'wait' as const },
  replacementTimeoutSeconds: 900,
  pollSeconds: 30,
};

const CLUSTER_NAME = /^[A-Za-z0-9_-]{1,255}$/;
const CLUSTER_ARN = /^arn:aws[a-z-]*:ecs:[a-z0-9-]+:\d{12}:cluster\/[A-Za-z0-9_-]{1,255}$/;
export const AMI_ID = /^ami-([0-9a-f]{8}|[0-9a-f]{17})$/;
const SSM_PARAMETER = /^\/[A-Za-z0-9_.\-/]{1,2047}$/;
export const FLEET_ID = /^sfr-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export const clusterField = z
  .string()
  .refine((v) => CLUSTER_NAME.test(v) || CLUSTER_ARN.test(v), {
    message: 'must be a cluster name (letters, digits, - and _, up to 255) or a cluster ARN',
  })
  .transform((v) => (v.startsWith('arn:') ? v.slice(v.indexOf('/') + 1) : v));

export const rolloverInputSchema = z
  .strictObject({
    cluster: clusterField,
    amiId: z.string().regex(AMI_ID, 'must look like ami-0123456789abcdef0').optional(),
    amiParameter: z.string().regex(SSM_PARAMETER, 'must be an SSM parameter name such as /aws/service/ecs/optimized-ami/amazon-linux-2023/recommended').optional(),
    fleetIds: z
      .array(z.string().regex(FLEET_ID, 'must look like sfr-12345678-1234-1234-1234-123456789012'))
      .min(1)
      .max(100)
      .refine((ids) => new Set(ids).size === ids.length, { message: 'must not repeat a fleet id' })
      .optional(),
    drain: z
      .strictObject({
        batchPercent: z.number().int().min(1).max(100).optional(),
        timeoutSeconds: z.number().int().min(60).max(86_400).optional(),
        standaloneTasks: z.enum(['wait', 'stop']).optional(),
      })
      .optional(),
    replacementTimeoutSeconds: z.number().int().min(60).max(7_200).optional(),
    pollSeconds: z.number().int().min(5).max(300).optional(),
    /** Plan only: discovery and checks run, nothing is created, drained or cancelled; the output is the plan. */
    dryRun: z.boolean().optional(),
  })
  .refine((v) => !(v.amiId && v.amiParameter), { message: 'give either amiId or amiParameter, not both', path: ['amiId'] });

export type RolloverInput = z.input<typeof rolloverInputSchema>;

/** The request after validation, with every default filled in: what the rest of the workflow reads. */
export interface RolloverRequest {
  cluster: string;
  amiId?: string;
  amiParameter: string;
  fleetIds?: string[];
  drain: { batchPercent: number; timeoutSeconds: number; standaloneTasks: 'wait' | 'stop' };
  replacementTimeoutSeconds: number;
  pollSeconds: number;
  /** Present (true) for a dry run only. */
  dryRun?: true;
}

/** Turns a zod failure into one line a console user can act on. */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => {
      const where = issue.path.length ? issue.path.join('.') : 'input';
      if (issue.code === 'unrecognized_keys') return `${where}: unknown field(s) ${issue.keys.map((k) => `'${k}'`).join(', ')}`;
      return `${where}: ${issue.message}`;
    })
    .join('; ');
}

export function parseRolloverInput(raw: unknown): RolloverRequest {
  const parsed = rolloverInputSchema.safeParse(raw);
  if (!parsed.success) throw new InvalidInputError(`Invalid rollover input: ${describeIssues(parsed.error)}`);
  const v = parsed.data;
  return {
    cluster: v.cluster,
    ...(v.amiId ? { amiId: v.amiId } : {}),
    amiParameter: v.amiParameter ?? ROLLOVER_DEFAULTS.amiParameter,
    ...(v.fleetIds ? { fleetIds: v.fleetIds } : {}),
    drain: {
      batchPercent: v.drain?.batchPercent ?? ROLLOVER_DEFAULTS.drain.batchPercent,
      timeoutSeconds: v.drain?.timeoutSeconds ?? ROLLOVER_DEFAULTS.drain.timeoutSeconds,
      standaloneTasks: v.drain?.standaloneTasks ?? ROLLOVER_DEFAULTS.drain.standaloneTasks,
    },
    replacementTimeoutSeconds: v.replacementTimeoutSeconds ?? ROLLOVER_DEFAULTS.replacementTimeoutSeconds,
    pollSeconds: v.pollSeconds ?? ROLLOVER_DEFAULTS.pollSeconds,
    ...(v.dryRun ? { dryRun: true as const } : {}),
  };
}
