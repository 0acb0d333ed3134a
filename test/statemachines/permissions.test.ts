import type { Simulation } from '../../sim/harness';
import type { ServiceKey } from '../../sim/router';
import { addAutoScalingGroup } from '../../sim/scenarios/cluster';
import { runHybridRolloverScenario } from '../../sim/scenarios/hybrid';
import { runRolloverScenario } from '../../sim/scenarios/rollover';
import { runScaleInGroupScenario, runScaleInScenario, runScaleOutGroupScenario, runScaleOutScenario } from '../../sim/scenarios/scale';
import { runSpotInterruptionScenario, runSyncTargetsScenario } from '../../sim/scenarios/targets';
import { EXPECTED_ACTIONS } from '../template/expected-actions';
import { clusterOnOldAmi } from '../support/simulation';

/** The IAM service prefix of each simulated service. */
const IAM_PREFIX: Record<ServiceKey, string> = {
  ec2: 'ec2',
  ecs: 'ecs',
  elbv2: 'elasticloadbalancing',
  ssm: 'ssm',
  sfn: 'states',
  sns: 'sns',
  events: 'events',
  autoscaling: 'autoscaling',
  applicationAutoScaling: 'application-autoscaling',
} as Record<ServiceKey, string>;

/** Granted only when the deployment sets notifyTopicArn (the dev stage sets none; the simulator has a topic). */
const WITH_NOTIFY_TOPIC: Record<string, string[]> = { rolloverNotify: ['sns:Publish'], scaleReport: ['sns:Publish'] };

/** Every call a function made that its role (EXPECTED_ACTIONS, matched exactly by the template test) does not allow. */
function beyondRole(sim: Simulation): string[] {
  const out = new Set<string>();
  for (const call of sim.world.router.calls) {
    if (!call.by) continue;
    const action = `${IAM_PREFIX[call.service]}:${call.operation}`;
    const allowed = [...(EXPECTED_ACTIONS[call.by] ?? []), ...(WITH_NOTIFY_TOPIC[call.by] ?? [])];
    if (!allowed.includes(action)) out.add(`${call.by} → ${action}`);
  }
  return [...out].sort();
}

/** A group rollover that rolls back: a launch hook holds the new instances past the deadline. */
async function groupRollback(): Promise<{ sim: Simulation }> {
  const { sim } = clusterOnOldAmi();
  addAutoScalingGroup(sim.world, {
    cluster: 'demo',
    name: 'demo-asg',
    minSize: 1,
    maxSize: 3,
    desiredCapacity: 2,
    instanceTypes: ['m5.large'],
    lifecycleHooks: [{ LifecycleHookName: 'bootstrap', LifecycleTransition: 'autoscaling:EC2_INSTANCE_LAUNCHING', HeartbeatTimeout: 7200, DefaultResult: 'CONTINUE' }],
  });
  sim.startRollover({ cluster: 'demo', replacementTimeoutSeconds: 900 });
  await sim.run();
  sim.dispose();
  return { sim };
}

describe('Permissions: every call a handler makes on the simulator is one its IAM role allows', () => {
  it.each([
    ['rollover', () => runRolloverScenario({ seed: 1 })],
    ['hybrid-rollover', () => runHybridRolloverScenario({ seed: 1 })],
    ['group rollback', groupRollback],
    ['sync-targets', () => runSyncTargetsScenario({ seed: 1 })],
    ['spot-interruption', () => runSpotInterruptionScenario({ seed: 1 })],
    ['scale-out', () => runScaleOutScenario({ seed: 1 })],
    ['scale-in', () => runScaleInScenario({ seed: 1 })],
    ['scale-out-asg', () => runScaleOutGroupScenario({ seed: 1 })],
    ['scale-in-asg', () => runScaleInGroupScenario({ seed: 1 })],
  ])('%s', async (_name, run) => {
    // Act
    const { sim } = await run();

    // Assess
    expect(sim.world.router.calls.filter((c) => c.by).length).toBeGreaterThan(0);
    expect(beyondRole(sim)).toEqual([]);
  });
});
