import {
  CancelSpotFleetRequestsCommand,
  DescribeSpotFleetInstancesCommand,
  type DescribeSpotFleetInstancesCommandInput,
  type DescribeSpotFleetInstancesCommandOutput,
  EC2Client,
  paginateDescribeInstances,
  paginateDescribeSpotFleetRequests,
  type SpotFleetRequestConfig,
} from '@aws-sdk/client-ec2';
import { createPaginator } from '@smithy/core';
import type { Paginator } from '@smithy/types';
import { chunks } from '../chunks';
import { NotFoundError, errorName } from '../errors';

export const FLEET_TAG = 'aws:ec2spot:fleet-request-id';
export const GROUP_TAG = 'aws:autoscaling:groupName';
/** Put on an instance AWS is reclaiming (spot interruption notice handled): syncs and rollovers leave it out. */
export const INTERRUPTED_TAG = 'ecs-fleet-ops:interrupted';

// The SDK ships no paginator for DescribeSpotFleetInstances; build one the way it builds its own.
const paginateDescribeSpotFleetInstances: (
  config: { client: EC2Client; pageSize?: number },
  input: DescribeSpotFleetInstancesCommandInput,
) => Paginator<DescribeSpotFleetInstancesCommandOutput> = createPaginator(EC2Client, DescribeSpotFleetInstancesCommand, 'NextToken', 'NextToken', 'MaxResults');

/** The fleet requests with these ids; an unknown id is a NotFound error that names it. */
export async function describeFleets(ec2: EC2Client, ids: string[]): Promise<SpotFleetRequestConfig[]> {
  if (ids.length === 0) return [];
  const out: SpotFleetRequestConfig[] = [];
  try {
    for (const batch of chunks(ids, 100)) {
      for await (const page of paginateDescribeSpotFleetRequests({ client: ec2 }, { SpotFleetRequestIds: batch })) {
        out.push(...(page.SpotFleetRequestConfigs ?? []));
      }
    }
  } catch (error) {
    if (errorName(error) === 'InvalidSpotFleetRequestId.NotFound') throw new NotFoundError(`Spot Fleet request not found: ${(error as Error).message}`);
    throw error;
  }
  return out;
}

/** Fleet requests carrying a tag with this value (our replacement fleets, found again after a retry). */
export async function findFleetsByTag(ec2: EC2Client, key: string, value: string): Promise<SpotFleetRequestConfig[]> {
  const out: SpotFleetRequestConfig[] = [];
  for await (const page of paginateDescribeSpotFleetRequests({ client: ec2, pageSize: 1000 }, {})) {
    for (const f of page.SpotFleetRequestConfigs ?? []) {
      if (f.Tags?.some((t) => t.Key === key && t.Value === value)) out.push(f);
    }
  }
  return out;
}

export interface FleetInstance {
  instanceId: string;
  instanceType: string;
}

/** The fleet's active instances (pages of up to 1,000; the list can lag behind launches). */
export async function fleetInstances(ec2: EC2Client, fleetId: string): Promise<FleetInstance[]> {
  const out: FleetInstance[] = [];
  for await (const page of paginateDescribeSpotFleetInstances({ client: ec2, pageSize: 1000 }, { SpotFleetRequestId: fleetId })) {
    for (const i of page.ActiveInstances ?? []) if (i.InstanceId) out.push({ instanceId: i.InstanceId, instanceType: i.InstanceType ?? '' });
  }
  return out;
}

export interface InstanceFacts {
  instanceId: string;
  state: string;
  imageId: string;
  instanceType: string;
  fleetId?: string;
  /** The Auto Scaling group it belongs to (AWS tags its instances with `aws:autoscaling:groupName`). */
  groupName?: string;
  /** Tagged as being reclaimed by AWS (spot interruption notice handled). */
  interrupted: boolean;
  /** ISO 8601, so that later launches sort later. */
  launchTime: string;
}

/** State, AMI and fleet of these instances (unknown ids are skipped, not an error: a filter, not an id list). */
export async function describeInstances(ec2: EC2Client, instanceIds: string[]): Promise<InstanceFacts[]> {
  const out: InstanceFacts[] = [];
  for (const batch of chunks(instanceIds, 200)) {
    for await (const res of paginateDescribeInstances({ client: ec2, pageSize: 1000 }, { Filters: [{ Name: 'instance-id', Values: batch }] })) {
      for (const r of res.Reservations ?? []) {
        for (const i of r.Instances ?? []) {
          out.push({
            instanceId: i.InstanceId ?? '',
            state: i.State?.Name ?? 'unknown',
            imageId: i.ImageId ?? '',
            instanceType: i.InstanceType ?? '',
            fleetId: i.Tags?.find((t) => t.Key === FLEET_TAG)?.Value,
            groupName: i.Tags?.find((t) => t.Key === GROUP_TAG)?.Value,
            interrupted: Boolean(i.Tags?.some((t) => t.Key === INTERRUPTED_TAG)),
            launchTime: i.LaunchTime ? new Date(i.LaunchTime).toISOString() : '',
          });
        }
      }
    }
  }
  return out;
}

export interface CancelResult {
  cancelled: string[];
  alreadyCancelled: string[];
  failed: { id: string; code: string; message: string }[];
}

/** Cancels fleets and terminates their instances (≤ 100 ids per call); "already cancelled" counts as done. */
export async function cancelFleets(ec2: EC2Client, ids: string[]): Promise<CancelResult> {
  const result: CancelResult = { cancelled: [], alreadyCancelled: [], failed: [] };
  for (const batch of chunks(ids, 100)) {
    const res = await ec2.send(new CancelSpotFleetRequestsCommand({ SpotFleetRequestIds: batch, TerminateInstances: true }));
    result.cancelled.push(...(res.SuccessfulFleetRequests ?? []).map((f) => f.SpotFleetRequestId ?? ''));
    for (const f of res.UnsuccessfulFleetRequests ?? []) {
      const code = f.Error?.Code ?? 'unexpectedError';
      if (code === 'fleetRequestNotInCancellableState') result.alreadyCancelled.push(f.SpotFleetRequestId ?? '');
      else result.failed.push({ id: f.SpotFleetRequestId ?? '', code, message: f.Error?.Message ?? '' });
    }
  }
  return result;
}
