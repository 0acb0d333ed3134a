import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { InvalidInputError, NotFoundError, errorName } from '../errors';
import { AMI_ID } from '../../rollover/input';

/**
 * The AMI id an SSM parameter publishes. Two shapes exist among the ECS-optimized public
 * parameters: `…/recommended` holds a JSON string whose `image_id` is the AMI, and
 * `…/recommended/image_id` holds the bare id. The value decides, not the name, so a parameter
 * of one's own that holds a bare id works too.
 */
export async function readAmiParameter(ssm: SSMClient, name: string): Promise<string> {
  let value: string | undefined;
  try {
    value = (await ssm.send(new GetParameterCommand({ Name: name }))).Parameter?.Value;
  } catch (error) {
    if (errorName(error) === 'ParameterNotFound') throw new NotFoundError(`SSM parameter ${name} does not exist in this region`);
    throw error;
  }

  const amiId = imageIdOf(value);
  if (amiId === undefined || !AMI_ID.test(amiId)) {
    throw new InvalidInputError(
      `SSM parameter ${name} does not hold an AMI id (expected ami-… or JSON with image_id), got: ${String(value).slice(0, 100)}`,
    );
  }
  return amiId;
}

function imageIdOf(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  if (!trimmed?.startsWith('{')) return trimmed;
  try {
    const imageId: unknown = (JSON.parse(trimmed) as { image_id?: unknown }).image_id;
    return typeof imageId === 'string' ? imageId : undefined;
  } catch {
    return undefined;
  }
}
