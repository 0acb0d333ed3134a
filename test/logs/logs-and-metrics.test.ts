import fs from 'node:fs';
import path from 'node:path';
import { logger } from '../../functions/lib/log';
import type { EmfDocument } from '../../sim/harness';
import { NEW_AMI } from '../../sim/scenarios/cluster';
import { runRolloverScenario } from '../../sim/scenarios/rollover';
import { runSpotInterruptionScenario, runSyncTargetsScenario } from '../../sim/scenarios/targets';
import { clusterOnOldAmi } from '../support/simulation';

/** What Lambda puts in a function's environment; a handler that logged its environment would leak them. */
const LAMBDA_CREDENTIALS = {
  AWS_ACCESS_KEY_ID: 'ASIAQWERTYUIOPASDFGH',
  AWS_SECRET_ACCESS_KEY: 'Zm9vYmFyYmF6cXV4cXV1eGNvcmdlZ3JhdWx0Z2FycGx5',
  AWS_SESSION_TOKEN: 'IQoJb3JpZ2luX2VjEXAMPLEXAMPLEsessiontoken',
};

/** Members of AWS responses (and of their parts) that a log line has no business carrying. */
const RESPONSE_MEMBERS = [
  '$metadata',
  'httpStatusCode',
  'requestId',
  'SpotFleetRequestConfig',
  'LaunchSpecifications',
  'UserData',
  'registeredResources',
  'remainingResources',
  'containerInstanceArns',
  'taskArns',
  'TargetHealthDescriptions',
  'Reservations',
  'LaunchTemplateData',
  'deploymentConfiguration',
];
const CREDENTIAL_LIKE = [/AKIA[0-9A-Z]{16}/, /ASIA[0-9A-Z]{16}/, /secret_?access_?key/i, /session_?token/i, /access_?key_?id/i, /authorization/i, /x-amz-security-token/i, /password/i, /SIMULATED/, ...Object.values(LAMBDA_CREDENTIALS).map((v) => new RegExp(v))];

interface LogLine {
  level: string;
  message: string;
  execution?: string;
  cluster?: string;
  state?: string;
  trigger?: string;
  [key: string]: unknown;
}

const chunks: string[] = [];
const metrics: { scenario: string; documents: EmfDocument[] }[] = [];
let outcomes: { name: string; status: string; startDate: number; stopDate?: number }[] = [];

/** Every log line written while `run` runs (Powertools writes JSON lines to stdout and stderr). */
async function captured(run: () => Promise<void>): Promise<void> {
  const out = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => (chunks.push(String(chunk)), true));
  const err = jest.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => (chunks.push(String(chunk)), true));
  try {
    await run();
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}

function lines(): LogLine[] {
  return chunks.join('').split('\n').filter(Boolean).map((l) => JSON.parse(l) as LogLine);
}

describe('Logs and metrics of every workflow', () => {
  beforeAll(async () => {
    logger.setLogLevel('DEBUG');
    await captured(async () => {
      const env = { ...LAMBDA_CREDENTIALS };
      // A rollover started by the schedule trigger.
      const rollover = await runRolloverScenario({ seed: 3, input: {} });
      metrics.push({ scenario: 'rollover', documents: rollover.sim.metrics });
      outcomes = [...rollover.sim.world.sfn.executions.values()];
      // A rollback (the new AMI's agent never connects), a drain timeout naming a stuck task, a dry run.
      for (const [name, prepare, input] of [
        ['rollback', (t: ReturnType<typeof clusterOnOldAmi>) => t.sim.world.ecs.behaviour.agentNeverConnectsOn.add(NEW_AMI), { cluster: 'demo', replacementTimeoutSeconds: 300 }],
        ['drain-timeout', () => undefined, { cluster: 'demo', drain: { timeoutSeconds: 300 } }],
        ['dry-run', () => undefined, { cluster: 'demo', dryRun: true }],
      ] as const) {
        const t = clusterOnOldAmi({ env, spec: name === 'drain-timeout' ? { standaloneTasks: [{ family: 'forever-batch', cpu: 128, memory: 128 }] } : {} });
        prepare(t);
        t.sim.startRollover(input);
        await t.sim.run();
        // A malformed SNS message: logged with an excerpt, nothing started.
        await t.sim.runner.invoke('amiUpdateTrigger', { Records: [{ Sns: { MessageId: 'm-1', Message: '{"not":"an announcement"}' } }] });
        metrics.push({ scenario: name, documents: t.sim.metrics });
        t.sim.dispose();
      }
      await runSyncTargetsScenario({ seed: 3 });
      await runSpotInterruptionScenario({ seed: 3 });
    });
  }, 60_000);

  afterAll(() => {
    logger.setLogLevel('INFO');
  });

  it('writes structured JSON lines', () => {
    // Prepare
    const all = lines();

    // Act
    const malformed = all.filter((l) => typeof l.level !== 'string' || typeof l.message !== 'string' || l.service !== 'ecs-fleet-ops' || typeof l.timestamp !== 'string');

    // Assess
    expect(all.length).toBeGreaterThan(50);
    expect(malformed).toEqual([]);
  });

  it('names the execution and state (and the cluster where there is one) in every line of a workflow, the trigger in every line of a trigger', () => {
    // Prepare
    const all = lines();

    // Act
    const anonymous = all.filter((l) => !(l.trigger || (l.execution && l.state)));
    const rollover = all.filter((l) => l.state && !/^(ResolveBindings|SyncTargetGroup|FindInterruptedInstance)$/.test(l.state));

    // Assess
    expect(anonymous.map((l) => l.message)).toEqual([]);
    expect(rollover.filter((l) => !l.cluster).map((l) => `${l.state}: ${l.message}`)).toEqual([]);
    const states = new Set(all.map((l) => l.state).filter(Boolean));
    for (const state of ['ResolveTargetAmi', 'DiscoverFleets', 'CheckReplacement', 'CheckOldDrain', 'RetireOldFleets', 'DrainReplacement', 'PlanRollover', 'Notify', 'SyncTargetGroup', 'DrainInterruptedInstance']) {
      expect(states).toContain(state);
    }
    expect(new Set(all.map((l) => l.trigger).filter(Boolean))).toEqual(new Set(['amiScheduleTrigger', 'amiUpdateTrigger', 'instanceChangeTrigger']));
  });

  it('never logs a whole AWS response, nor anything like a credential', () => {
    // Prepare
    const all = lines();

    // Act
    const dumps = all.filter((l) => RESPONSE_MEMBERS.some((member) => JSON.stringify(l).includes(`"${member}"`)));
    const secrets = chunks.join('').split('\n').filter((l) => CREDENTIAL_LIKE.some((pattern) => pattern.test(l)));
    const long = all.filter((l) => JSON.stringify(l).length > 4096);

    // Assess
    expect(dumps.map((l) => l.message)).toEqual([]);
    expect(secrets).toEqual([]);
    expect(long.map((l) => l.message)).toEqual([]);
  });

  it('publishes the rollover’s metrics in embedded metric format, per cluster', () => {
    // Prepare
    const documents = metrics.find((m) => m.scenario === 'rollover')!.documents;
    const value = (name: string) => documents.filter((d) => name in d).map((d) => d[name]);
    const execution = outcomes.find((e) => e.status === 'SUCCEEDED')!;

    // Act
    const directives = documents.flatMap((d) => d._aws.CloudWatchMetrics);

    // Assess
    expect(directives.every((d) => d.Namespace === 'ecs-fleet-ops' && JSON.stringify(d.Dimensions) === JSON.stringify([['service', 'cluster']]))).toBe(true);
    expect(documents.every((d) => d.cluster === 'demo' && d.service === 'ecs-fleet-ops')).toBe(true);
    expect(value('RolloverSucceeded')).toEqual([1]);
    expect(value('RolloverDuration')).toEqual([Math.round((execution.stopDate! - execution.startDate) / 1000)]);
    expect(value('InstancesReplaced')).toEqual([5]);
    expect(value('TasksMoved')).toEqual([8]);
    expect(value('DrainTime')[0]).toBeGreaterThan(60);
    expect(value('ReplacementReadyTime')[0]).toBeGreaterThanOrEqual(90);
  });

  it('publishes a failed rollover’s outcome and its rollback, and nothing for a dry run', () => {
    // Prepare
    const rollback = metrics.find((m) => m.scenario === 'rollback')!.documents;
    const timeout = metrics.find((m) => m.scenario === 'drain-timeout')!.documents;
    const dryRun = metrics.find((m) => m.scenario === 'dry-run')!.documents;

    // Act
    const failed = [...rollback, ...timeout].filter((d) => 'RolloverFailed' in d);

    // Assess
    expect(failed.map((d) => d.error)).toEqual(['ReplacementFailed', 'DrainTimeout']);
    expect(timeout.some((d) => 'RollbackTasksMoved' in d)).toBe(true);
    expect(dryRun).toEqual([]);
  });

  it('has metric names the README documents', () => {
    // Prepare
    const readme = fs.readFileSync(path.join(__dirname, '../../README.md'), 'utf8');

    // Act
    const names = new Set(metrics.flatMap((m) => m.documents.flatMap((d) => d._aws.CloudWatchMetrics.flatMap((c) => c.Metrics.map((x) => x.Name)))));

    // Assess
    expect(names.size).toBeGreaterThan(5);
    for (const name of names) expect(readme).toContain(`\`${name}\``);
  });
});
