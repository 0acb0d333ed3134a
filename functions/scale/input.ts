import * as z from 'zod';
import { InvalidInputError } from '../lib/errors';
import { jsonEnv } from '../lib/config';
import { FLEET_ID, clusterField, describeIssues } from '../rollover/input';

/** Defaults a console user gets when they leave a field out. */
export const SCALE_DEFAULTS = {
  step: 1,
  cooldownSeconds: 300,
};

/** Defaults of a cluster's scaling settings (SCALE_FLEETS), and of a cluster without any. */
export const FLEET_DEFAULTS = {
  headroomInstances: 1,
  /** The ServicesStable waiter polls every 15 s. */
  pollSeconds: 15,
  capacityTimeoutSeconds: 900,
  steadyTimeoutSeconds: 600,
  drain: { timeoutSeconds: 1800, standaloneTasks: 'wait' as const },
};

/** ECS: at most 5,000 tasks per service. */
const MAX_TASKS = 5000;
const NAME = /^[A-Za-z0-9_-]{1,255}$/;
/**
 * An Auto Scaling group name. AWS allows more characters; these are the ones a policy ARN can
 * carry without widening it (no `*`, `?`, `:` or space).
 */
export const GROUP_NAME = /^[A-Za-z0-9._+=@/-]{1,255}$/;
const SERVICE_ARN = /^arn:aws[a-z-]*:ecs:[a-z0-9-]+:\d{12}:service\/([A-Za-z0-9_-]{1,255}\/)?[A-Za-z0-9_-]{1,255}$/;

const serviceField = z
  .string()
  .refine((v) => NAME.test(v) || SERVICE_ARN.test(v), { message: 'must be a service name (letters, digits, - and _, up to 255) or a service ARN' })
  .transform((v) => (v.startsWith('arn:') ? v.slice(v.lastIndexOf('/') + 1) : v));

const scaleShape = {
  cluster: clusterField,
  service: serviceField,
  direction: z.enum(['out', 'in'], { message: 'must be "out" or "in"' }),
  step: z.number().int().min(1).max(MAX_TASKS).optional(),
  min: z.number().int().min(0).max(MAX_TASKS),
  max: z.number().int().min(0).max(MAX_TASKS),
  cooldownSeconds: z.number().int().min(0).max(86_400).optional(),
};

const boundsInOrder = { check: (v: { min: number; max: number }) => v.min <= v.max, message: { message: 'min must not exceed max', path: ['min'] } };

export const scaleInputSchema = z.strictObject(scaleShape).refine(boundsInOrder.check, boundsInOrder.message);

export type ScaleInput = z.input<typeof scaleInputSchema>;

/**
 * A cluster's scaling settings, from the `scaleFleets` stage param: which Spot Fleet (`fleetId`)
 * or Auto Scaling group (`groupName`) backs it — found from its container instances when both are
 * left out —, its bounds (weighted capacity units of a fleet, instances of a group), the spare
 * instances a scale-in keeps, and the bounds of the waits.
 */
export const fleetSettingsSchema = z
  .strictObject({
    cluster: z.string().regex(NAME, 'must be a cluster name'),
    fleetId: z.string().regex(FLEET_ID, 'must look like sfr-12345678-1234-1234-1234-123456789012').optional(),
    groupName: z.string().regex(GROUP_NAME, 'must be an Auto Scaling group name (letters, digits and ._+=@/-, up to 255)').optional(),
    minCapacity: z.number().int().min(0).max(100_000),
    maxCapacity: z.number().int().min(1).max(100_000),
    headroomInstances: z.number().int().min(0).max(100).optional(),
    pollSeconds: z.number().int().min(5).max(300).optional(),
    capacityTimeoutSeconds: z.number().int().min(60).max(7_200).optional(),
    steadyTimeoutSeconds: z.number().int().min(60).max(7_200).optional(),
    drain: z
      .strictObject({
        timeoutSeconds: z.number().int().min(60).max(86_400).optional(),
        standaloneTasks: z.enum(['wait', 'stop']).optional(),
      })
      .optional(),
  })
  .refine((v) => v.minCapacity <= v.maxCapacity, { message: 'minCapacity must not exceed maxCapacity', path: ['minCapacity'] })
  .refine((v) => !(v.fleetId && v.groupName), { message: 'name a Spot Fleet (fleetId) or an Auto Scaling group (groupName), not both', path: ['groupName'] });

export type FleetSettings = z.infer<typeof fleetSettingsSchema>;

/** An alarm that scales a service (the `scaleAlarms` stage param): a scale input plus the alarm's name. */
export const alarmActionSchema = z
  .strictObject({ alarm: z.string().min(1).max(255), ...scaleShape })
  .refine(boundsInOrder.check, boundsInOrder.message);

export type AlarmAction = z.output<typeof alarmActionSchema>;

/** The request after validation, with the cluster's settings and every default filled in. */
export interface ScaleRequest {
  cluster: string;
  service: string;
  direction: 'out' | 'in';
  step: number;
  min: number;
  max: number;
  cooldownSeconds: number;
  /**
   * The capacity this workflow may grow and shrink: a Spot Fleet (bounds in weighted units) or an
   * Auto Scaling group (bounds in instances, within the group's own MinSize / MaxSize). Absent when
   * the cluster has no scaleFleets entry (then only the service is scaled).
   */
  fleet?: { fleetId?: string; groupName?: string; minCapacity: number; maxCapacity: number; headroomInstances: number };
  pollSeconds: number;
  capacityTimeoutSeconds: number;
  steadyTimeoutSeconds: number;
  drain: { timeoutSeconds: number; standaloneTasks: 'wait' | 'stop' };
}

export function parseScaleInput(raw: unknown, settings: FleetSettings[] = configuredFleets()): ScaleRequest {
  const parsed = scaleInputSchema.safeParse(raw);
  if (!parsed.success) throw new InvalidInputError(`Invalid scale input: ${describeIssues(parsed.error)}`);
  const v = parsed.data;
  const s = settings.find((f) => f.cluster === v.cluster);
  return {
    cluster: v.cluster,
    service: v.service,
    direction: v.direction,
    step: v.step ?? SCALE_DEFAULTS.step,
    min: v.min,
    max: v.max,
    cooldownSeconds: v.cooldownSeconds ?? SCALE_DEFAULTS.cooldownSeconds,
    ...(s
      ? {
          fleet: {
            ...(s.fleetId ? { fleetId: s.fleetId } : {}),
            ...(s.groupName ? { groupName: s.groupName } : {}),
            minCapacity: s.minCapacity,
            maxCapacity: s.maxCapacity,
            headroomInstances: s.headroomInstances ?? FLEET_DEFAULTS.headroomInstances,
          },
        }
      : {}),
    pollSeconds: s?.pollSeconds ?? FLEET_DEFAULTS.pollSeconds,
    capacityTimeoutSeconds: s?.capacityTimeoutSeconds ?? FLEET_DEFAULTS.capacityTimeoutSeconds,
    steadyTimeoutSeconds: s?.steadyTimeoutSeconds ?? FLEET_DEFAULTS.steadyTimeoutSeconds,
    drain: {
      timeoutSeconds: s?.drain?.timeoutSeconds ?? FLEET_DEFAULTS.drain.timeoutSeconds,
      standaloneTasks: s?.drain?.standaloneTasks ?? FLEET_DEFAULTS.drain.standaloneTasks,
    },
  };
}

/** SCALE_FLEETS: a JSON array of fleet settings, one per cluster (none by default). */
export function configuredFleets(): FleetSettings[] {
  const parsed = z.array(fleetSettingsSchema).safeParse(jsonEnv<unknown>('SCALE_FLEETS', []));
  if (!parsed.success) throw new InvalidInputError(`Environment variable SCALE_FLEETS: ${describeIssues(parsed.error)}`);
  const seen = new Set<string>();
  for (const [index, entry] of parsed.data.entries()) {
    if (seen.has(entry.cluster)) throw new InvalidInputError(`SCALE_FLEETS[${index}]: cluster '${entry.cluster}' is configured twice`);
    seen.add(entry.cluster);
  }
  return parsed.data;
}

/** SCALE_ALARMS: a JSON array of alarm actions (none by default). An alarm may scale several services. */
export function configuredAlarmActions(): AlarmAction[] {
  const parsed = z.array(alarmActionSchema).safeParse(jsonEnv<unknown>('SCALE_ALARMS', []));
  if (!parsed.success) throw new InvalidInputError(`Environment variable SCALE_ALARMS: ${describeIssues(parsed.error)}`);
  const seen = new Set<string>();
  for (const [index, a] of parsed.data.entries()) {
    const key = `${a.alarm}\u0000${a.cluster}\u0000${a.service}`;
    if (seen.has(key)) throw new InvalidInputError(`SCALE_ALARMS[${index}]: alarm '${a.alarm}' already scales ${a.cluster}/${a.service}`);
    seen.add(key);
  }
  return parsed.data;
}
