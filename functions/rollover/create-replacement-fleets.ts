import { RequestSpotFleetCommand } from '@aws-sdk/client-ec2';
import { clients } from '../lib/clients';
import { AccessDeniedError, isAccessDenied } from '../lib/errors';
import { logger, withContext } from '../lib/log';
import { nowMs, isoAfter } from '../lib/time';
import { describeFleets, findFleetsByTag } from '../lib/aws/fleets';
import { clientToken, replacementConfig } from './fleet-config';
import { firstWaitSeconds } from './polling';
import { TAGS, type FleetPair, type Replacement, type RolloverState } from './state';

/**
 * CreateReplacementFleets: for each fleet to replace, a clone on the target AMI, tagged with the
 * fleet it replaces and this execution. Retrying the step creates nothing twice: a fleet already
 * tagged for this execution is reused, and the ClientToken is derived from the execution.
 */
export async function handler(state: RolloverState): Promise<Replacement> {
  const { cluster } = state.request;
  withContext({ execution: state.execution.name, cluster, state: 'CreateReplacementFleets' });
  const { ec2 } = clients();
  const imageId = state.targetAmi!.imageId;
  const existing = await findFleetsByTag(ec2, TAGS.execution, state.execution.name);
  const old = await describeFleets(ec2, state.plan!.replace);

  const pairs: FleetPair[] = [];
  for (const fleet of old) {
    const oldId = fleet.SpotFleetRequestId!;
    const already = existing.find((f) => f.Tags?.some((t) => t.Key === TAGS.replaces && t.Value === oldId));
    if (already) {
      pairs.push({ oldFleetId: oldId, newFleetId: already.SpotFleetRequestId! });
      continue;
    }
    const token = clientToken(state.execution.id, oldId);
    const config = await replacementConfig(ec2, fleet.SpotFleetRequestConfig!, fleet.Tags ?? [], {
      imageId,
      token,
      now: nowMs(),
      tags: [
        { Key: TAGS.replaces, Value: oldId },
        { Key: TAGS.execution, Value: state.execution.name },
        { Key: TAGS.ami, Value: imageId },
        { Key: TAGS.cluster, Value: cluster },
      ],
    });
    try {
      const res = await ec2.send(new RequestSpotFleetCommand({ SpotFleetRequestConfig: config }));
      pairs.push({ oldFleetId: oldId, newFleetId: res.SpotFleetRequestId! });
      logger.info('Replacement fleet requested', { oldFleetId: oldId, newFleetId: res.SpotFleetRequestId, targetCapacity: config.TargetCapacity });
    } catch (error) {
      if (isAccessDenied(error)) {
        throw new AccessDeniedError(`ec2:RequestSpotFleet was denied (${(error as Error).message}). AWS calls RequestSpotFleet a legacy API and some organisations deny it by policy; the replacement for ${oldId} could not be created`);
      }
      throw error;
    }
  }
  const targetCapacity = old.reduce((n, f) => n + (f.SpotFleetRequestConfig?.TargetCapacity ?? 0), 0);
  return {
    fleets: pairs,
    deadline: isoAfter(state.request.replacementTimeoutSeconds),
    status: 'waiting',
    waitSeconds: firstWaitSeconds(state.request.pollSeconds),
    polls: 0,
    progress: { targetCapacity, fulfilledCapacity: 0, instances: 0, activeInCluster: 0 },
  };
}
