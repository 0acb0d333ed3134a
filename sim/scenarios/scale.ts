import { Simulation, type Summary } from '../harness';
import type { World } from '../world';
import { baseAccount, buildCluster, buildGroupCluster, type BuiltCluster, type BuiltGroupCluster, type ClusterSpec } from './cluster';
import { formatClock, watchProgress } from './rollover';

/**
 * Scaling scenarios: a CloudWatch alarm (a scenario event — the simulator models no metrics)
 * reaches the alarm trigger Lambda, which starts the scale-service state machine.
 */

type AlarmState = 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';

/** What a CloudWatch alarm action publishes to SNS, as Lambda receives it (../shared/events/sns-cloudwatch-alarm.json). */
export function snsAlarmEvent(world: World, alarmName: string, newState: AlarmState = 'ALARM', oldState: AlarmState = 'OK', topic = 'ecs-fleet-ops-alarms') {
  const time = new Date(world.clock.now()).toISOString();
  const message = {
    AlarmName: alarmName,
    AlarmDescription: `${alarmName} (simulated)`,
    AWSAccountId: world.account,
    NewStateValue: newState,
    NewStateReason: `Threshold Crossed: 1 out of the last 1 datapoints was ${newState === 'ALARM' ? 'greater' : 'not greater'} than the threshold`,
    StateChangeTime: time.replace('Z', '+0000'),
    Region: 'US East (N. Virginia)',
    AlarmArn: `arn:aws:cloudwatch:${world.region}:${world.account}:alarm:${alarmName}`,
    OldStateValue: oldState,
    Trigger: { MetricName: 'RequestCountPerTarget', Namespace: 'AWS/ApplicationELB', Statistic: 'SUM', Period: 60, EvaluationPeriods: 1, ComparisonOperator: 'GreaterThanThreshold', Threshold: 1000 },
  };
  const topicArn = `arn:aws:sns:${world.region}:${world.account}:${topic}`;
  return {
    Records: [
      {
        EventSource: 'aws:sns',
        EventVersion: '1.0',
        EventSubscriptionArn: `${topicArn}:${world.rng.uuid()}`,
        Sns: { Type: 'Notification', MessageId: world.rng.uuid(), TopicArn: topicArn, Subject: `${newState}: "${alarmName}"`, Message: JSON.stringify(message), Timestamp: time, MessageAttributes: {} },
      },
    ],
  };
}

/** EventBridge's "CloudWatch Alarm State Change" (../shared/events/eventbridge-cloudwatch-alarm-state-change.json). */
export function eventBridgeAlarmEvent(world: World, alarmName: string, newState: AlarmState = 'ALARM', oldState: AlarmState = 'OK') {
  const at = new Date(world.clock.now()).toISOString();
  return {
    version: '0',
    id: world.rng.uuid(),
    'detail-type': 'CloudWatch Alarm State Change',
    source: 'aws.cloudwatch',
    account: world.account,
    time: at.replace(/\.\d{3}Z$/, 'Z'),
    region: world.region,
    resources: [`arn:aws:cloudwatch:${world.region}:${world.account}:alarm:${alarmName}`],
    detail: {
      alarmName,
      configuration: { description: `${alarmName} (simulated)`, metrics: [] },
      previousState: { reason: 'simulated', timestamp: at.replace('Z', '+0000'), value: oldState },
      state: { reason: 'simulated', timestamp: at.replace('Z', '+0000'), value: newState },
    },
  };
}

/**
 * The scaling cluster: one Spot Fleet whose cheapest launch option is c5.xlarge at 2 weighted units
 * (m5.large at 1 unit is the other option), and a web service of 1024-CPU tasks behind an ALB.
 * `units` of capacity hold 2 × units web tasks.
 */
export function scaleClusterSpec(units: number, webTasks: number): ClusterSpec {
  return {
    cluster: 'demo',
    targetCapacity: units,
    launch: [
      { instanceType: 'c5.xlarge', weight: 2 },
      { instanceType: 'm5.large', weight: 1 },
    ],
    allocationStrategy: 'lowestPrice',
    services: [
      { name: 'web', desiredCount: webTasks, cpu: 1024, memory: 512, containerPort: 8080, behindLoadBalancer: true, minimumHealthyPercent: 100, maximumPercent: 200 },
      { name: 'worker', desiredCount: 2, cpu: 256, memory: 256, minimumHealthyPercent: 50, maximumPercent: 200 },
    ],
    targetGroup: { name: 'demo-web', deregistrationDelaySeconds: 60, healthCheckIntervalSeconds: 10, healthyThreshold: 3 },
  };
}

export const SCALE_OUT_ALARM = 'demo-web-requests-high';
export const SCALE_IN_ALARM = 'demo-web-requests-low';

export interface ScaleWorld {
  sim: Simulation;
  built: BuiltCluster;
}

/** A simulated account with the scaling cluster settled and the stage params the scale functions read. */
export function scaleWorld(options: { seed?: number; units: number; webTasks: number; outStep: number; inStep: number; maxCapacity: number; minCapacity?: number; headroomInstances?: number; recordEvents?: boolean }): ScaleWorld {
  const sim = new Simulation({ seed: options.seed ?? 1, recordEvents: options.recordEvents ?? false });
  baseAccount(sim.world);
  const built = buildCluster(sim.world, scaleClusterSpec(options.units, options.webTasks));
  setScaleEnv(sim, options, { minCapacity: options.minCapacity ?? 2, maxCapacity: options.maxCapacity, ...(options.headroomInstances !== undefined ? { headroomInstances: options.headroomInstances } : {}) });
  return { sim, built };
}

/** The stage params of the scaling scenarios: the alarms of web, and the cluster's scaleFleets entry. */
function setScaleEnv(sim: Simulation, steps: { outStep: number; inStep: number }, entry: Record<string, unknown>): void {
  const bounds = { cluster: 'demo', service: 'web', min: 2, max: 40 };
  sim.setEnv({
    CLUSTERS: JSON.stringify([{ cluster: 'demo' }]),
    SCALE_ALARMS: JSON.stringify([
      { alarm: SCALE_OUT_ALARM, ...bounds, direction: 'out', step: steps.outStep, cooldownSeconds: 300 },
      { alarm: SCALE_IN_ALARM, ...bounds, direction: 'in', step: steps.inStep, cooldownSeconds: 600 },
    ]),
    SCALE_FLEETS: JSON.stringify([{ cluster: 'demo', ...entry }]),
  });
}

export const SCALE_GROUP = 'demo-asg';

export interface ScaleGroupWorld {
  sim: Simulation;
  built: BuiltGroupCluster;
}

/**
 * The scaling cluster on an Auto Scaling group of c5.xlarge (4 web tasks each) and no Spot Fleet,
 * with the stage params the scale functions read. The scaleFleets entry names no group unless
 * `nameGroup`: the one group of the cluster is found from its instances. Its bounds are in
 * instances and wider than the group's own (`minCapacity` 1, `maxCapacity` 12) unless given.
 */
export function scaleGroupWorld(options: {
  seed?: number;
  instances: number;
  webTasks: number;
  outStep: number;
  inStep: number;
  minSize?: number;
  maxSize: number;
  headroomInstances?: number;
  minCapacity?: number;
  maxCapacity?: number;
  nameGroup?: boolean;
  newInstancesProtectedFromScaleIn?: boolean;
  recordEvents?: boolean;
}): ScaleGroupWorld {
  const sim = new Simulation({ seed: options.seed ?? 1, recordEvents: options.recordEvents ?? false });
  baseAccount(sim.world);
  const built = buildGroupCluster(sim.world, scaleClusterSpec(0, options.webTasks), {
    name: SCALE_GROUP,
    minSize: options.minSize ?? 1,
    maxSize: options.maxSize,
    desiredCapacity: options.instances,
    instanceTypes: ['c5.xlarge'],
    newInstancesProtectedFromScaleIn: options.newInstancesProtectedFromScaleIn,
  });
  setScaleEnv(sim, options, {
    ...(options.nameGroup ? { groupName: SCALE_GROUP } : {}),
    minCapacity: options.minCapacity ?? 1,
    maxCapacity: options.maxCapacity ?? 12,
    ...(options.headroomInstances !== undefined ? { headroomInstances: options.headroomInstances } : {}),
  });
  return { sim, built };
}

/** Fleet units and instances, then each service's healthy/desired tasks. */
export function fleetLine(sim: Simulation, cluster: string): string {
  const c = sim.world.ecs.clusters.get(cluster);
  if (!c) return '';
  const fleets = [...sim.world.ec2.fleets.values()].filter((f) => f.state === 'active' || f.state === 'modifying');
  const units = fleets.map((f) => `${sim.world.ec2.fulfilledCapacity(f)}/${f.config.TargetCapacity} units`).join(', ');
  const live = [...c.containerInstances.values()].filter((ci) => ci.status !== 'INACTIVE');
  const draining = live.filter((ci) => ci.status === 'DRAINING').length;
  const tasks = [...c.services.values()].map((s) => `${s.name} ${s.healthyCount}/${s.desiredCount}`).join(', ');
  return `fleet ${units}, ${live.length} instances${draining ? ` (${draining} draining)` : ''} | healthy ${tasks}`;
}

/** The group's desired capacity and instances, then each service's healthy/desired tasks. */
export function groupLine(sim: Simulation, cluster: string): string {
  const c = sim.world.ecs.clusters.get(cluster);
  const group = sim.world.autoscaling.groups.get(SCALE_GROUP);
  if (!c || !group) return '';
  const inService = [...group.instances.values()].filter((m) => m.lifecycleState === 'InService').length;
  const live = [...c.containerInstances.values()].filter((ci) => ci.status !== 'INACTIVE');
  const draining = live.filter((ci) => ci.status === 'DRAINING').length;
  const tasks = [...c.services.values()].map((s) => `${s.name} ${s.healthyCount}/${s.desiredCount}`).join(', ');
  return `group desired ${group.desiredCapacity} (${group.minSize}..${group.maxSize}), ${inService} InService, ${live.length} instances${draining ? ` (${draining} draining)` : ''} | healthy ${tasks}`;
}

function say(sim: Simulation, print: ((line: string) => void) | undefined, from: number, what: string): void {
  print?.(`${formatClock(Math.round((sim.world.clock.now() - from) / 1000))}  ${what}`);
}

/** After the executions: their reports, then five more minutes of the world (new tasks healthy, nothing relaunched or killed). */
async function settle(sim: Simulation, print: ((line: string) => void) | undefined, from: number, line: (sim: Simulation, cluster: string) => string = fleetLine): Promise<void> {
  for (const e of sim.world.sfn.executions.values()) {
    const outcome = e.output ? (JSON.parse(e.output) as { outcome?: { message?: string } }).outcome : undefined;
    say(sim, print, from, `${e.name}: ${e.status}${outcome?.message ? ` — ${outcome.message}` : e.error ? ` — ${e.error}: ${e.cause}` : ''}`);
    if (e.status === 'SUCCEEDED') sim.world.invariants.checkNothingDraining('demo');
  }
  sim.world.advance(300);
  say(sim, print, from, `5 min later: ${line(sim, 'demo')}`);
}

/**
 * Scale-out: the cluster is full (2 × c5.xlarge = 4 units hold the 8 web tasks and the workers),
 * the high-request alarm goes off and reaches the trigger through SNS; the fleet must grow before
 * the 4 extra tasks can run.
 */
export async function runScaleOutScenario(options: { seed?: number; size?: number; onProgress?: (line: string) => void } = {}): Promise<{ sim: Simulation; summary: Summary }> {
  const size = options.size ?? 1;
  const { sim } = scaleWorld({ seed: options.seed, units: 4 * size, webTasks: 7 * size, outStep: 4 * size, inStep: 2, maxCapacity: 12 * size });
  try {
    const since = sim.world.router.calls.length;
    const from = sim.world.clock.now();
    say(sim, options.onProgress, from, `before: ${fleetLine(sim, 'demo')}`);
    if (options.onProgress) watchProgress(sim, 'demo', options.onProgress, fleetLine);
    await sim.runner.invoke('alarmScaleTrigger', snsAlarmEvent(sim.world, SCALE_OUT_ALARM));
    await sim.run();
    await settle(sim, options.onProgress, from);
    return { sim, summary: sim.summary('scale-out', since, from) };
  } finally {
    sim.dispose();
  }
}

/**
 * Scale-in: 4 × c5.xlarge (8 units) run 12 web tasks; the low-request alarm goes off and reaches
 * the trigger through EventBridge; web goes down to 6 tasks, every spare instance (headroom 0 here)
 * is drained — its tasks move — and only then taken out of the fleet: no task is killed.
 */
export async function runScaleInScenario(options: { seed?: number; size?: number; onProgress?: (line: string) => void } = {}): Promise<{ sim: Simulation; summary: Summary }> {
  const size = options.size ?? 1;
  const { sim } = scaleWorld({ seed: options.seed, units: 8 * size, webTasks: 12 * size, outStep: 2, inStep: 6 * size, maxCapacity: 12 * size, headroomInstances: 0 });
  try {
    const since = sim.world.router.calls.length;
    const from = sim.world.clock.now();
    say(sim, options.onProgress, from, `before: ${fleetLine(sim, 'demo')}`);
    if (options.onProgress) watchProgress(sim, 'demo', options.onProgress, fleetLine);
    await sim.runner.invoke('alarmScaleTrigger', eventBridgeAlarmEvent(sim.world, SCALE_IN_ALARM));
    await sim.run();
    await settle(sim, options.onProgress, from);
    return { sim, summary: sim.summary('scale-in', since, from) };
  } finally {
    sim.dispose();
  }
}

/** Runs one alarm through the trigger on the group cluster, and sums up with the group's figures. */
async function runGroupScenario(
  name: string,
  world: ScaleGroupWorld,
  alarm: (world: Simulation['world']) => object,
  onProgress: ((line: string) => void) | undefined,
): Promise<{ sim: Simulation; summary: Summary }> {
  const { sim } = world;
  try {
    const group = sim.world.autoscaling.groups.get(SCALE_GROUP)!;
    const desiredBefore = group.desiredCapacity;
    const since = sim.world.router.calls.length;
    const from = sim.world.clock.now();
    say(sim, onProgress, from, `before: ${groupLine(sim, 'demo')}`);
    if (onProgress) watchProgress(sim, 'demo', onProgress, groupLine);
    await sim.runner.invoke('alarmScaleTrigger', alarm(sim.world));
    await sim.run();
    await settle(sim, onProgress, from, groupLine);
    const summary = sim.summary(name, since, from);
    const terminated = sim.world.router.calls.slice(since).filter((c) => c.operation === 'TerminateInstanceInAutoScalingGroup' && !c.error).map((c) => (c.input as { InstanceId: string }).InstanceId);
    summary.notes = [
      `Auto Scaling group ${SCALE_GROUP}: desired capacity ${desiredBefore} → ${group.desiredCapacity} (min ${group.minSize}, max ${group.maxSize}), ${sim.world.autoscaling.liveInstances(group).length} live instances`,
      `instances terminated by name: ${terminated.length ? terminated.join(', ') : 'none'}`,
      `tasks killed: ${sim.world.invariants.tasksKilled}`,
    ];
    return { sim, summary };
  } finally {
    sim.dispose();
  }
}

/**
 * Scale-out on an Auto Scaling group: 2 × c5.xlarge (max size 6) run 7 web tasks and the workers,
 * full; the high-request alarm reaches the trigger through SNS; the group's desired capacity grows
 * by the one instance the 4 extra tasks need, and web gets them once it is ACTIVE in the cluster.
 */
export async function runScaleOutGroupScenario(options: { seed?: number; size?: number; onProgress?: (line: string) => void } = {}): Promise<{ sim: Simulation; summary: Summary }> {
  const size = options.size ?? 1;
  const world = scaleGroupWorld({ seed: options.seed, instances: 2 * size, webTasks: 7 * size, outStep: 4 * size, inStep: 2, maxSize: 6 * size, maxCapacity: 12 * size });
  return runGroupScenario('scale-out-asg', world, (w) => snsAlarmEvent(w, SCALE_OUT_ALARM), options.onProgress);
}

/**
 * Scale-in on an Auto Scaling group: 4 × c5.xlarge run 12 web tasks; the low-request alarm reaches
 * the trigger through EventBridge; web goes down to 6 tasks, every spare instance (headroom 0) is
 * drained, and only then terminated by name with the desired capacity decremented: no task killed,
 * none chosen by the group.
 */
export async function runScaleInGroupScenario(options: { seed?: number; size?: number; onProgress?: (line: string) => void } = {}): Promise<{ sim: Simulation; summary: Summary }> {
  const size = options.size ?? 1;
  const world = scaleGroupWorld({ seed: options.seed, instances: 4 * size, webTasks: 12 * size, outStep: 2, inStep: 6 * size, maxSize: 6 * size, maxCapacity: 12 * size, headroomInstances: 0 });
  return runGroupScenario('scale-in-asg', world, (w) => eventBridgeAlarmEvent(w, SCALE_IN_ALARM), options.onProgress);
}
