import { ModifySpotFleetRequestCommand, TerminateInstancesCommand } from '@aws-sdk/client-ec2';
import { clients } from '../lib/clients';
import { AccessDeniedError, isAccessDenied } from '../lib/errors';
import { logger, withContext } from '../lib/log';
import { isEmpty } from '../lib/aws/container-instances';
import { describeInstances } from '../lib/aws/fleets';
import { deregisterTargets, targetsOf } from '../lib/aws/targets';
import { usableFleet } from './fleet';
import { viewSpare } from './spare';
import type { ScaleState, ShrinkResult } from './state';

const LIVE = new Set(['pending', 'running']);
const GOING = new Set(['shutting-down', 'terminated']);

/**
 * ShrinkFleet, only once the spare instances are drained: checks once more that each is DRAINING and
 * holds no task; lowers the fleet's target capacity by their weighted units with
 * ExcessCapacityTerminationPolicy noTermination (so the fleet terminates nothing of its own
 * choosing, and does not replace them); deregisters their targets; terminates exactly them.
 *
 * The new target is min(target, fulfilled − their units): what the fleet holds once they are gone.
 * A retry sees the same figures while they still run and changes nothing; once one of them is
 * shutting down the target was already lowered and is left alone.
 */
export async function handler(state: ScaleState): Promise<ShrinkResult> {
  const r = state.request;
  const shrink = state.shrink!;
  const fleetId = shrink.fleetId!;
  withContext({ execution: state.execution.name, cluster: r.cluster, state: 'ShrinkFleet' });
  const { ec2, ecs, elbv2 } = clients();

  const spare = await viewSpare(ecs, r.cluster, shrink);
  const notReady = spare.filter((ci) => ci.status !== 'DRAINING' || !isEmpty(ci));
  if (notReady.length > 0) {
    logger.warn('Spare instances not drained yet; draining again before shrinking', { instances: notReady.map((ci) => ci.ec2InstanceId) });
    return { status: 'notDrained', terminated: [] };
  }

  const weights = new Map(shrink.instances.map((i) => [i.instanceId, i.weight]));
  const facts = (await describeInstances(ec2, [...weights.keys()])).filter((f) => f.fleetId === fleetId);
  const live = facts.filter((f) => LIVE.has(f.state)).map((f) => f.instanceId);
  const alreadyLowered = facts.some((f) => GOING.has(f.state));

  let fromTarget: number | undefined;
  let toTarget: number | undefined;
  if (!alreadyLowered && live.length > 0) {
    const fleet = await usableFleet(ec2, fleetId);
    const config = fleet.SpotFleetRequestConfig!;
    const units = live.reduce((n, id) => n + (weights.get(id) ?? 0), 0);
    fromTarget = config.TargetCapacity ?? 0;
    toTarget = Math.max(r.fleet!.minCapacity, Math.min(fromTarget, (config.FulfilledCapacity ?? fromTarget) - units));
    if (toTarget !== fromTarget || config.ExcessCapacityTerminationPolicy !== 'noTermination') {
      await call('ModifySpotFleetRequest', () =>
        ec2.send(new ModifySpotFleetRequestCommand({ SpotFleetRequestId: fleetId, TargetCapacity: toTarget, ExcessCapacityTerminationPolicy: 'noTermination' })),
      );
    }
    logger.info('Fleet target capacity lowered, terminating nothing by itself', { fleetId, from: fromTarget, to: toTarget, units });
  }

  const leaving = new Set(live);
  for (const tg of shrink.targetGroupArns) {
    const targets = (await targetsOf(elbv2, tg)).filter((t) => leaving.has(t.id) && t.state !== 'draining' && t.state !== 'unused');
    if (targets.length) await deregisterTargets(elbv2, tg, targets);
  }
  if (live.length > 0) await call('TerminateInstances', () => ec2.send(new TerminateInstancesCommand({ InstanceIds: live })));
  logger.info('Spare instances terminated', { fleetId, terminated: live });
  return { status: 'shrunk', terminated: live, ...(fromTarget !== undefined ? { fromTarget, toTarget } : {}) };
}

async function call<T>(action: string, send: () => Promise<T>): Promise<T> {
  try {
    return await send();
  } catch (error) {
    if (isAccessDenied(error)) throw new AccessDeniedError(`ec2:${action} was denied (${(error as Error).message}); the spare instances stay drained but running`);
    throw error;
  }
}
