import { DescribeScalableTargetsCommand, RegisterScalableTargetCommand } from '@aws-sdk/client-application-auto-scaling';
import { SPOT_FLEET_DIMENSION } from '../../../sim/aws/application-autoscaling';
import { emptyAccount, errorOf, requestFleet } from './helpers';

const target = (fleetId: string) => ({ ServiceNamespace: 'ec2' as const, ResourceId: `spot-fleet-request/${fleetId}`, ScalableDimension: SPOT_FLEET_DIMENSION as typeof SPOT_FLEET_DIMENSION });

describe('Class: ApplicationAutoScalingSim', () => {
  describe('Method: RegisterScalableTarget', () => {
    it('registers a Spot Fleet target and updates it in place, keeping what is not given', async () => {
      // Prepare
      const world = emptyAccount();
      const fleetId = requestFleet(world);
      const aas = world.clients.applicationAutoScaling;

      // Act
      await aas.send(new RegisterScalableTargetCommand({ ...target(fleetId), MinCapacity: 1, MaxCapacity: 6 }));
      await aas.send(new RegisterScalableTargetCommand({ ...target(fleetId), SuspendedState: { DynamicScalingInSuspended: true } }));
      const res = await aas.send(new DescribeScalableTargetsCommand({ ServiceNamespace: 'ec2', ResourceIds: [`spot-fleet-request/${fleetId}`] }));

      // Assess
      expect(res.ScalableTargets).toHaveLength(1);
      expect(res.ScalableTargets![0]).toMatchObject({ MinCapacity: 1, MaxCapacity: 6, SuspendedState: { DynamicScalingInSuspended: true, DynamicScalingOutSuspended: false, ScheduledScalingSuspended: false } });
    });

    it('refuses a new target without bounds, min above max, and a fleet that does not exist', () => {
      // Prepare
      const world = emptyAccount();
      const fleetId = requestFleet(world);

      // Act
      const noBounds = errorOf(world, 'applicationAutoScaling', 'RegisterScalableTarget', target(fleetId));
      const inverted = errorOf(world, 'applicationAutoScaling', 'RegisterScalableTarget', { ...target(fleetId), MinCapacity: 5, MaxCapacity: 2 });
      const missing = errorOf(world, 'applicationAutoScaling', 'RegisterScalableTarget', { ...target('sfr-00000000-0000-0000-0000-000000000000'), MinCapacity: 1, MaxCapacity: 2 });

      // Assess
      expect([noBounds.name, inverted.name, missing.name]).toEqual(['ValidationException', 'ValidationException', 'ValidationException']);
      expect(world.applicationAutoScaling.targets.size).toBe(0);
    });
  });

  describe('Method: PutScalingPolicy / PutScheduledAction', () => {
    it('needs a registered target, and deregistering the target deletes its policies and scheduled actions', () => {
      // Prepare
      const world = emptyAccount();
      const fleetId = requestFleet(world);
      const policy = { ...target(fleetId), PolicyName: 'cpu60', PolicyType: 'TargetTrackingScaling', TargetTrackingScalingPolicyConfiguration: { TargetValue: 60, PredefinedMetricSpecification: { PredefinedMetricType: 'EC2SpotFleetRequestAverageCPUUtilization' } } };
      const unregistered = errorOf(world, 'applicationAutoScaling', 'PutScalingPolicy', policy);
      world.router.call('applicationAutoScaling', 'RegisterScalableTarget', { ...target(fleetId), MinCapacity: 1, MaxCapacity: 6 });

      // Act
      const put = world.router.call('applicationAutoScaling', 'PutScalingPolicy', policy) as { Alarms: unknown[] };
      world.router.call('applicationAutoScaling', 'PutScheduledAction', { ...target(fleetId), ScheduledActionName: 'night', Schedule: 'cron(0 22 * * ? *)', ScalableTargetAction: { MinCapacity: 1, MaxCapacity: 2 } });
      const badSchedule = errorOf(world, 'applicationAutoScaling', 'PutScheduledAction', { ...target(fleetId), ScheduledActionName: 'bad', Schedule: 'every night' });
      const before = world.applicationAutoScaling.registrationsOf(`spot-fleet-request/${fleetId}`);
      world.router.call('applicationAutoScaling', 'DeregisterScalableTarget', target(fleetId));
      const after = world.applicationAutoScaling.registrationsOf(`spot-fleet-request/${fleetId}`);
      const again = errorOf(world, 'applicationAutoScaling', 'DeregisterScalableTarget', target(fleetId));

      // Assess
      expect(unregistered.name).toBe('ObjectNotFoundException');
      expect(put.Alarms).toHaveLength(2);
      expect(badSchedule.name).toBe('ValidationException');
      expect([before.policies.length, before.scheduledActions.length]).toEqual([1, 1]);
      expect(after).toEqual({ target: undefined, policies: [], scheduledActions: [] });
      expect(again.name).toBe('ObjectNotFoundException');
    });
  });
});
