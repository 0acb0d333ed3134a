import { Simulation, type Summary } from '../harness';
import { SPOT_FLEET_DIMENSION } from '../aws/application-autoscaling';
import { NEW_AMI, addAutoScalingGroup, baseAccount, buildCluster, defaultClusterSpec, releaseNewAmi } from './cluster';
import { rollFromSchedule, watchProgress } from './rollover';

export interface HybridScenarioOptions {
  seed?: number;
  size?: number;
  onProgress?: (line: string) => void;
  live?: boolean;
}

/**
 * A cluster half on a Spot Fleet (with a scalable target, a target tracking and a step policy
 * and a scheduled action on it), half on an Auto Scaling group; AWS releases a new ECS AMI and
 * the scheduled trigger starts the rollover.
 */
export async function runHybridRolloverScenario(options: HybridScenarioOptions = {}): Promise<{ sim: Simulation; summary: Summary }> {
  const size = options.size ?? 1;
  const spec = { ...defaultClusterSpec(size), targetCapacity: 3 * size };
  const sim = new Simulation({ seed: options.seed ?? 1, recordEvents: false, env: { CLUSTERS: JSON.stringify([{ cluster: spec.cluster }]) } });
  try {
    baseAccount(sim.world);
    const built = buildCluster(sim.world, spec);
    // The group's max leaves no room for old and new side by side (raised for the roll, then put back);
    // a termination lifecycle hook runs for every instance the roll terminates.
    const groupName = `${spec.cluster}-asg`;
    addAutoScalingGroup(sim.world, {
      cluster: spec.cluster,
      name: groupName,
      minSize: 1,
      maxSize: 4 * size,
      desiredCapacity: 3 * size,
      instanceTypes: ['m5.large', 'm6i.large'],
      lifecycleHooks: [{ LifecycleHookName: 'log-termination', LifecycleTransition: 'autoscaling:EC2_INSTANCE_TERMINATING', HeartbeatTimeout: 60, DefaultResult: 'CONTINUE' }],
    });
    const groupBefore = groupShape(sim, groupName);
    const resource = { ServiceNamespace: 'ec2', ResourceId: `spot-fleet-request/${built.fleetId}`, ScalableDimension: SPOT_FLEET_DIMENSION };
    const aas = (operation: string, input: object) => sim.world.router.call('applicationAutoScaling', operation, { ...resource, ...input });
    aas('RegisterScalableTarget', { MinCapacity: 2 * size, MaxCapacity: 12 * size });
    aas('PutScalingPolicy', {
      PolicyName: 'cpu-60',
      PolicyType: 'TargetTrackingScaling',
      TargetTrackingScalingPolicyConfiguration: { TargetValue: 60, PredefinedMetricSpecification: { PredefinedMetricType: 'EC2SpotFleetRequestAverageCPUUtilization' } },
    });
    aas('PutScalingPolicy', { PolicyName: 'burst', PolicyType: 'StepScaling', StepScalingPolicyConfiguration: { AdjustmentType: 'ChangeInCapacity', StepAdjustments: [{ MetricIntervalLowerBound: 0, ScalingAdjustment: 2 }] } });
    aas('PutScheduledAction', { ScheduledActionName: 'night', Schedule: 'cron(0 22 * * ? *)', ScalableTargetAction: { MinCapacity: 1, MaxCapacity: 4 * size } });
    releaseNewAmi(sim.world);
    const since = sim.world.router.calls.length;
    const from = sim.world.clock.now();
    if (options.onProgress && !options.live) watchProgress(sim, spec.cluster, options.onProgress);
    await rollFromSchedule(sim);

    const summary = sim.summary('hybrid-rollover', since, from);
    const fleets = [...sim.world.ec2.fleets.values()];
    const replacement = fleets.find((f) => f.id !== built.fleetId);
    const carried = replacement ? sim.world.applicationAutoScaling.registrationsOf(`spot-fleet-request/${replacement.id}`) : undefined;
    const left = sim.world.applicationAutoScaling.registrationsOf(`spot-fleet-request/${built.fleetId}`);
    const group = sim.world.autoscaling.groups.get(groupName)!;
    const groupAmis = sim.world.autoscaling.liveInstances(group).map((m) => sim.world.ec2.instances.get(m.id)!.imageId);
    const groupAfter = groupShape(sim, groupName);
    const clusterAmis = [...sim.world.ecs.clusters.get(spec.cluster)!.containerInstances.values()]
      .filter((ci) => ci.status === 'ACTIVE')
      .map((ci) => sim.world.ec2.instances.get(ci.instanceId))
      .filter((i) => i?.state === 'running')
      .map((i) => i!.imageId);
    const fleetOnNew = sim.world.ec2.instancesOfFleet(replacement?.id ?? '').filter((i) => i.imageId === NEW_AMI && i.state === 'running').length;
    summary.notes = [
      `Spot Fleet half: ${built.fleetId} → ${replacement?.id ?? 'none'} (${fleetOnNew} instances on ${NEW_AMI})`,
      `scaling carried over: target ${carried?.target ? `${carried.target.MinCapacity}..${carried.target.MaxCapacity}` : 'none'}, ${carried?.policies.length ?? 0} policies, ${carried?.scheduledActions.length ?? 0} scheduled actions; left on the retired fleet: ${left.target ? 1 : 0} target, ${left.policies.length} policies`,
      `Auto Scaling group half: ${groupAmis.filter((a) => a === NEW_AMI).length}/${groupAmis.length} instances on ${NEW_AMI}; group before ${groupBefore}, after ${groupAfter}`,
      `cluster: ${clusterAmis.filter((a) => a === NEW_AMI).length}/${clusterAmis.length} ACTIVE container instances on ${NEW_AMI}; ${[...group.instances.values()].filter((m) => m.lifecycleState === 'Terminating:Wait').length} old group instance(s) held by the termination lifecycle hook`,
    ];
    // Done only when the whole cluster moved, the group is back to its shape, and the fleet's scaling came along.
    const sameShape = groupAfter.replace(/ template \S+/, '') === groupBefore.replace(/ template \S+/, '');
    summary.ok = summary.ok && clusterAmis.length > 0 && clusterAmis.every((a) => a === NEW_AMI) && sameShape && Boolean(carried?.target) && left.policies.length === 0;
    return { sim, summary };
  } finally {
    sim.dispose();
  }
}

/** "desired 3 min 1 max 4, processes suspended: none, template lt-…:$Latest, roll tag: none" */
function groupShape(sim: Simulation, name: string): string {
  const g = sim.world.autoscaling.groups.get(name)!;
  const ref = g.launchTemplate ?? g.mixedInstancesPolicy?.LaunchTemplate?.LaunchTemplateSpecification;
  const tag = g.tags.find((t) => t.Key === 'ecs-fleet-ops:rollover');
  return `desired ${g.desiredCapacity} min ${g.minSize} max ${g.maxSize}, suspended: ${[...g.suspended.keys()].join('+') || 'none'}, roll tag: ${tag ? 'present' : 'none'}, template ${ref?.LaunchTemplateId}:${ref?.Version}`;
}
