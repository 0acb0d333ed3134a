import * as z from 'zod';
import { InvalidInputError } from './errors';
import { jsonEnv } from './config';
import { describeIssues, FLEET_ID } from '../rollover/input';

/**
 * Which instances belong in which target group: `{ cluster, fleetId?, targetGroupArn, port }`.
 * Without `fleetId`, the binding covers every Spot Fleet instance of the cluster. A bound
 * (target group, port) is owned by the sync: a target there whose instance is not a running,
 * non-draining instance of the bound fleets is deregistered.
 */
export const bindingSchema = z.strictObject({
  cluster: z.string().regex(/^[A-Za-z0-9_-]{1,255}$/, 'must be a cluster name'),
  fleetId: z.string().regex(FLEET_ID, 'must look like sfr-12345678-1234-1234-1234-123456789012').optional(),
  targetGroupArn: z
    .string()
    .regex(/^arn:aws[a-z-]*:elasticloadbalancing:[a-z0-9-]+:\d{12}:targetgroup\/[A-Za-z0-9-]{1,32}\/[0-9a-f]{16}$/, 'must be a target group ARN'),
  port: z.number().int().min(1).max(65535),
});

export type Binding = z.infer<typeof bindingSchema>;

export const bindingsSchema = z.array(bindingSchema).max(100);

export function parseBindings(raw: unknown, where: string): Binding[] {
  const parsed = bindingsSchema.safeParse(raw);
  if (!parsed.success) throw new InvalidInputError(`${where}: ${describeIssues(parsed.error)}`);
  return parsed.data;
}

/** The bindings configured for this deployment (env TARGET_BINDINGS, a JSON array; none by default). */
export function configuredBindings(): Binding[] {
  return parseBindings(jsonEnv<unknown>('TARGET_BINDINGS', []), 'TARGET_BINDINGS');
}

/** The clusters this deployment manages (env CLUSTERS: the rollover entries, or plain names). */
export function managedClusters(): string[] {
  const entries = jsonEnv<unknown>('CLUSTERS', []);
  if (!Array.isArray(entries)) throw new InvalidInputError('Environment variable CLUSTERS must be a JSON array');
  return entries.map((e) => (typeof e === 'string' ? e : (e as { cluster?: unknown })?.cluster)).filter((c): c is string => typeof c === 'string');
}
