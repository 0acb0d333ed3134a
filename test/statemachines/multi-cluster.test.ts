import fs from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { loadRolloverTargets } from '../../functions/lib/rollover-targets';
import { Simulation } from '../../sim/harness';
import { AL2023_PARAMETER, NEW_AMI, OLD_AMI, baseAccount, buildCluster, releaseNewAmi, type BuiltCluster } from '../../sim/scenarios/cluster';
import { MULTI_CLUSTER_PARAMS, multiClusterSpecs, runMultiClusterScenario } from '../../sim/scenarios/multi-cluster';

let sim: Simulation | undefined;

afterEach(() => {
  sim?.dispose();
  sim = undefined;
});

/** A deployment serving clusters web and batch (CLUSTERS as serverless.yml passes the `clusters` param), both on the old AMI. */
function twoClusters(clusters: unknown[] = MULTI_CLUSTER_PARAMS): { sim: Simulation; built: Record<string, BuiltCluster> } {
  const s = new Simulation({ seed: 5, env: { CLUSTERS: JSON.stringify(clusters) } });
  baseAccount(s.world);
  const built = Object.fromEntries(multiClusterSpecs().map((spec) => [spec.cluster, buildCluster(s.world, spec)]));
  return { sim: s, built };
}

function amisOf(s: Simulation, cluster: string): string[] {
  return [...new Set([...s.world.ecs.cluster(cluster).containerInstances.values()].filter((ci) => ci.status !== 'INACTIVE').map((ci) => ci.attributes['ecs.ami-id']))];
}

describe('Multi-cluster: one deployment, several clusters from the stage params', () => {
  it('the scheduled trigger starts one rollover per cluster, each with its own options, and both finish', async () => {
    // Prepare / Act
    const { sim: s, summary } = await runMultiClusterScenario({ seed: 5 });

    // Assess
    const executions = [...s.world.sfn.executions.values()];
    expect(executions.map((e) => [e.name, e.status, JSON.parse(e.input)])).toEqual([
      [`web-${NEW_AMI}`, 'SUCCEEDED', { cluster: 'web', amiId: NEW_AMI, drain: { batchPercent: 50 } }],
      [`batch-${NEW_AMI}`, 'SUCCEEDED', { cluster: 'batch', amiId: NEW_AMI, drain: { standaloneTasks: 'stop' }, pollSeconds: 20 }],
    ]);
    expect(summary.ok).toBe(true);
    expect(summary.violations).toEqual([]);
    expect(amisOf(s, 'web')).toEqual([NEW_AMI]);
    expect(amisOf(s, 'batch')).toEqual([NEW_AMI]);
    // The two ran at once, each under its own lock.
    const [web, batch] = executions;
    expect(batch.startDate).toBeLessThan(web.stopDate!);
    expect([...s.world.ssm.parameters.keys()].filter((k) => k.includes('/locks/'))).toEqual([]);
    expect(s.world.router.calls.filter((c) => c.operation === 'PutParameter').map((c) => (c.input as { Name: string }).Name).sort()).toEqual(['/ecs-fleet-ops/sim/locks/batch', '/ecs-fleet-ops/sim/locks/web']);
    // batch stops its standalone job (its own option); web has none to stop.
    expect(s.world.router.calls.filter((c) => c.operation === 'StopTask').map((c) => (c.input as { cluster: string }).cluster)).toEqual(['batch']);
  });

  it('the SNS trigger fans out too, and a duplicate delivery plus the schedule start each rollover once', async () => {
    // Prepare
    ({ sim } = twoClusters());
    releaseNewAmi(sim.world);
    const event = JSON.parse(fs.readFileSync(path.join(__dirname, '../../../shared/events/sns-ecs-ami-update.json'), 'utf8'));

    // Act
    await sim.runner.invoke('amiUpdateTrigger', event);
    await sim.runner.invoke('amiUpdateTrigger', event);
    await sim.runner.invoke('amiScheduleTrigger', { source: 'aws.events' });
    await sim.run();

    // Assess
    const executions = [...sim.world.sfn.executions.values()];
    expect(executions.map((e) => `${e.name}:${e.status}`).sort()).toEqual([`batch-${NEW_AMI}:SUCCEEDED`, `web-${NEW_AMI}:SUCCEEDED`]);
    expect(sim.world.invariants.violations).toEqual([]);
  });

  it('rolls only the cluster whose own AMI parameter moved', async () => {
    // Prepare: batch follows a parameter of its own, still on the old AMI.
    const pinned = '/platform/batch/ecs-ami';
    ({ sim } = twoClusters([MULTI_CLUSTER_PARAMS[0], { ...MULTI_CLUSTER_PARAMS[1], amiParameter: pinned }]));
    sim.world.ssm.publishEcsAmi(pinned, OLD_AMI, 'pinned');
    releaseNewAmi(sim.world);

    // Act
    const summary = await sim.runner.invoke('amiScheduleTrigger', { source: 'aws.events' });
    await sim.run();

    // Assess
    expect(summary).toEqual([
      { cluster: 'web', amiId: NEW_AMI, action: 'started' },
      { cluster: 'batch', amiId: OLD_AMI, action: 'upToDate' },
    ]);
    expect(amisOf(sim, 'web')).toEqual([NEW_AMI]);
    expect(amisOf(sim, 'batch')).toEqual([OLD_AMI]);
    expect(sim.world.ssm.parameters.get(AL2023_PARAMETER)).toBeDefined();
  });

  it('drains an interrupted instance of any managed cluster', async () => {
    // Prepare
    let built: Record<string, BuiltCluster>;
    ({ sim, built } = twoClusters());
    sim.connectEventRules();
    const victim = sim.world.ec2.instancesOfFleet(built.batch.fleetId).find((i) => i.state === 'running')!;

    // Act
    sim.world.interruptSpotInstance(victim.id);
    await sim.runner.advance(600);

    // Assess
    const reports = [...sim.world.sfn.executions.values()].filter((e) => e.output && 'watch' in JSON.parse(e.output)).map((e) => JSON.parse(e.output!) as { cluster: string; instanceId: string });
    expect(reports).toEqual([expect.objectContaining({ cluster: 'batch', instanceId: victim.id })]);
  });

  it('accepts the README’s several-cluster configuration as the triggers read it', () => {
    // Prepare
    const readme = fs.readFileSync(path.join(__dirname, '../../README.md'), 'utf8');
    const yaml = /```yaml\n(params:[\s\S]*?)```/.exec(readme)![1];
    const clusters = (parseYaml(yaml) as { params: { prod: { clusters: unknown[] } } }).params.prod.clusters;
    const saved = { ...process.env };
    process.env.ROLLOVER_STATE_MACHINE_ARN = 'arn:aws:states:eu-west-1:123456789012:stateMachine:ecs-fleet-ops-prod-ami-rollover';
    process.env.CLUSTERS = JSON.stringify(clusters);

    // Act
    let targets;
    try {
      targets = loadRolloverTargets().targets;
    } finally {
      process.env = saved;
    }

    // Assess
    expect(targets.length).toBeGreaterThan(1);
    expect(new Set(targets.map((t) => t.cluster)).size).toBe(targets.length);
  });
});
