import type { World } from '../world';
import { awsError } from './errors';
import { INSTANCE_TYPES } from './catalog';

export type InstanceState = 'pending' | 'running' | 'shutting-down' | 'terminated' | 'stopping' | 'stopped';

const STATE_CODES: Record<InstanceState, number> = {
  pending: 0,
  running: 16,
  'shutting-down': 32,
  terminated: 48,
  stopping: 64,
  stopped: 80,
};

export interface Tag {
  Key: string;
  Value: string;
}

export interface SimInstance {
  id: string;
  type: string;
  imageId: string;
  state: InstanceState;
  launchTime: number;
  stateChangedAt: number;
  subnetId: string;
  az: string;
  tags: Map<string, string>;
  userData: string;
  fleetId?: string;
  spotRequestId?: string;
  weight: number;
  /** Set when a spot interruption notice has been given. */
  interruptionAt?: number;
  /** Until then, Describe calls do not show it yet (eventual consistency, a fault). */
  visibleAt?: number;
}

export type FleetState =
  | 'submitted'
  | 'active'
  | 'cancelled'
  | 'failed'
  | 'cancelled_running'
  | 'cancelled_terminating'
  | 'modifying';

export interface LaunchOption {
  instanceType: string;
  imageId: string;
  subnetId: string;
  az: string;
  weight: number;
  userData: string;
  priority: number;
  tags: Tag[];
}

export interface SimFleet {
  id: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  config: any;
  state: FleetState;
  activityStatus: 'error' | 'pending_fulfillment' | 'pending_termination' | 'fulfilled';
  createTime: number;
  tags: Tag[];
  instanceIds: Set<string>;
  /** Why the last launch attempt failed, as the fleet's history would say. */
  lastError?: string;
}

export interface SimLaunchTemplate {
  id: string;
  name: string;
  defaultVersion: number;
  /** The highest version number ever created (AWS never reuses the number of a deleted version). */
  highest?: number;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  versions: { number: number; data: any; createTime: number; description?: string; clientToken?: string; fingerprint?: string }[];
}

export interface Ec2Behaviour {
  /** Seconds from launch to `running`. */
  bootSeconds: [number, number];
  /** Seconds from a fleet request to its first launches. */
  fleetStartSeconds: [number, number];
  /** Seconds from `shutting-down` to `terminated`. */
  shutdownSeconds: [number, number];
  /** Instance types with no spot capacity: fleets cannot launch them. */
  noCapacityTypes: Set<string>;
  /** An organisation policy denying ec2:RequestSpotFleet. */
  denyRequestSpotFleet: boolean;
}

const encodeB64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
const decodeB64 = (s: string | undefined) => (s ? Buffer.from(s, 'base64').toString('utf8') : '');

/** One page of `items`; EC2 refuses a MaxResults outside [min, limit] rather than clamping it. */
function page<T>(items: T[], maxResults: number | undefined, nextToken: string | undefined, limit: number, min = 1): { items: T[]; next?: string } {
  if (maxResults !== undefined && (!Number.isInteger(maxResults) || maxResults < min || maxResults > limit)) {
    throw awsError('InvalidParameterValue', `Value ( ${maxResults} ) for parameter maxResults is invalid. Parameter must be between ${min} and ${limit}.`);
  }
  const size = maxResults ?? limit;
  const start = nextToken ? Number(nextToken) : 0;
  if (!Number.isInteger(start) || start < 0) throw awsError('InvalidParameterValue', 'The NextToken is not valid');
  const slice = items.slice(start, start + size);
  return start + size < items.length ? { items: slice, next: String(start + size) } : { items: slice };
}

/** EC2: instances that boot over time, Spot Fleet requests with weighted capacity, launch templates, images. */
export class Ec2Sim {
  readonly instances = new Map<string, SimInstance>();
  readonly fleets = new Map<string, SimFleet>();
  readonly launchTemplates = new Map<string, SimLaunchTemplate>();
  readonly images = new Map<string, { name: string }>();
  readonly subnets = new Map<string, string>();
  readonly behaviour: Ec2Behaviour = {
    bootSeconds: [40, 90],
    fleetStartSeconds: [5, 20],
    shutdownSeconds: [20, 60],
    noCapacityTypes: new Set(),
    denyRequestSpotFleet: false,
  };
  private readonly fleetTokens = new Map<string, { id: string; fingerprint: string }>();

  constructor(private readonly world: World) {}

  // ---- setup helpers for scenarios ------------------------------------------------------

  addImage(imageId: string, name: string): void {
    this.images.set(imageId, { name });
  }

  addSubnet(subnetId: string, az: string): void {
    this.subnets.set(subnetId, az);
  }

  addLaunchTemplate(name: string, data: object): SimLaunchTemplate {
    const id = `lt-${this.world.rng.hex(17)}`;
    const lt: SimLaunchTemplate = { id, name, defaultVersion: 1, versions: [{ number: 1, data: structuredClone(data), createTime: this.world.clock.now() }] };
    this.launchTemplates.set(id, lt);
    return lt;
  }

  instancesOfFleet(fleetId: string): SimInstance[] {
    const fleet = this.fleets.get(fleetId);
    return fleet ? [...fleet.instanceIds].map((id) => this.instances.get(id)!).filter(Boolean) : [];
  }

  /** Capacity units of a fleet's live (pending or running) instances. */
  fulfilledCapacity(fleet: SimFleet): number {
    let units = 0;
    for (const id of fleet.instanceIds) {
      const i = this.instances.get(id);
      if (i && (i.state === 'pending' || i.state === 'running')) units += i.weight;
    }
    return units;
  }

  /** Terminates an instance as AWS does (API call, spot reclaim or fleet scale-in). */
  terminate(instanceId: string, reason: string): void {
    const instance = this.instances.get(instanceId);
    if (!instance || instance.state === 'terminated' || instance.state === 'shutting-down') return;
    this.setState(instance, 'shutting-down');
    this.world.onInstanceStopping(instance, reason);
    const fleet = instance.fleetId ? this.fleets.get(instance.fleetId) : undefined;
    if (fleet) {
      fleet.instanceIds.delete(instanceId);
      this.world.events.emit('aws.ec2spotfleet', 'EC2 Spot Fleet Instance Change', [this.fleetArn(fleet.id)], {
        'instance-id': instanceId,
        description: JSON.stringify({ instanceType: instance.type, image: instance.imageId, availabilityZone: instance.az }),
        'sub-type': 'terminated',
      });
      this.scheduleFulfil(fleet, this.world.rng.between(10, 30));
    }
    this.world.clock.after(this.world.rng.between(...this.behaviour.shutdownSeconds), `terminated ${instanceId}`, () => {
      this.setState(instance, 'terminated');
    });
  }

  fleetArn(fleetId: string): string {
    return `arn:aws:ec2:${this.world.region}:${this.world.account}:spot-fleet-request/${fleetId}`;
  }

  // ---- operations -----------------------------------------------------------------------

  readonly operations = {
    DescribeInstanceTypes: (input: { InstanceTypes?: string[] }) => {
      const types = input.InstanceTypes ?? Object.keys(INSTANCE_TYPES);
      if (types.length > 100) throw awsError('InvalidParameterValue', 'At most 100 instance types per request');
      const unknown = types.filter((t) => !INSTANCE_TYPES[t]);
      if (unknown.length) throw awsError('InvalidInstanceType', `The following supplied instance types do not exist: [${unknown.join(', ')}]`);
      return {
        InstanceTypes: types.map((t) => ({
          InstanceType: t,
          VCpuInfo: { DefaultVCpus: INSTANCE_TYPES[t].vcpu },
          MemoryInfo: { SizeInMiB: INSTANCE_TYPES[t].memoryMiB },
        })),
      };
    },

    DescribeImages: (input: { ImageIds?: string[] }) => {
      const ids = input.ImageIds ?? [...this.images.keys()];
      for (const id of ids) {
        if (!/^ami-[0-9a-f]{8,17}$/.test(id)) throw awsError('InvalidAMIID.Malformed', `Invalid id: "${id}" (expecting "ami-...")`);
        if (!this.images.has(id)) throw awsError('InvalidAMIID.NotFound', `The image id '[${id}]' does not exist`);
      }
      return { Images: ids.map((id) => ({ ImageId: id, Name: this.images.get(id)!.name, State: 'available' })) };
    },

    DescribeInstances: (input: { InstanceIds?: string[]; Filters?: { Name: string; Values: string[] }[]; MaxResults?: number; NextToken?: string }) => {
      if (input.InstanceIds && input.MaxResults) throw awsError('InvalidParameterCombination', 'The parameter instancesSet cannot be used with the parameter maxResults');
      let list: SimInstance[];
      if (input.InstanceIds?.length) {
        list = input.InstanceIds.map((id) => {
          const i = this.instances.get(id);
          if (!i) throw awsError('InvalidInstanceID.NotFound', `The instance ID '${id}' does not exist`);
          return i;
        });
      } else {
        list = [...this.instances.values()];
      }
      list = list.filter((i) => this.visible(i) && this.matchesFilters(i, input.Filters ?? []));
      const { items, next } = page(list, input.MaxResults, input.NextToken, 1000, 5);
      return { Reservations: items.length ? [{ ReservationId: 'r-sim', Instances: items.map((i) => this.describeInstance(i)) }] : [], NextToken: next };
    },

    TerminateInstances: (input: { InstanceIds: string[] }) => {
      const result = input.InstanceIds.map((id) => {
        const i = this.instances.get(id);
        if (!i) throw awsError('InvalidInstanceID.NotFound', `The instance ID '${id}' does not exist`);
        const previous = i.state;
        this.terminate(id, 'TerminateInstances');
        return { InstanceId: id, PreviousState: { Code: STATE_CODES[previous], Name: previous }, CurrentState: { Code: STATE_CODES[i.state], Name: i.state } };
      });
      return { TerminatingInstances: result };
    },

    CreateTags: (input: { Resources: string[]; Tags: Tag[] }) => {
      for (const id of input.Resources) {
        const i = this.instances.get(id);
        if (i) for (const t of input.Tags) i.tags.set(t.Key, t.Value ?? '');
        const f = this.fleets.get(id);
        if (f) for (const t of input.Tags) f.tags = [...f.tags.filter((x) => x.Key !== t.Key), { Key: t.Key, Value: t.Value ?? '' }];
        if (!i && !f) throw awsError('InvalidID', `The ID '${id}' is not valid`);
      }
      return {};
    },

    RequestSpotFleet: (input: { SpotFleetRequestConfig: Record<string, unknown> }) => this.requestSpotFleet(input.SpotFleetRequestConfig),

    DescribeSpotFleetRequests: (input: { SpotFleetRequestIds?: string[]; MaxResults?: number; NextToken?: string }) => {
      let list: SimFleet[];
      if (input.SpotFleetRequestIds?.length) {
        list = input.SpotFleetRequestIds.map((id) => {
          const f = this.fleets.get(id);
          if (!f) throw awsError('InvalidSpotFleetRequestId.NotFound', `The spot fleet request ID '${id}' does not exist`);
          return f;
        });
      } else {
        list = [...this.fleets.values()];
      }
      const { items, next } = page(list, input.MaxResults, input.NextToken, 1000);
      return {
        SpotFleetRequestConfigs: items.map((f) => ({
          SpotFleetRequestId: f.id,
          SpotFleetRequestState: f.state,
          ActivityStatus: f.activityStatus,
          CreateTime: new Date(f.createTime),
          SpotFleetRequestConfig: { ...structuredClone(f.config), FulfilledCapacity: this.fulfilledCapacity(f) },
          Tags: structuredClone(f.tags),
        })),
        NextToken: next,
      };
    },

    DescribeSpotFleetInstances: (input: { SpotFleetRequestId: string; MaxResults?: number; NextToken?: string }) => {
      const fleet = this.fleets.get(input.SpotFleetRequestId);
      if (!fleet) throw awsError('InvalidSpotFleetRequestId.NotFound', `The spot fleet request ID '${input.SpotFleetRequestId}' does not exist`);
      if (input.MaxResults !== undefined && (input.MaxResults < 1 || input.MaxResults > 1000)) {
        throw awsError('InvalidParameterValue', 'MaxResults must be between 1 and 1000');
      }
      const now = this.world.clock.now();
      const live = this.instancesOfFleet(fleet.id).filter((i) => (i.state === 'pending' || i.state === 'running') && (i.visibleAt ?? 0) <= now);
      const { items, next } = page(live, input.MaxResults, input.NextToken, 1000);
      return {
        SpotFleetRequestId: fleet.id,
        ActiveInstances: items.map((i) => ({ InstanceId: i.id, InstanceType: i.type, SpotInstanceRequestId: i.spotRequestId, InstanceHealth: 'healthy' })),
        NextToken: next,
      };
    },

    ModifySpotFleetRequest: (input: { SpotFleetRequestId: string; TargetCapacity?: number; OnDemandTargetCapacity?: number; ExcessCapacityTerminationPolicy?: string }) => {
      const fleet = this.fleets.get(input.SpotFleetRequestId);
      if (!fleet) throw awsError('InvalidSpotFleetRequestId.NotFound', `The spot fleet request ID '${input.SpotFleetRequestId}' does not exist`);
      if ((fleet.config.Type ?? 'maintain') !== 'maintain') throw awsError('InvalidSpotFleetRequestType', 'Only maintain fleets can be modified');
      if (fleet.state !== 'active') throw awsError('InvalidSpotFleetRequestConfig', `The spot fleet request is in state ${fleet.state} and cannot be modified`);
      if (input.TargetCapacity !== undefined && (!Number.isInteger(input.TargetCapacity) || input.TargetCapacity < 0)) {
        throw awsError('InvalidParameterValue', `Value (${input.TargetCapacity}) for parameter targetCapacity is invalid. Must be a non-negative integer.`);
      }
      if (input.ExcessCapacityTerminationPolicy !== undefined && !['default', 'noTermination'].includes(input.ExcessCapacityTerminationPolicy)) {
        throw awsError('InvalidParameterValue', `Value (${input.ExcessCapacityTerminationPolicy}) for parameter excessCapacityTerminationPolicy is invalid.`);
      }
      if (input.TargetCapacity !== undefined) fleet.config.TargetCapacity = input.TargetCapacity;
      if (input.ExcessCapacityTerminationPolicy) fleet.config.ExcessCapacityTerminationPolicy = input.ExcessCapacityTerminationPolicy;
      fleet.state = 'modifying';
      this.world.clock.after(this.world.rng.between(5, 15), `modify ${fleet.id}`, () => {
        if (fleet.state === 'modifying') fleet.state = 'active';
        this.fulfil(fleet);
      });
      return { Return: true };
    },

    CancelSpotFleetRequests: (input: { SpotFleetRequestIds: string[]; TerminateInstances: boolean }) => {
      if (input.SpotFleetRequestIds.length > 100) throw awsError('InvalidParameterValue', 'At most 100 spot fleet request ids per call');
      const ok: object[] = [];
      const failed: object[] = [];
      for (const id of input.SpotFleetRequestIds) {
        const fleet = this.fleets.get(id);
        if (!/^sfr-[0-9a-f-]{36}$/.test(id)) {
          failed.push({ SpotFleetRequestId: id, Error: { Code: 'fleetRequestIdMalformed', Message: `Malformed id ${id}` } });
          continue;
        }
        if (!fleet) {
          failed.push({ SpotFleetRequestId: id, Error: { Code: 'fleetRequestIdDoesNotExist', Message: `The spot fleet request ${id} does not exist` } });
          continue;
        }
        if (fleet.state === 'cancelled' || fleet.state === 'failed' || fleet.state.startsWith('cancelled_')) {
          failed.push({ SpotFleetRequestId: id, Error: { Code: 'fleetRequestNotInCancellableState', Message: `The spot fleet request ${id} is ${fleet.state}` } });
          continue;
        }
        const previous = fleet.state;
        this.cancel(fleet, input.TerminateInstances);
        ok.push({ SpotFleetRequestId: id, PreviousSpotFleetRequestState: previous, CurrentSpotFleetRequestState: fleet.state });
      }
      return { SuccessfulFleetRequests: ok, UnsuccessfulFleetRequests: failed };
    },

    DescribeLaunchTemplates: (input: { LaunchTemplateIds?: string[]; LaunchTemplateNames?: string[] }) => {
      const all = [...this.launchTemplates.values()];
      const list = all.filter(
        (t) => (!input.LaunchTemplateIds || input.LaunchTemplateIds.includes(t.id)) && (!input.LaunchTemplateNames || input.LaunchTemplateNames.includes(t.name)),
      );
      if ((input.LaunchTemplateIds || input.LaunchTemplateNames) && list.length === 0) {
        throw awsError('InvalidLaunchTemplateId.NotFound', 'The specified launch template does not exist');
      }
      return {
        LaunchTemplates: list.map((t) => ({
          LaunchTemplateId: t.id,
          LaunchTemplateName: t.name,
          DefaultVersionNumber: t.defaultVersion,
          LatestVersionNumber: t.versions.at(-1)!.number,
        })),
      };
    },

    DescribeLaunchTemplateVersions: (input: { LaunchTemplateId?: string; LaunchTemplateName?: string; Versions?: string[] }) => {
      const lt = this.findTemplate(input.LaunchTemplateId, input.LaunchTemplateName);
      const versions = input.Versions?.length ? input.Versions.map((v) => this.templateVersion(lt, v)) : lt.versions;
      return {
        LaunchTemplateVersions: versions.map((v) => ({
          LaunchTemplateId: lt.id,
          LaunchTemplateName: lt.name,
          VersionNumber: v.number,
          VersionDescription: v.description,
          DefaultVersion: v.number === lt.defaultVersion,
          CreateTime: new Date(v.createTime),
          LaunchTemplateData: structuredClone(v.data),
        })),
      };
    },

    CreateLaunchTemplateVersion: (input: {
      LaunchTemplateId?: string;
      LaunchTemplateName?: string;
      SourceVersion?: string;
      LaunchTemplateData: object;
      VersionDescription?: string;
      ClientToken?: string;
    }) => {
      const lt = this.findTemplate(input.LaunchTemplateId, input.LaunchTemplateName);
      const fingerprint = JSON.stringify({ SourceVersion: input.SourceVersion, LaunchTemplateData: input.LaunchTemplateData, VersionDescription: input.VersionDescription });
      if (input.ClientToken) {
        const same = lt.versions.find((v) => v.clientToken === input.ClientToken);
        if (same && same.fingerprint !== fingerprint) throw awsError('IdempotentParameterMismatch', 'The client token has already been used with different parameters');
        if (same) return { LaunchTemplateVersion: { LaunchTemplateId: lt.id, LaunchTemplateName: lt.name, VersionNumber: same.number } };
      }
      const base = input.SourceVersion ? this.templateVersion(lt, input.SourceVersion).data : {};
      const data = { ...structuredClone(base), ...structuredClone(input.LaunchTemplateData) };
      const number = Math.max(lt.highest ?? 0, lt.versions.at(-1)!.number) + 1;
      lt.highest = number;
      lt.versions.push({ number, data, createTime: this.world.clock.now(), description: input.VersionDescription, clientToken: input.ClientToken, fingerprint });
      return { LaunchTemplateVersion: { LaunchTemplateId: lt.id, LaunchTemplateName: lt.name, VersionNumber: number } };
    },

    DeleteLaunchTemplateVersions: (input: { LaunchTemplateId?: string; LaunchTemplateName?: string; Versions: string[] }) => {
      if (input.Versions.length > 200) throw awsError('InvalidParameterValue', 'You can specify up to 200 launch template versions');
      const lt = this.findTemplate(input.LaunchTemplateId, input.LaunchTemplateName);
      const ok: object[] = [];
      const failed: object[] = [];
      for (const v of input.Versions) {
        const number = Number(v);
        const item = { LaunchTemplateId: lt.id, LaunchTemplateName: lt.name, VersionNumber: number };
        if (!Number.isInteger(number) || !lt.versions.some((x) => x.number === number)) {
          failed.push({ ...item, ResponseError: { Code: 'launchTemplateVersionDoesNotExist', Message: `The specified launch template version does not exist: ${v}` } });
        } else if (number === lt.defaultVersion) {
          failed.push({ ...item, ResponseError: { Code: 'unexpectedError', Message: 'Cannot delete the default version of a launch template' } });
        } else {
          lt.versions = lt.versions.filter((x) => x.number !== number);
          ok.push(item);
        }
      }
      return { SuccessfullyDeletedLaunchTemplateVersions: ok, UnsuccessfullyDeletedLaunchTemplateVersions: failed };
    },
  };

  // ---- internals ------------------------------------------------------------------------

  private visible(i: SimInstance): boolean {
    // Terminated instances stay visible for about an hour; new ones may show up late.
    const now = this.world.clock.now();
    return (i.visibleAt ?? 0) <= now && !(i.state === 'terminated' && now - i.stateChangedAt > 3_600_000);
  }

  private matchesFilters(i: SimInstance, filters: { Name: string; Values: string[] }[]): boolean {
    return filters.every((f) => {
      if (f.Name === 'instance-state-name') return f.Values.includes(i.state);
      if (f.Name === 'instance-id') return f.Values.includes(i.id);
      if (f.Name === 'image-id') return f.Values.includes(i.imageId);
      if (f.Name === 'tag-key') return f.Values.some((k) => i.tags.has(k));
      if (f.Name.startsWith('tag:')) {
        const v = i.tags.get(f.Name.slice(4));
        return v !== undefined && f.Values.includes(v);
      }
      throw awsError('InvalidParameterValue', `The filter '${f.Name}' is invalid`);
    });
  }

  describeInstance(i: SimInstance) {
    return {
      InstanceId: i.id,
      InstanceType: i.type,
      ImageId: i.imageId,
      LaunchTime: new Date(i.launchTime),
      State: { Code: STATE_CODES[i.state], Name: i.state },
      SubnetId: i.subnetId,
      Placement: { AvailabilityZone: i.az },
      InstanceLifecycle: i.spotRequestId ? 'spot' : undefined,
      SpotInstanceRequestId: i.spotRequestId,
      Tags: [...i.tags].map(([Key, Value]) => ({ Key, Value })),
    };
  }

  private setState(i: SimInstance, state: InstanceState): void {
    i.state = state;
    i.stateChangedAt = this.world.clock.now();
    this.world.events.emit('aws.ec2', 'EC2 Instance State-change Notification', [`arn:aws:ec2:${this.world.region}:${this.world.account}:instance/${i.id}`], {
      'instance-id': i.id,
      state,
    });
  }

  findTemplate(id?: string, name?: string): SimLaunchTemplate {
    const lt = [...this.launchTemplates.values()].find((t) => (id ? t.id === id : t.name === name));
    if (!lt) throw awsError(id ? 'InvalidLaunchTemplateId.NotFound' : 'InvalidLaunchTemplateName.NotFoundException', `The specified launch template, with template ${id ? 'ID' : 'name'} ${id ?? name}, does not exist.`);
    return lt;
  }

  templateVersion(lt: SimLaunchTemplate, v: string) {
    const number = v === '$Latest' ? lt.versions.at(-1)!.number : v === '$Default' ? lt.defaultVersion : Number(v);
    const version = lt.versions.find((x) => x.number === number);
    if (!version) throw awsError('InvalidLaunchTemplateId.VersionNotFound', `Could not find launch template version ${v} for ${lt.id}`);
    return version;
  }

  private requestSpotFleet(config: Record<string, unknown>) {
    if (this.behaviour.denyRequestSpotFleet) {
      throw awsError('UnauthorizedOperation', 'You are not authorized to perform this operation. User is not authorized to perform: ec2:RequestSpotFleet with an explicit deny in a service control policy', 403);
    }
    if (!config.IamFleetRole) throw awsError('InvalidSpotFleetRequestConfig', 'IamFleetRole is required');
    if (typeof config.TargetCapacity !== 'number' || config.TargetCapacity < 0) throw awsError('InvalidSpotFleetRequestConfig', 'TargetCapacity must be a non-negative number');
    const specs = config.LaunchSpecifications as unknown[] | undefined;
    const templates = config.LaunchTemplateConfigs as unknown[] | undefined;
    if (Boolean(specs?.length) === Boolean(templates?.length)) {
      throw awsError('InvalidSpotFleetRequestConfig', 'Exactly one of LaunchSpecifications and LaunchTemplateConfigs must be given');
    }
    const tagSpecs = (config.TagSpecifications as { ResourceType?: string; Tags?: Tag[] }[] | undefined) ?? [];
    const foreign = tagSpecs.find((t) => t.ResourceType !== 'spot-fleet-request');
    if (foreign) {
      // Instances are tagged through the launch specification or template, never here.
      throw awsError('InvalidSpotFleetRequestConfig', `The value for ResourceType must be spot-fleet-request, got '${foreign.ResourceType}'`);
    }
    const token = config.ClientToken as string | undefined;
    if (token !== undefined && (token.length > 64 || !/^[\x20-\x7e]*$/.test(token))) {
      throw awsError('InvalidParameterValue', 'ClientToken must be at most 64 ASCII characters');
    }
    const fingerprint = JSON.stringify(config);
    if (token) {
      const seen = this.fleetTokens.get(token);
      if (seen) {
        if (seen.fingerprint !== fingerprint) throw awsError('IdempotentParameterMismatch', 'The client token has already been used with different parameters');
        return { SpotFleetRequestId: seen.id };
      }
    }
    const options = this.launchOptions(config); // validates templates and images up front
    const id = `sfr-${this.world.rng.uuid()}`;
    const fleetTags = tagSpecs.filter((t) => t.ResourceType === 'spot-fleet-request').flatMap((t) => t.Tags ?? []);
    const stored = structuredClone(config);
    delete stored.ClientToken;
    stored.Type ??= 'maintain';
    stored.ExcessCapacityTerminationPolicy ??= 'default';
    stored.AllocationStrategy ??= 'lowestPrice';
    const fleet: SimFleet = {
      id,
      config: { ...stored, ClientToken: token },
      state: 'submitted',
      activityStatus: 'pending_fulfillment',
      createTime: this.world.clock.now(),
      tags: structuredClone(fleetTags),
      instanceIds: new Set(),
    };
    this.fleets.set(id, fleet);
    if (token) this.fleetTokens.set(token, { id, fingerprint });
    void options;
    this.world.clock.after(this.world.rng.between(...this.behaviour.fleetStartSeconds), `start ${id}`, () => {
      if (fleet.state === 'submitted') fleet.state = 'active';
      this.fulfil(fleet);
    });
    return { SpotFleetRequestId: id };
  }

  /** The (instance type, subnet, weight, image, user data) pools a fleet may launch into. */
  launchOptions(config: Record<string, unknown>): LaunchOption[] {
    const options: LaunchOption[] = [];
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const specs = (config.LaunchSpecifications as any[]) ?? [];
    for (const spec of specs) {
      if (!spec.ImageId) throw awsError('InvalidSpotFleetRequestConfig', 'Each launch specification needs an ImageId');
      if (!spec.InstanceType || !INSTANCE_TYPES[spec.InstanceType]) throw awsError('InvalidSpotFleetRequestConfig', `Unsupported instance type ${spec.InstanceType}`);
      const subnets = String(spec.SubnetId ?? [...this.subnets.keys()][0]).split(',').map((s) => s.trim());
      for (const subnetId of subnets) {
        options.push({
          instanceType: spec.InstanceType,
          imageId: spec.ImageId,
          subnetId,
          az: this.subnets.get(subnetId) ?? spec.Placement?.AvailabilityZone ?? `${this.world.region}a`,
          weight: spec.WeightedCapacity ?? 1,
          userData: decodeB64(spec.UserData),
          priority: 0,
          tags: (spec.TagSpecifications ?? []).flatMap((t: { Tags?: Tag[] }) => t.Tags ?? []),
        });
      }
    }
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const templates = (config.LaunchTemplateConfigs as any[]) ?? [];
    for (const ltc of templates) {
      const spec = ltc.LaunchTemplateSpecification ?? {};
      const lt = this.findTemplate(spec.LaunchTemplateId, spec.LaunchTemplateName);
      const data = this.templateVersion(lt, String(spec.Version ?? '$Default')).data;
      const overrides = ltc.Overrides?.length ? ltc.Overrides : [{}];
      for (const o of overrides) {
        const instanceType = o.InstanceType ?? data.InstanceType;
        if (!instanceType || !INSTANCE_TYPES[instanceType]) throw awsError('InvalidSpotFleetRequestConfig', `Unsupported instance type ${instanceType}`);
        const subnets = String(o.SubnetId ?? data.NetworkInterfaces?.[0]?.SubnetId ?? [...this.subnets.keys()][0]).split(',').map((s) => s.trim());
        for (const subnetId of subnets) {
          options.push({
            instanceType,
            imageId: data.ImageId,
            subnetId,
            az: this.subnets.get(subnetId) ?? o.AvailabilityZone ?? `${this.world.region}a`,
            weight: o.WeightedCapacity ?? 1,
            userData: decodeB64(data.UserData),
            priority: o.Priority ?? 0,
            tags: (data.TagSpecifications ?? []).filter((t: { ResourceType?: string }) => t.ResourceType === 'instance').flatMap((t: { Tags?: Tag[] }) => t.Tags ?? []),
          });
        }
      }
    }
    return options;
  }

  private scheduleFulfil(fleet: SimFleet, seconds: number): void {
    this.world.clock.after(seconds, `fulfil ${fleet.id}`, () => this.fulfil(fleet));
  }

  /** Launches or (default policy) terminates instances until the fleet holds its target capacity. */
  fulfil(fleet: SimFleet): void {
    if (fleet.state !== 'active') return;
    const target: number = fleet.config.TargetCapacity;
    let current = this.fulfilledCapacity(fleet);
    if (current < target) {
      if (current > 0 && (fleet.config.Type ?? 'maintain') === 'request' && fleet.activityStatus === 'fulfilled') return;
      const options = this.launchOptions(fleet.config).filter((o) => !this.behaviour.noCapacityTypes.has(o.instanceType));
      const usable = options.filter((o) => this.images.has(o.imageId));
      if (usable.length === 0) {
        fleet.activityStatus = 'error';
        fleet.lastError = options.length === 0 ? 'InsufficientInstanceCapacity: there is no Spot capacity available that matches your request' : `InvalidAMIID.NotFound: the image id '${options[0].imageId}' does not exist`;
        if (options.length === 0) this.scheduleFulfil(fleet, 60);
        return;
      }
      const ordered = this.order(usable, fleet.config.AllocationStrategy);
      let n = 0;
      while (current < target) {
        const option = ordered[n++ % ordered.length];
        this.launch(fleet, option);
        current += option.weight;
      }
    } else if (current > target && fleet.config.ExcessCapacityTerminationPolicy !== 'noTermination') {
      // The fleet picks its own victims, tasks or not (that is the danger), and terminates until it
      // no longer exceeds the target — weighted instances can take it below, and it launches again.
      for (const i of this.excessVictims(fleet)) {
        if (current <= target) break;
        current -= i.weight;
        this.terminate(i.id, 'fleet capacity lowered');
      }
    }
    fleet.activityStatus = this.fulfilledCapacity(fleet) >= target ? 'fulfilled' : 'pending_fulfillment';
  }

  /**
   * The order in which a fleet terminates excess capacity, as AWS documents it per allocation
   * strategy: lowestPrice (and the price-aware ones) the highest price per unit first; diversified
   * across its pools (the fullest pool first); capacityOptimized the pools with the least spare
   * capacity first (here: the fullest pool, the simulator keeps no pool capacity).
   */
  private excessVictims(fleet: SimFleet): SimInstance[] {
    const live = this.instancesOfFleet(fleet.id).filter((i) => i.state === 'pending' || i.state === 'running');
    const strategy: string = fleet.config.AllocationStrategy ?? 'lowestPrice';
    if (strategy === 'diversified' || strategy.startsWith('capacityOptimized')) {
      const pools = new Map<string, SimInstance[]>();
      for (const i of [...live].sort((a, b) => b.launchTime - a.launchTime)) {
        const key = `${i.type}/${i.subnetId}`;
        pools.set(key, [...(pools.get(key) ?? []), i]);
      }
      const out: SimInstance[] = [];
      while (out.length < live.length) {
        const fullest = [...pools.values()].sort((a, b) => b.length - a.length)[0];
        out.push(fullest.shift()!);
      }
      return out;
    }
    const perUnit = (i: SimInstance) => INSTANCE_TYPES[i.type].spotPrice / i.weight;
    return [...live].sort((a, b) => perUnit(b) - perUnit(a) || b.launchTime - a.launchTime);
  }

  private order(options: LaunchOption[], strategy: string): LaunchOption[] {
    const perUnit = (o: LaunchOption) => INSTANCE_TYPES[o.instanceType].spotPrice / o.weight;
    if (strategy === 'diversified') return options;
    if (strategy === 'capacityOptimizedPrioritized') return [...options].sort((a, b) => a.priority - b.priority);
    // lowestPrice, priceCapacityOptimized, capacityOptimized: the cheapest pools first, spread across subnets.
    const sorted = [...options].sort((a, b) => perUnit(a) - perUnit(b) || a.subnetId.localeCompare(b.subnetId));
    const best = perUnit(sorted[0]);
    const cheapest = sorted.filter((o) => perUnit(o) === best);
    return strategy === 'lowestPrice' ? cheapest : [...cheapest, ...sorted.filter((o) => perUnit(o) !== best)];
  }

  private launch(fleet: SimFleet, option: LaunchOption): SimInstance {
    return this.launchInstance(option, { 'aws:ec2spot:fleet-request-id': fleet.id }, { fleetId: fleet.id, spot: true }, (instance) => {
      fleet.instanceIds.add(instance.id);
      this.world.events.emit('aws.ec2spotfleet', 'EC2 Spot Fleet Instance Change', [this.fleetArn(fleet.id)], {
        'instance-id': instance.id,
        description: JSON.stringify({ instanceType: option.instanceType, image: option.imageId, availabilityZone: option.az }),
        'sub-type': 'launched',
      });
    });
  }

  /**
   * Launches one instance that boots and, once running, joins the cluster its user data names
   * (Spot Fleets and Auto Scaling groups both launch through here).
   */
  launchInstance(option: LaunchOption, extraTags: Record<string, string>, owner: { fleetId?: string; spot: boolean }, launched: (instance: SimInstance) => void = () => {}): SimInstance {
    const id = `i-${this.world.rng.hex(17)}`;
    const now = this.world.clock.now();
    const tags = new Map<string, string>(option.tags.map((t) => [t.Key, t.Value]));
    for (const [k, v] of Object.entries(extraTags)) tags.set(k, v);
    const instance: SimInstance = {
      id,
      type: option.instanceType,
      imageId: option.imageId,
      state: 'pending',
      launchTime: now,
      stateChangedAt: now,
      subnetId: option.subnetId,
      az: option.az,
      tags,
      userData: option.userData,
      ...(owner.fleetId ? { fleetId: owner.fleetId } : {}),
      ...(owner.spot ? { spotRequestId: `sir-${this.world.rng.hex(8)}` } : {}),
      weight: option.weight,
      visibleAt: this.world.faults.visibleAt(now),
    };
    this.instances.set(id, instance);
    launched(instance);
    this.world.clock.after(this.world.rng.between(...this.behaviour.bootSeconds), `boot ${id}`, () => {
      if (instance.state !== 'pending') return;
      this.setState(instance, 'running');
      this.world.onInstanceRunning(instance);
    });
    return instance;
  }

  private cancel(fleet: SimFleet, terminateInstances: boolean): void {
    if (!terminateInstances) {
      fleet.state = 'cancelled_running';
      return;
    }
    fleet.state = 'cancelled_terminating';
    fleet.activityStatus = 'pending_termination';
    const ids = [...fleet.instanceIds];
    for (const id of ids) {
      const i = this.instances.get(id)!;
      this.terminate(id, `spot fleet ${fleet.id} cancelled`);
      // The instance leaves the fleet list above; keep it linked for the final state.
      void i;
    }
    this.world.clock.after(this.behaviour.shutdownSeconds[1] + 1, `cancelled ${fleet.id}`, () => {
      fleet.state = 'cancelled';
    });
  }

  /** Builds base64 user data that joins `cluster` (what ECS-optimized AMIs read from /etc/ecs/ecs.config). */
  static userDataFor(cluster: string, extra: string[] = []): string {
    return encodeB64(['#!/bin/bash', `echo ECS_CLUSTER=${cluster} >> /etc/ecs/ecs.config`, ...extra.map((l) => `echo ${l} >> /etc/ecs/ecs.config`)].join('\n'));
  }
}
