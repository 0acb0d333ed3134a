import { SPOT_FLEET_DIMENSION } from '../../sim/aws/application-autoscaling';
import { NEW_AMI } from '../../sim/scenarios/cluster';
import type { World } from '../../sim/world';
import { handler as copyScaling } from '../../functions/rollover/copy-scaling';
import { useClients } from '../../functions/lib/clients';
import type { RolloverState } from '../../functions/rollover/state';
import { clusterOnOldAmi, fleetsOf, type TestCluster } from '../support/simulation';

let t: TestCluster | undefined;

afterEach(() => {
  useClients(undefined);
  t?.sim.dispose();
  t = undefined;
});

const target = (fleetId: string) => ({ ServiceNamespace: 'ec2', ResourceId: `spot-fleet-request/${fleetId}`, ScalableDimension: SPOT_FLEET_DIMENSION });

/** What an operator registers on a fleet: bounds with dynamic scale-in suspended, two policies and a schedule. */
function registerScaling(world: World, fleetId: string): void {
  const aas = (operation: string, input: object) => world.router.call('applicationAutoScaling', operation, { ...target(fleetId), ...input });
  aas('RegisterScalableTarget', { MinCapacity: 2, MaxCapacity: 12, SuspendedState: { DynamicScalingInSuspended: true } });
  aas('PutScalingPolicy', {
    PolicyName: 'cpu-60',
    PolicyType: 'TargetTrackingScaling',
    TargetTrackingScalingPolicyConfiguration: { TargetValue: 60, PredefinedMetricSpecification: { PredefinedMetricType: 'EC2SpotFleetRequestAverageCPUUtilization' }, ScaleInCooldown: 300 },
  });
  aas('PutScalingPolicy', {
    PolicyName: 'queue-steps',
    PolicyType: 'StepScaling',
    StepScalingPolicyConfiguration: { AdjustmentType: 'ChangeInCapacity', StepAdjustments: [{ MetricIntervalLowerBound: 0, ScalingAdjustment: 2 }], Cooldown: 120 },
  });
  aas('PutScheduledAction', { ScheduledActionName: 'nightly-floor', Schedule: 'cron(0 22 * * ? *)', Timezone: 'Europe/Paris', ScalableTargetAction: { MinCapacity: 1, MaxCapacity: 4 } });
}

/** The registrations of a fleet without the ids AWS assigns, for comparing two fleets. */
function comparable(world: World, fleetId: string) {
  const r = world.applicationAutoScaling.registrationsOf(`spot-fleet-request/${fleetId}`);
  return {
    target: r.target && { min: r.target.MinCapacity, max: r.target.MaxCapacity, suspended: r.target.SuspendedState },
    policies: r.policies.map((p) => ({ name: p.PolicyName, type: p.PolicyType, step: p.StepScalingPolicyConfiguration, tracking: p.TargetTrackingScalingPolicyConfiguration })),
    scheduledActions: r.scheduledActions.map((a) => ({ name: a.ScheduledActionName, schedule: a.Schedule, timezone: a.Timezone, action: a.ScalableTargetAction })),
  };
}

describe('State machine: ami-rollover (Application Auto Scaling carry-over)', () => {
  it('copies the scalable target, policies and scheduled actions to the replacement and removes them from the retired fleet', async () => {
    // Prepare
    t = clusterOnOldAmi();
    const { sim, built } = t;
    registerScaling(sim.world, built.fleetId);
    const before = comparable(sim.world, built.fleetId);

    // Act
    const arn = sim.startRollover({ cluster: 'demo' });
    await sim.run();

    // Assess
    const execution = sim.execution(arn);
    expect(execution.status).toBe('SUCCEEDED');
    expect(JSON.parse(execution.output!).scaling).toEqual({ fleets: 1, policies: 2, scheduledActions: 1 });
    const replacement = fleetsOf(sim).find((f) => f.id !== built.fleetId)!;
    expect(comparable(sim.world, replacement.id)).toEqual(before);
    expect(before.target).toEqual({ min: 2, max: 12, suspended: { DynamicScalingInSuspended: true, DynamicScalingOutSuspended: false, ScheduledScalingSuspended: false } });
    expect(comparable(sim.world, built.fleetId)).toEqual({ target: undefined, policies: [], scheduledActions: [] });
    expect(sim.world.invariants.violations).toEqual([]);
  });

  it('makes no Application Auto Scaling change for a fleet without a scalable target', async () => {
    // Prepare
    t = clusterOnOldAmi();
    const { sim, mark } = t;

    // Act
    const arn = sim.startRollover({ cluster: 'demo' });
    await sim.run();

    // Assess
    expect(sim.execution(arn).status).toBe('SUCCEEDED');
    const aas = sim.world.router.mutatingCalls(mark).filter((c) => c.service === 'applicationAutoScaling');
    expect(aas).toEqual([]);
    expect(sim.world.applicationAutoScaling.targets.size).toBe(0);
  });

  it('rolls back: what was copied to the cancelled replacement is removed, the old fleet keeps its registrations', async () => {
    // Prepare: the new AMI's agent never connects, so the replacement never becomes ready.
    t = clusterOnOldAmi();
    const { sim, built } = t;
    registerScaling(sim.world, built.fleetId);
    const before = comparable(sim.world, built.fleetId);
    sim.world.ecs.behaviour.agentNeverConnectsOn.add(NEW_AMI);

    // Act
    const arn = sim.startRollover({ cluster: 'demo', replacementTimeoutSeconds: 600 });
    await sim.run();

    // Assess
    const execution = sim.execution(arn);
    expect(execution.status).toBe('FAILED');
    expect(execution.error).toBe('ReplacementFailed');
    const replacement = fleetsOf(sim).find((f) => f.id !== built.fleetId)!;
    expect(replacement.state.startsWith('cancelled')).toBe(true);
    expect(comparable(sim.world, replacement.id)).toEqual({ target: undefined, policies: [], scheduledActions: [] });
    expect(comparable(sim.world, built.fleetId)).toEqual(before);
  });

  it('converges when the step runs again (a Lambda retry): same registrations, none duplicated', async () => {
    // Prepare
    t = clusterOnOldAmi();
    const { sim, built } = t;
    registerScaling(sim.world, built.fleetId);
    const newFleetId = sim.world.router.call('ec2', 'RequestSpotFleet', {
      SpotFleetRequestConfig: { ...structuredClone(sim.world.ec2.fleets.get(built.fleetId)!.config), ClientToken: 'retry-test' },
    }) as { SpotFleetRequestId: string };
    const state = { request: { cluster: 'demo' }, execution: { id: 'x', name: 'x', startedAt: '' }, replacement: { fleets: [{ oldFleetId: built.fleetId, newFleetId: newFleetId.SpotFleetRequestId }] } } as unknown as RolloverState;
    useClients(sim.world.clients);

    // Act
    const first = await copyScaling(state);
    const second = await copyScaling(state);

    // Assess
    expect(second).toEqual(first);
    expect(comparable(sim.world, newFleetId.SpotFleetRequestId)).toEqual(comparable(sim.world, built.fleetId));
    expect(sim.world.applicationAutoScaling.policies.size).toBe(4);
    expect(sim.world.applicationAutoScaling.scheduledActions.size).toBe(2);
  });
});
