import { InvalidInputError } from './errors';
import { MissingConfigurationError, jsonEnv, optionalEnv, requireEnv } from './config';
import { ROLLOVER_DEFAULTS, describeIssues, rolloverInputSchema } from '../rollover/input';

/** One cluster the AMI triggers keep up to date, as configured in `CLUSTERS`. */
export interface RolloverTarget {
  cluster: string;
  /** Where the wanted AMI is published; `CLUSTERS` entry, else `AMI_PARAMETER`, else the AL2023 default. */
  amiParameter: string;
  /** The rest of the entry, passed unchanged into the rollover input (drain, fleetIds, timeouts…). */
  options: Record<string, unknown>;
}

export interface RolloverTargetsConfig {
  stateMachineArn: string;
  targets: RolloverTarget[];
}

/**
 * Reads which clusters the triggers roll, from the environment:
 * - `ROLLOVER_STATE_MACHINE_ARN` (required): the AMI rollover state machine;
 * - `CLUSTERS` (required): JSON array of partial rollover inputs, e.g.
 *   `[{"cluster":"web","drain":{"batchPercent":50}}]`; each entry is checked with the same schema
 *   as a console-started rollover, minus `amiId` (the triggers take the AMI from SSM);
 * - `AMI_PARAMETER` (optional): the SSM parameter for entries that name none.
 */
export function loadRolloverTargets(): RolloverTargetsConfig {
  const stateMachineArn = requireEnv('ROLLOVER_STATE_MACHINE_ARN');
  const defaultParameter = defaultAmiParameter();

  const entries = jsonEnv<unknown>('CLUSTERS', undefined);
  if (entries === undefined) throw new MissingConfigurationError('CLUSTERS');
  if (!Array.isArray(entries) || entries.length === 0) {
    throw new InvalidInputError('Environment variable CLUSTERS must be a non-empty JSON array of cluster entries');
  }

  const targets = entries.map((entry, index) => parseEntry(entry, index, defaultParameter));
  const seen = new Map<string, number>();
  targets.forEach(({ cluster }, index) => {
    const first = seen.get(cluster);
    if (first !== undefined) throw new InvalidInputError(`CLUSTERS[${index}]: cluster '${cluster}' is already configured by CLUSTERS[${first}]`);
    seen.set(cluster, index);
  });
  return { stateMachineArn, targets };
}

function defaultAmiParameter(): string {
  const configured = optionalEnv('AMI_PARAMETER');
  if (configured === undefined) return ROLLOVER_DEFAULTS.amiParameter;
  const checked = rolloverInputSchema.shape.amiParameter.safeParse(configured);
  if (!checked.success) throw new InvalidInputError(`Environment variable AMI_PARAMETER: ${describeIssues(checked.error)}`);
  return configured;
}

function parseEntry(entry: unknown, index: number, defaultParameter: string): RolloverTarget {
  if (typeof entry === 'object' && entry !== null && 'amiId' in entry) {
    throw new InvalidInputError(`CLUSTERS[${index}]: amiId is not allowed; the triggers roll to the AMI published in the entry's amiParameter`);
  }
  // A dry run under the trigger's deterministic name would use up that name: the real rollover could never start.
  if (typeof entry === 'object' && entry !== null && 'dryRun' in entry) {
    throw new InvalidInputError(`CLUSTERS[${index}]: dryRun is not allowed; plan a rollover from the console or with npm run plan`);
  }
  const parsed = rolloverInputSchema.safeParse(entry);
  if (!parsed.success) throw new InvalidInputError(`CLUSTERS[${index}]: ${describeIssues(parsed.error)}`);

  // amiParameter stays out of `options`: the rollover input gets the resolved amiId instead, and
  // the rollover schema refuses an input that carries both.
  const { cluster, amiParameter, ...options } = parsed.data;
  return { cluster, amiParameter: amiParameter ?? defaultParameter, options };
}
