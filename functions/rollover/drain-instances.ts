import { clients } from '../lib/clients';
import { logger, withContext } from '../lib/log';
import { recordMetrics } from '../lib/metrics';
import { isoAfter, nowMs } from '../lib/time';
import { startDraining } from '../lib/drain';
import { configuredBindings } from '../lib/bindings';
import { syncClusterBindings } from '../lib/target-sync';
import { targetGroupTimings } from '../lib/aws/targets';
import { firstDrainWaitSeconds } from './polling';
import { viewScope } from './scope';
import type { Drain, RolloverState } from './state';

/**
 * A rollback must get the tasks back onto the old instances before it may cancel the replacement;
 * a short forward bound (chosen to fail fast) would otherwise leave both fleets behind.
 */
export const ROLLBACK_MIN_DRAIN_SECONDS = 900;

/**
 * DrainOldInstances / DrainReplacement: sets the next batch of the scope's container instances
 * DRAINING (10 per call). ECS then moves their service tasks as each service's deployment
 * configuration allows. Standalone tasks are not moved by ECS: with drain.standaloneTasks = "stop"
 * they are stopped now; with "wait" the drain waits for them to end (bounded by the deadline).
 * Target groups bound to the cluster (TARGET_BINDINGS) are synced in the same step.
 * Safe to retry: instances already DRAINING are not counted again.
 */
export async function handler(state: RolloverState): Promise<Drain> {
  const { cluster, drain: options } = state.request;
  const drain = state.drain!;
  withContext({ execution: state.execution.name, cluster, state: drain.scope === 'old' ? 'DrainOldInstances' : 'DrainReplacement' });
  const aws = clients();
  const { ec2, ecs, elbv2 } = aws;
  const view = await viewScope(aws, state, drain.scope);

  // A rollback drains everything at once: there is no reason to keep a failed replacement.
  const percent = drain.scope === 'old' ? options.batchPercent : 100;
  const batchSize = Math.max(1, Math.ceil((view.inScope.length * percent) / 100));
  const waiting = view.inScope.filter((ci) => ci.status === 'ACTIVE').sort((a, b) => a.runningTasks - b.runningTasks);
  const batchInstances = waiting.slice(0, batchSize);
  const batch = batchInstances.map((ci) => ci.arn);
  const result = await startDraining(ecs, cluster, batch, {
    standaloneTasks: options.standaloneTasks,
    reason: `ecs-fleet-ops: instance drained for AMI rollover (${state.execution.name})`,
  });
  const standaloneStopped = (drain.progress?.standaloneStopped ?? 0) + result.standaloneStopped;
  // Bound target groups follow at once: the ACTIVE instances (the replacement) in, the draining ones out.
  const synced = await syncClusterBindings({ ec2, ecs, elbv2 }, cluster, configuredBindings());
  logger.info('Batch set DRAINING', { scope: drain.scope, batch: batch.length, changed: result.changed.length, inScope: view.inScope.length, standaloneStopped, targetGroupsSynced: synced.length });
  // Every task on an instance set DRAINING now has to leave it: service tasks are moved by ECS, standalone ones end or are stopped.
  const changed = new Set(result.changed);
  const leaving = batchInstances.filter((ci) => changed.has(ci.arn)).reduce((n, ci) => n + ci.runningTasks, 0);
  recordMetrics({ cluster }, { [drain.scope === 'old' ? 'TasksMoved' : 'RollbackTasksMoved']: [leaving, 'Count'] });

  const draining = view.inScope.filter((ci) => ci.status === 'DRAINING').length + result.changed.length;
  return {
    scope: drain.scope,
    deadline: drain.deadline ?? isoAfter(drain.scope === 'old' ? options.timeoutSeconds : Math.max(options.timeoutSeconds, ROLLBACK_MIN_DRAIN_SECONDS)),
    startedAt: drain.startedAt ?? new Date(nowMs()).toISOString(),
    status: 'draining',
    batches: (drain.batches ?? 0) + 1,
    polls: drain.polls ?? 0,
    waitSeconds: drain.batches ? state.request.pollSeconds : firstDrainWaitSeconds(state.request.pollSeconds, await targetGroupTimings(elbv2, state.plan?.targetGroupArns ?? [])),
    progress: {
      instances: view.inScope.length,
      draining,
      empty: drain.progress?.empty ?? 0,
      tasksLeft: view.inScope.reduce((n, ci) => n + ci.runningTasks, 0),
      targetsDraining: drain.progress?.targetsDraining ?? 0,
      standaloneStopped,
    },
  };
}
