import { DescribeImagesCommand } from '@aws-sdk/client-ec2';
import { clients } from '../lib/clients';
import { NotFoundError, errorName } from '../lib/errors';
import { logger, withContext } from '../lib/log';
import { readAmiParameter } from '../lib/aws/ami-parameter';
import type { RolloverState, TargetAmi } from './state';

/** ResolveTargetAmi: the AMI given in the input, else the one the SSM parameter recommends — and it must exist. */
export async function handler(state: RolloverState): Promise<TargetAmi> {
  withContext({ execution: state.execution.name, cluster: state.request.cluster, state: 'ResolveTargetAmi' });
  const { ec2, ssm } = clients();
  const fromInput = state.request.amiId;
  const imageId = fromInput ?? (await readAmiParameter(ssm, state.request.amiParameter));
  let name: string | undefined;
  try {
    const res = await ec2.send(new DescribeImagesCommand({ ImageIds: [imageId] }));
    name = res.Images?.[0]?.Name;
    if (!res.Images?.length) throw new NotFoundError(`AMI ${imageId} does not exist or is not visible to this account`);
  } catch (error) {
    if (errorName(error).startsWith('InvalidAMIID')) throw new NotFoundError(`AMI ${imageId} does not exist or is not visible to this account in this region`);
    throw error;
  }
  const target: TargetAmi = fromInput ? { imageId, name, source: 'input' } : { imageId, name, source: 'ssm', parameter: state.request.amiParameter };
  logger.info('Target AMI resolved', { ...target });
  return target;
}
