import { clients } from '../lib/clients';
import { startDraining } from '../lib/drain';
import { logger, withContext } from '../lib/log';
import { isoAfter } from '../lib/time';
import { viewSpare } from './spare';
import type { DrainProgress, ScaleState, Wait } from './state';

/**
 * DrainSpareInstances: the chosen spare instances DRAINING, all at once; ECS moves their service
 * tasks as each service's deployment configuration allows (the same drain as the AMI rollover's).
 * Safe to retry: instances already DRAINING are left as they are.
 */
export async function handler(state: ScaleState): Promise<Wait<'draining', DrainProgress>> {
  const r = state.request;
  withContext({ execution: state.execution.name, cluster: r.cluster, state: 'DrainSpareInstances' });
  const { ecs } = clients();
  const spare = await viewSpare(ecs, r.cluster, state.shrink!);
  const active = spare.filter((ci) => ci.status === 'ACTIVE').map((ci) => ci.arn);
  const result = await startDraining(ecs, r.cluster, active, {
    standaloneTasks: r.drain.standaloneTasks,
    reason: `ecs-fleet-ops: spare instance drained after scaling in ${r.service} (${state.execution.name})`,
  });
  const standaloneStopped = (state.drain?.progress.standaloneStopped ?? 0) + result.standaloneStopped;
  logger.info('Spare instances set DRAINING', { changed: result.changed.length, spare: spare.length, standaloneStopped });
  return {
    status: 'draining',
    deadline: state.drain?.deadline ?? isoAfter(r.drain.timeoutSeconds),
    waitSeconds: r.pollSeconds,
    polls: state.drain?.polls ?? 0,
    progress: {
      instances: spare.length,
      draining: spare.filter((ci) => ci.status === 'DRAINING').length + result.changed.length,
      empty: state.drain?.progress.empty ?? 0,
      tasksLeft: spare.reduce((n, ci) => n + ci.runningTasks, 0),
      targetsDraining: state.drain?.progress.targetsDraining ?? 0,
      standaloneStopped,
    },
  };
}
