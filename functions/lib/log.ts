import { Logger } from '@aws-lambda-powertools/logger';

/**
 * One structured JSON logger per process (Powertools). Handlers add the keys that let an
 * operator follow one execution across functions: execution name, cluster, state. A trigger
 * (a Lambda that starts executions, not a state of one) names itself instead, as `trigger`.
 * Never log whole AWS responses or anything from credentials.
 */
export const logger = new Logger({ serviceName: 'ecs-fleet-ops' });

export function withContext(keys: { execution?: string; cluster?: string; state?: string; trigger?: string }): void {
  logger.resetKeys();
  const defined = Object.fromEntries(Object.entries(keys).filter(([, v]) => v !== undefined));
  logger.appendKeys(defined);
}
