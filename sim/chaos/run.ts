import { Simulation } from '../harness';
import { Rng } from '../rng';
import { addAutoScalingGroup, baseAccount, buildCluster, defaultClusterSpec, NEW_AMI, OLD_AMI, releaseNewAmi } from '../scenarios/cluster';
import { bindingMismatches, type BindingSpec } from '../scenarios/targets';
import { eventBridgeAlarmEvent, snsAlarmEvent } from '../scenarios/scale';
import type { FaultSettings } from '../faults';
import type { Violation } from '../invariants';
import { ErrorNames } from '../../functions/lib/errors';

export interface ChaosRun {
  seed: number;
  workflows: Record<string, number>;
  outcomes: Record<string, number>;
  faults: Record<string, number>;
  violations: Violation[];
  virtualSeconds: number;
  /** The run's longest Lambda invocation (virtual ms) and its function; invocations stopped at their timeout. */
  longestInvocation: { functionName: string; ms: number };
  timedOutInvocations: number;
}

const NAMED = new Set<string>(Object.values(ErrorNames));
const LAST_EVENT_SECONDS = 30 * 60;
const BUDGET_SECONDS = 4 * 3600;

function pickFaults(rng: Rng): Partial<FaultSettings> {
  return {
    throttling: rng.chance(0.5),
    serverErrorRate: rng.chance(0.5) ? 0.03 : 0,
    listLagSeconds: rng.chance(0.5) ? 45 : 0,
    agentNeverConnectsRate: rng.chance(0.25) ? 0.15 : 0,
    agentDisconnectRate: rng.chance(0.3) ? 0.25 : 0,
    taskStartFailureRate: rng.chance(0.3) ? 0.08 : 0,
    handlerCrashRate: rng.chance(0.5) ? 0.06 : 0,
  };
}

/**
 * One seeded random run: the default cluster (varied), a rollover with random options, target
 * syncs on a schedule and on events, spot interruptions at random times on old and new fleets,
 * faults switched on at random — all at once, as AWS would allow. Invariants are checked at every
 * tick by the world; the end checks here add what only the end can tell.
 */
export async function chaosRun(seed: number): Promise<ChaosRun> {
  const rng = new Rng(seed);
  const sim = new Simulation({ seed, recordEvents: false, env: { CLUSTERS: JSON.stringify([{ cluster: 'demo' }]) } });
  const violations: Violation[] = [];
  const violate = (kind: string, message: string) => violations.push({ kind: kind as Violation['kind'], at: sim.world.clock.iso(), message });
  try {
    baseAccount(sim.world);
    const spec = {
      ...defaultClusterSpec(),
      useLaunchTemplate: rng.chance(0.3),
      spotDraining: rng.chance(0.3),
      standaloneTasks: rng.chance(0.25) ? [{ family: 'forever-batch', cpu: 128, memory: 128 }] : [{ family: 'nightly-report', cpu: 128, memory: 128, runSeconds: rng.int(60, 900) }],
    };
    const built = buildCluster(sim.world, spec);
    // A third of the runs: an Auto Scaling group beside the fleet (its max sometimes too small for the roll).
    const group = rng.chance(0.35) ? { name: 'demo-asg', minSize: 1, maxSize: rng.pick([3, 6]), desiredCapacity: 2 } : undefined;
    if (group) addAutoScalingGroup(sim.world, { cluster: 'demo', instanceTypes: ['m5.large', 'm6i.large'], ...group });
    const bound = sim.world.elbv2.createTargetGroup('demo-instances', 9000, { deregistrationDelaySeconds: 30, healthCheck: { intervalSeconds: 10, healthyThreshold: 2 } });
    const bindings: BindingSpec[] = [{ cluster: 'demo', targetGroupArn: bound.arn, port: 9000 }];
    sim.setEnv({
      TARGET_BINDINGS: JSON.stringify(bindings),
      SCALE_ALARMS: JSON.stringify([
        { alarm: 'chaos-web-high', cluster: 'demo', service: 'web', min: 2, max: 12, direction: 'out', step: 2, cooldownSeconds: 300 },
        { alarm: 'chaos-web-low', cluster: 'demo', service: 'web', min: 2, max: 12, direction: 'in', step: 2, cooldownSeconds: 300 },
      ]),
      SCALE_FLEETS: JSON.stringify([{ cluster: 'demo', minCapacity: 2, maxCapacity: 14 }]),
    });
    releaseNewAmi(sim.world);
    sim.world.faults.configure(pickFaults(rng));
    sim.connectEventRules();
    const start = sim.world.clock.now();

    const rollover = sim.startRollover({
      cluster: 'demo',
      drain: { batchPercent: rng.pick([50, 100]), standaloneTasks: rng.pick(['wait', 'stop'] as const), timeoutSeconds: rng.pick([600, 1200]) },
      replacementTimeoutSeconds: 900,
    });
    const interruptions = rng.int(0, 2);
    for (let i = 0; i < interruptions; i++) {
      sim.world.clock.after(rng.between(30, LAST_EVENT_SECONDS), 'chaos: spot interruption', () => {
        // Fleet instances, and the group's (as if its mixed instances policy ran spot capacity).
        const running = [...sim.world.ec2.instances.values()].filter((x) => x.state === 'running' && (x.fleetId || sim.world.autoscaling.groupOf(x.id)) && !x.interruptionAt);
        if (running.length) {
          sim.world.faults.count('spot interruption');
          sim.world.interruptSpotInstance(rng.pick(running).id);
        }
      });
    }
    // Alarms: a scale-out or scale-in of the web service at random moments (SNS or EventBridge).
    const alarms = rng.int(0, 3);
    for (let i = 0; i < alarms; i++) {
      const name = rng.pick(['chaos-web-high', 'chaos-web-low']);
      const viaSns = rng.chance(0.5);
      sim.world.clock.after(rng.between(10, LAST_EVENT_SECONDS), 'chaos: alarm', () => {
        sim.world.faults.count('alarm');
        sim.runner.invokeAsync('alarmScaleTrigger', viaSns ? snsAlarmEvent(sim.world, name) : eventBridgeAlarmEvent(sim.world, name));
      });
    }
    // The scheduled sync, every five minutes.
    for (let t = 300; t <= LAST_EVENT_SECONDS + 900; t += 300) {
      sim.world.clock.after(t, 'chaos: scheduled sync', () => sim.world.router.call('sfn', 'StartExecution', { stateMachineArn: sim.arns.syncTargets, input: JSON.stringify({ reason: 'schedule' }) }));
    }

    const running = () => [...sim.world.sfn.executions.values()].some((e) => e.status === 'RUNNING');
    while ((sim.world.clock.now() - start) / 1000 < LAST_EVENT_SECONDS + 1200 || running()) {
      await sim.runner.advance(300);
      if ((sim.world.clock.now() - start) / 1000 > BUDGET_SECONDS) break;
    }

    // End checks.
    const executions = [...sim.world.sfn.executions.values()];
    for (const e of executions) {
      if (e.status === 'RUNNING') violate('execution-never-ended', `${e.name} still running after ${BUDGET_SECONDS} s`);
      if (e.status === 'FAILED' && !NAMED.has(e.error ?? '')) violate('unnamed-failure', `${e.name} failed with ${e.error}: ${e.cause?.slice(0, 200)}`);
    }
    const r = sim.execution(rollover);
    const activeFleets = [...sim.world.ec2.fleets.values()].filter((f) => f.state === 'active' || f.state === 'modifying');
    if (r.status === 'SUCCEEDED') {
      if (activeFleets.some((f) => f.id === built.fleetId)) violate('fleet-leaked', 'the old fleet is still active after a successful rollover');
      if (activeFleets.length !== 1) violate('fleet-leaked', `${activeFleets.length} active fleets after a successful rollover`);
    } else if (r.status === 'FAILED' && r.error !== ErrorNames.RollbackIncomplete) {
      if (activeFleets.length !== 1 || activeFleets[0].id !== built.fleetId) violate('fleet-leaked', `after ${r.error}: active fleets ${activeFleets.map((f) => f.id).join(', ')}`);
    }
    if (group) {
      const g = sim.world.autoscaling.groups.get(group.name)!;
      const ref = g.mixedInstancesPolicy?.LaunchTemplate?.LaunchTemplateSpecification ?? g.launchTemplate;
      const shape = `desired ${g.desiredCapacity} max ${g.maxSize} template ${ref?.Version} suspended ${[...g.suspended.keys()].join('+') || 'none'} tag ${g.tags.some((t) => t.Key === 'ecs-fleet-ops:rollover') ? 'left' : 'none'}`;
      const expected = `desired ${group.desiredCapacity} max ${group.maxSize} template $Latest suspended none tag none`;
      if (r.status !== 'RUNNING' && r.error !== ErrorNames.RollbackIncomplete && shape !== expected) violate('group-not-restored', `group after ${r.status} ${r.error ?? ''}: ${shape} (expected ${expected})`);
      const amis = sim.world.autoscaling.liveInstances(g).map((m) => sim.world.ec2.instances.get(m.id)?.imageId);
      const want = r.status === 'SUCCEEDED' ? NEW_AMI : r.error === ErrorNames.RollbackIncomplete ? undefined : OLD_AMI;
      if (want && amis.some((a) => a !== want)) violate('group-not-restored', `group instances on ${amis.join(', ')} after ${r.status} ${r.error ?? ''} (expected all on ${want})`);
    }
    const activeIds = new Set(activeFleets.map((f) => f.id));
    for (const i of sim.world.ec2.instances.values()) {
      if ((i.state === 'running' || i.state === 'pending') && i.fleetId && !activeIds.has(i.fleetId)) violate('instance-leaked', `${i.id} runs but its fleet ${i.fleetId} is not active`);
    }
    for (const ci of sim.world.ecs.cluster('demo').containerInstances.values()) {
      const i = sim.world.ec2.instances.get(ci.instanceId);
      if (ci.status === 'DRAINING' && i?.state === 'running' && !i.interruptionAt && !i.tags.has('ecs-fleet-ops:interrupted')) {
        violate('left-draining', `${ci.instanceId} (${ci.attributes['ecs.ami-id'] === NEW_AMI ? 'new' : 'old'}) left DRAINING after the rollover ended ${r.status}`);
      }
    }
    for (const s of sim.world.ecs.cluster('demo').services.values()) {
      const runningTasks = [...s.tasks].filter((t) => t.desiredStatus === 'RUNNING' && t.lastStatus === 'RUNNING').length;
      const capacityShort = s.events.some((e) => /unable to place/.test(e.message) && sim.world.clock.now() - e.createdAt < 900_000);
      if (runningTasks < s.desiredCount && !capacityShort) violate('task-lost', `service ${s.name}: ${runningTasks}/${s.desiredCount} running at the end, and not for want of capacity`);
    }
    // One more sync after everything settled: no target may stay registered for a dead instance.
    sim.world.router.call('sfn', 'StartExecution', { stateMachineArn: sim.arns.syncTargets, input: JSON.stringify({ reason: 'final' }) });
    await sim.run();
    sim.world.advance(60);
    for (const problem of bindingMismatches(sim.world, bindings)) if (problem.includes('still holds')) violate('target-out-of-sync', problem);

    const workflows: Record<string, number> = {};
    const outcomes: Record<string, number> = {};
    for (const e of executions) {
      const machine = Object.entries(sim.arns).find(([, arn]) => arn === e.stateMachineArn)?.[0] ?? 'unknown';
      workflows[machine] = (workflows[machine] ?? 0) + 1;
      // Rollovers of a cluster with an Auto Scaling group beside its fleet are counted apart.
      const kind = machine === 'amiRollover' && group ? 'amiRollover (fleet + group)' : machine;
      const key = `${kind} ${e.status}${e.error ? ` ${e.error}` : ''}`;
      outcomes[key] = (outcomes[key] ?? 0) + 1;
    }
    return {
      seed,
      workflows,
      outcomes,
      faults: { ...sim.world.faults.injected },
      violations: [...sim.world.invariants.violations, ...violations],
      virtualSeconds: Math.round((sim.world.clock.now() - start) / 1000),
      longestInvocation: { functionName: sim.runner.stats.longestInvocationFunction, ms: sim.runner.stats.longestInvocationMs },
      timedOutInvocations: sim.runner.stats.timedOutInvocations,
    };
  } finally {
    sim.dispose();
  }
}
