import { InvalidInputError } from './errors';

/** Thrown when the deployment left out an environment variable a handler needs. */
export class MissingConfigurationError extends Error {
  constructor(variable: string) {
    super(`Environment variable ${variable} is not set; it comes from serverless.yml (stage params)`);
    this.name = 'MissingConfiguration';
  }
}

export function requireEnv(variable: string): string {
  const value = process.env[variable];
  if (value === undefined || value === '') throw new MissingConfigurationError(variable);
  return value;
}

export function optionalEnv(variable: string): string | undefined {
  const value = process.env[variable];
  return value === undefined || value === '' ? undefined : value;
}

/** Parses an environment variable holding JSON (stage params are passed to Lambda that way). */
export function jsonEnv<T>(variable: string, fallback: T): T {
  const raw = optionalEnv(variable);
  if (raw === undefined) return fallback;
  try {
    return JSON.parse(raw) as T;
  } catch {
    throw new InvalidInputError(`Environment variable ${variable} is not valid JSON`);
  }
}

export const LOCK_PARAMETER_PREFIX = () => optionalEnv('LOCK_PARAMETER_PREFIX') ?? '/ecs-fleet-ops/locks';
