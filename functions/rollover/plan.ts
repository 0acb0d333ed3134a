import { clients } from '../lib/clients';
import { logger, withContext } from '../lib/log';
import { gatherPlanFacts } from './plan-facts';
import { buildPlan, type RolloverPlan } from './planning';
import type { RolloverState } from './state';

/**
 * PlanRollover: the dry run's last step (input `dryRun: true`). It comes after DiscoverFleets and
 * before AcquireLock, and only reads: no lock is taken, nothing is created, drained or cancelled.
 * Its output — the execution's output — is the plan: the fleets to replace with their instance
 * types and weighted capacity, the tasks each service would move, whether the replacement can
 * hold them, the expected duration, and every reason the rollover would stop.
 */
export async function handler(state: RolloverState): Promise<RolloverPlan> {
  withContext({ execution: state.execution.name, cluster: state.request.cluster, state: 'PlanRollover' });
  const plan = buildPlan(await gatherPlanFacts(clients(), state));
  logger.info(plan.summary, { verdict: plan.verdict, refusals: plan.refusals, warnings: plan.warnings.length, expectedSeconds: plan.duration.expectedSeconds });
  return plan;
}
