import {
  DeleteLaunchTemplateVersionsCommand,
  DescribeLaunchTemplateVersionsCommand,
  DescribeSpotFleetInstancesCommand,
  DescribeSpotFleetRequestsCommand,
  RequestSpotFleetCommand,
  type SpotFleetRequestConfigData,
} from '@aws-sdk/client-ec2';
import { OLD_AMI, NEW_AMI } from '../../../sim/scenarios/cluster';
import type { World } from '../../../sim/world';
import { emptyAccount, errorOf, fleetConfig, requestFleet } from './helpers';

/** A launch template with versions 1 (the default, on the old AMI), 2 and 3 (on the new one); returns its id. */
function templateWithThreeVersions(world: World): string {
  const lt = world.ec2.addLaunchTemplate('demo-ecs', { ImageId: OLD_AMI, InstanceType: 'm5.large' });
  for (const description of ['second', 'third']) {
    world.router.call('ec2', 'CreateLaunchTemplateVersion', { LaunchTemplateId: lt.id, SourceVersion: '1', LaunchTemplateData: { ImageId: NEW_AMI }, VersionDescription: description });
  }
  return lt.id;
}

/** The version number `version` ($Latest, $Default or a number) resolves to. */
function resolved(world: World, id: string, version: string): number {
  const res = world.router.call('ec2', 'DescribeLaunchTemplateVersions', { LaunchTemplateId: id, Versions: [version] }) as { LaunchTemplateVersions: { VersionNumber: number }[] };
  return res.LaunchTemplateVersions[0].VersionNumber;
}

describe('Class: Ec2Sim', () => {
  describe('Method: RequestSpotFleet', () => {
    it('returns the same fleet for the same ClientToken and configuration, creating it once', async () => {
      // Prepare
      const world = emptyAccount();
      const config = fleetConfig({ ClientToken: 'efo-retry-me' }) as unknown as SpotFleetRequestConfigData;

      // Act
      const first = await world.clients.ec2.send(new RequestSpotFleetCommand({ SpotFleetRequestConfig: config }));
      const second = await world.clients.ec2.send(new RequestSpotFleetCommand({ SpotFleetRequestConfig: structuredClone(config) }));

      // Assess
      expect(second.SpotFleetRequestId).toBe(first.SpotFleetRequestId);
      expect(world.ec2.fleets.size).toBe(1);
    });

    it('refuses the same ClientToken with another configuration (IdempotentParameterMismatch)', () => {
      // Prepare
      const world = emptyAccount();
      requestFleet(world, { ClientToken: 'efo-retry-me', TargetCapacity: 2 });

      // Act
      const error = errorOf(world, 'ec2', 'RequestSpotFleet', { SpotFleetRequestConfig: fleetConfig({ ClientToken: 'efo-retry-me', TargetCapacity: 3 }) });

      // Assess
      expect(error.name).toBe('IdempotentParameterMismatch');
      expect(world.ec2.fleets.size).toBe(1);
    });

    it.each([
      ['longer than 64 characters', 'x'.repeat(65)],
      ['with non-ASCII characters', 'rollover-é'],
    ])('refuses a ClientToken %s', (_what, token) => {
      // Prepare
      const world = emptyAccount();

      // Act
      const error = errorOf(world, 'ec2', 'RequestSpotFleet', { SpotFleetRequestConfig: fleetConfig({ ClientToken: token }) });

      // Assess
      expect(error.name).toBe('InvalidParameterValue');
      expect(world.ec2.fleets.size).toBe(0);
    });

    it('refuses a configuration with both LaunchSpecifications and LaunchTemplateConfigs, and one with neither', () => {
      // Prepare
      const world = emptyAccount();
      const lt = world.ec2.addLaunchTemplate('demo-ecs', { ImageId: OLD_AMI, InstanceType: 'm5.large' });
      const both = fleetConfig({ LaunchTemplateConfigs: [{ LaunchTemplateSpecification: { LaunchTemplateId: lt.id, Version: '1' } }] });
      const neither = fleetConfig({ LaunchSpecifications: undefined });

      // Act
      const withBoth = errorOf(world, 'ec2', 'RequestSpotFleet', { SpotFleetRequestConfig: both });
      const withNeither = errorOf(world, 'ec2', 'RequestSpotFleet', { SpotFleetRequestConfig: neither });

      // Assess
      expect(withBoth.name).toBe('InvalidSpotFleetRequestConfig');
      expect(withNeither.name).toBe('InvalidSpotFleetRequestConfig');
      expect(world.ec2.fleets.size).toBe(0);
    });

    it('refuses fleet-level TagSpecifications for anything but the spot-fleet-request', () => {
      // Prepare
      const world = emptyAccount();
      const config = fleetConfig({ TagSpecifications: [{ ResourceType: 'instance', Tags: [{ Key: 'Name', Value: 'x' }] }] });

      // Act
      const error = errorOf(world, 'ec2', 'RequestSpotFleet', { SpotFleetRequestConfig: config });

      // Assess
      expect(error.name).toBe('InvalidSpotFleetRequestConfig');
      expect(error.message).toContain('spot-fleet-request');
    });

    it('fulfils capacity in weighted units, not instances', async () => {
      // Prepare
      const world = emptyAccount();
      const id = requestFleet(world, {
        TargetCapacity: 6,
        LaunchSpecifications: [{ ImageId: OLD_AMI, InstanceType: 'm5.xlarge', WeightedCapacity: 2, SubnetId: 'subnet-0aaa1111' }],
      });

      // Act
      world.advance(300);

      // Assess
      const { ActiveInstances } = await world.clients.ec2.send(new DescribeSpotFleetInstancesCommand({ SpotFleetRequestId: id }));
      expect(ActiveInstances).toHaveLength(3);
      const { SpotFleetRequestConfigs } = await world.clients.ec2.send(new DescribeSpotFleetRequestsCommand({ SpotFleetRequestIds: [id] }));
      expect(SpotFleetRequestConfigs![0]).toMatchObject({ SpotFleetRequestState: 'active', ActivityStatus: 'fulfilled', SpotFleetRequestConfig: { TargetCapacity: 6, FulfilledCapacity: 6 } });
    });

    it('reaches a target of mixed weights with fewer instances than units', () => {
      // Prepare
      const world = emptyAccount();
      const id = requestFleet(world, {
        TargetCapacity: 7,
        LaunchSpecifications: [
          { ImageId: OLD_AMI, InstanceType: 'm5.large', WeightedCapacity: 1, SubnetId: 'subnet-0aaa1111' },
          { ImageId: OLD_AMI, InstanceType: 'm5.2xlarge', WeightedCapacity: 4, SubnetId: 'subnet-0bbb2222' },
        ],
        AllocationStrategy: 'diversified',
      });

      // Act
      world.advance(300);

      // Assess
      const live = world.ec2.instancesOfFleet(id).filter((i) => i.state === 'running');
      const units = live.reduce((n, i) => n + i.weight, 0);
      expect(units).toBeGreaterThanOrEqual(7);
      expect(live.length).toBeLessThan(7);
    });
  });

  describe('Method: CancelSpotFleetRequests', () => {
    it('answers per fleet: cancelled, unknown, malformed, not cancellable', () => {
      // Prepare
      const world = emptyAccount();
      const good = requestFleet(world);
      const done = requestFleet(world);
      world.advance(120);
      world.router.call('ec2', 'CancelSpotFleetRequests', { SpotFleetRequestIds: [done], TerminateInstances: true });
      const unknown = 'sfr-00000000-0000-4000-8000-000000000000';

      // Act
      const res = world.router.call('ec2', 'CancelSpotFleetRequests', { SpotFleetRequestIds: [good, unknown, 'sfr-nope', done], TerminateInstances: true }) as {
        SuccessfulFleetRequests: object[];
        UnsuccessfulFleetRequests: { SpotFleetRequestId: string; Error: { Code: string } }[];
      };

      // Assess
      expect(res.SuccessfulFleetRequests).toEqual([{ SpotFleetRequestId: good, PreviousSpotFleetRequestState: 'active', CurrentSpotFleetRequestState: 'cancelled_terminating' }]);
      expect(res.UnsuccessfulFleetRequests.map((f) => [f.SpotFleetRequestId, f.Error.Code])).toEqual([
        [unknown, 'fleetRequestIdDoesNotExist'],
        ['sfr-nope', 'fleetRequestIdMalformed'],
        [done, 'fleetRequestNotInCancellableState'],
      ]);
    });

    it('terminates the instances only when asked to', () => {
      // Prepare
      const world = emptyAccount();
      const kept = requestFleet(world);
      const ended = requestFleet(world);
      world.advance(300);

      // Act
      world.router.call('ec2', 'CancelSpotFleetRequests', { SpotFleetRequestIds: [kept], TerminateInstances: false });
      world.router.call('ec2', 'CancelSpotFleetRequests', { SpotFleetRequestIds: [ended], TerminateInstances: true });
      world.advance(300);

      // Assess
      expect(world.ec2.fleets.get(kept)!.state).toBe('cancelled_running');
      expect([...world.ec2.instances.values()].filter((i) => i.fleetId === kept).every((i) => i.state === 'running')).toBe(true);
      expect(world.ec2.fleets.get(ended)!.state).toBe('cancelled');
      expect([...world.ec2.instances.values()].filter((i) => i.fleetId === ended).every((i) => i.state === 'terminated')).toBe(true);
    });

    it('refuses more than 100 ids in one call', () => {
      // Prepare
      const world = emptyAccount();
      const ids = Array.from({ length: 101 }, (_, i) => `sfr-00000000-0000-4000-8000-${String(i).padStart(12, '0')}`);

      // Act
      const error = errorOf(world, 'ec2', 'CancelSpotFleetRequests', { SpotFleetRequestIds: ids, TerminateInstances: true });

      // Assess
      expect(error.name).toBe('InvalidParameterValue');
    });
  });

  describe('Method: pagination limits', () => {
    it.each([0, 1001, 2.5])('refuses DescribeSpotFleetInstances with MaxResults %s', (MaxResults) => {
      // Prepare
      const world = emptyAccount();
      const id = requestFleet(world);

      // Act
      const error = errorOf(world, 'ec2', 'DescribeSpotFleetInstances', { SpotFleetRequestId: id, MaxResults });

      // Assess
      expect(error.name).toBe('InvalidParameterValue');
      expect(() => world.router.call('ec2', 'DescribeSpotFleetInstances', { SpotFleetRequestId: id, MaxResults: 1000 })).not.toThrow();
    });

    it('refuses DescribeSpotFleetRequests with MaxResults over 1000 rather than clamping it', () => {
      // Prepare
      const world = emptyAccount();

      // Act
      const error = errorOf(world, 'ec2', 'DescribeSpotFleetRequests', { MaxResults: 1001 });

      // Assess
      expect(error.name).toBe('InvalidParameterValue');
    });

    it('refuses DescribeInstances with MaxResults under 5', () => {
      // Prepare
      const world = emptyAccount();

      // Act
      const error = errorOf(world, 'ec2', 'DescribeInstances', { MaxResults: 4 });

      // Assess
      expect(error.name).toBe('InvalidParameterValue');
      expect(() => world.router.call('ec2', 'DescribeInstances', { MaxResults: 5 })).not.toThrow();
    });

    it('pages DescribeSpotFleetInstances with NextToken', () => {
      // Prepare
      const world = emptyAccount();
      const id = requestFleet(world, { TargetCapacity: 5 });
      world.advance(300);

      // Act
      const first = world.router.call('ec2', 'DescribeSpotFleetInstances', { SpotFleetRequestId: id, MaxResults: 3 }) as { ActiveInstances: object[]; NextToken?: string };
      const second = world.router.call('ec2', 'DescribeSpotFleetInstances', { SpotFleetRequestId: id, MaxResults: 3, NextToken: first.NextToken }) as { ActiveInstances: object[]; NextToken?: string };

      // Assess
      expect(first.ActiveInstances).toHaveLength(3);
      expect(second.ActiveInstances).toHaveLength(2);
      expect(second.NextToken).toBeUndefined();
    });
  });

  describe('Method: CreateLaunchTemplateVersion', () => {
    it('returns the same version for the same ClientToken and parameters, and refuses other parameters', () => {
      // Prepare
      const world = emptyAccount();
      const lt = world.ec2.addLaunchTemplate('demo-ecs', { ImageId: OLD_AMI, InstanceType: 'm5.large' });
      const request = { LaunchTemplateId: lt.id, SourceVersion: '1', LaunchTemplateData: { ImageId: NEW_AMI }, ClientToken: 'efo-version-token' };

      // Act
      const first = world.router.call('ec2', 'CreateLaunchTemplateVersion', request) as { LaunchTemplateVersion: { VersionNumber: number } };
      const again = world.router.call('ec2', 'CreateLaunchTemplateVersion', structuredClone(request)) as { LaunchTemplateVersion: { VersionNumber: number } };
      const error = errorOf(world, 'ec2', 'CreateLaunchTemplateVersion', { ...request, LaunchTemplateData: { ImageId: 'ami-0ffffffffffffffff' } });

      // Assess
      expect(first.LaunchTemplateVersion.VersionNumber).toBe(2);
      expect(again.LaunchTemplateVersion.VersionNumber).toBe(2);
      expect(error.name).toBe('IdempotentParameterMismatch');
      expect(lt.versions).toHaveLength(2);
      expect(lt.versions[1].data).toEqual({ ImageId: NEW_AMI, InstanceType: 'm5.large' });
    });
  });
  describe('Method: DeleteLaunchTemplateVersions', () => {
    it('deletes a version, after which $Latest resolves to the highest remaining one', async () => {
      // Prepare
      const world = emptyAccount();
      const id = templateWithThreeVersions(world);

      // Act
      const res = await world.clients.ec2.send(new DeleteLaunchTemplateVersionsCommand({ LaunchTemplateId: id, Versions: ['3'] }));

      // Assess
      expect(res.SuccessfullyDeletedLaunchTemplateVersions).toEqual([{ LaunchTemplateId: id, LaunchTemplateName: 'demo-ecs', VersionNumber: 3 }]);
      expect(res.UnsuccessfullyDeletedLaunchTemplateVersions).toEqual([]);
      const { LaunchTemplateVersions } = await world.clients.ec2.send(new DescribeLaunchTemplateVersionsCommand({ LaunchTemplateId: id }));
      expect(LaunchTemplateVersions!.map((v) => v.VersionNumber)).toEqual([1, 2]);
      expect(resolved(world, id, '$Latest')).toBe(2);
    });

    it('keeps the default version, and reports an unknown version as launchTemplateVersionDoesNotExist', () => {
      // Prepare
      const world = emptyAccount();
      const id = templateWithThreeVersions(world);

      // Act
      const res = world.router.call('ec2', 'DeleteLaunchTemplateVersions', { LaunchTemplateId: id, Versions: ['1', '7', '2'] }) as {
        SuccessfullyDeletedLaunchTemplateVersions: { VersionNumber: number }[];
        UnsuccessfullyDeletedLaunchTemplateVersions: { VersionNumber: number; ResponseError: { Code: string } }[];
      };

      // Assess
      expect(res.SuccessfullyDeletedLaunchTemplateVersions.map((v) => v.VersionNumber)).toEqual([2]);
      expect(res.UnsuccessfullyDeletedLaunchTemplateVersions.map((v) => v.VersionNumber)).toEqual([1, 7]);
      expect(res.UnsuccessfullyDeletedLaunchTemplateVersions[1].ResponseError.Code).toBe('launchTemplateVersionDoesNotExist');
      expect(resolved(world, id, '$Default')).toBe(1);
      expect(world.ec2.findTemplate(id).versions.map((v) => v.number)).toEqual([1, 3]);
    });

    it('never gives a deleted version number to a new version', () => {
      // Prepare
      const world = emptyAccount();
      const id = templateWithThreeVersions(world);
      world.router.call('ec2', 'DeleteLaunchTemplateVersions', { LaunchTemplateId: id, Versions: ['2', '3'] });

      // Act
      const created = world.router.call('ec2', 'CreateLaunchTemplateVersion', { LaunchTemplateId: id, SourceVersion: '1', LaunchTemplateData: { InstanceType: 'm6i.large' } }) as {
        LaunchTemplateVersion: { VersionNumber: number };
      };

      // Assess
      expect(created.LaunchTemplateVersion.VersionNumber).toBe(4);
      expect(resolved(world, id, '$Latest')).toBe(4);
      expect(errorOf(world, 'ec2', 'DescribeLaunchTemplateVersions', { LaunchTemplateId: id, Versions: ['3'] }).name).toBe('InvalidLaunchTemplateId.VersionNotFound');
    });
  });
});
