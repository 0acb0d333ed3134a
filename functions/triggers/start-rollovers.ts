import { ECSClient, paginateListContainerInstances } from '@aws-sdk/client-ecs';
import type { SSMClient } from '@aws-sdk/client-ssm';
import type { AwsClients } from '../lib/clients';
import { errorName } from '../lib/errors';
import { logger } from '../lib/log';
import { readAmiParameter } from '../lib/aws/ami-parameter';
import { type RolloverTarget, loadRolloverTargets } from '../lib/rollover-targets';
import { executionName, startExecutionOnce } from '../lib/start-execution';

export interface ClusterRolloverSummary {
  cluster: string;
  amiId: string;
  action: 'started' | 'alreadyHandled' | 'upToDate' | 'clusterNotFound';
}

/**
 * What both AMI triggers do: for every configured cluster, read the AMI its SSM parameter
 * publishes and, when some container instance runs another AMI, start the rollover. The
 * execution name and input depend only on (AMI, cluster, configuration), so the SNS trigger and
 * the schedule asking for the same rollover start it once.
 */
export async function startRolloversWhereNeeded(
  aws: Pick<AwsClients, 'ssm' | 'ecs' | 'sfn'>,
  { reason }: { reason: string },
): Promise<ClusterRolloverSummary[]> {
  const { stateMachineArn, targets } = loadRolloverTargets();

  const summary: ClusterRolloverSummary[] = [];
  for (const { cluster, amiParameter, amiId, options } of await withAmiIds(aws.ssm, targets)) {
    const behind = await hasInstanceNotOnAmi(aws.ecs, cluster, amiId);
    if (behind === undefined) {
      logger.warn('Configured cluster does not exist; skipping it', { cluster, reason });
      summary.push({ cluster, amiId, action: 'clusterNotFound' });
      continue;
    }
    if (!behind) {
      summary.push({ cluster, amiId, action: 'upToDate' });
      continue;
    }
    const name = executionName([cluster, amiId]);
    const { status, executionArn } = await startExecutionOnce(aws.sfn, stateMachineArn, name, { ...options, cluster, amiId });
    logger.info('Rollover requested', { cluster, amiId, amiParameter, reason, status, executionName: name, executionArn });
    summary.push({ cluster, amiId, action: status });
  }
  return summary;
}

/**
 * Each target with the AMI its parameter publishes, each parameter read once. All are read
 * before anything starts, so a broken parameter stops the run as a whole instead of leaving it
 * half done in configuration order.
 */
async function withAmiIds(ssm: SSMClient, targets: RolloverTarget[]): Promise<Array<RolloverTarget & { amiId: string }>> {
  const amiByParameter = new Map<string, string>();
  const resolved: Array<RolloverTarget & { amiId: string }> = [];
  for (const target of targets) {
    const amiId = amiByParameter.get(target.amiParameter) ?? (await readAmiParameter(ssm, target.amiParameter));
    amiByParameter.set(target.amiParameter, amiId);
    resolved.push({ ...target, amiId });
  }
  return resolved;
}

/**
 * Whether any container instance of the cluster runs another AMI; `undefined` when the cluster
 * does not exist. One call in practice: the filter runs in ECS and one match is enough. The
 * paginator only goes on if ECS ever answered an empty page that still carries a token.
 */
async function hasInstanceNotOnAmi(ecs: ECSClient, cluster: string, amiId: string): Promise<boolean | undefined> {
  try {
    const pages = paginateListContainerInstances({ client: ecs, pageSize: 1 }, { cluster, filter: `attribute:ecs.ami-id != ${amiId}` });
    for await (const page of pages) {
      if (page.containerInstanceArns?.length) return true;
    }
    return false;
  } catch (error) {
    if (errorName(error) === 'ClusterNotFoundException') return undefined;
    throw error;
  }
}
