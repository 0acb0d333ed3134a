import { parseArgs } from 'node:util';
import { createClients, useClients, type AwsClients } from '../functions/lib/clients';
import { errorMessage, errorName } from '../functions/lib/errors';
import { logger } from '../functions/lib/log';
import { handler as discoverFleets } from '../functions/rollover/discover-fleets';
import { handler as planHandler } from '../functions/rollover/plan';
import type { RolloverPlan } from '../functions/rollover/planning';
import { handler as resolveTargetAmi } from '../functions/rollover/resolve-target-ami';
import type { RolloverState } from '../functions/rollover/state';
import { handler as validateInput } from '../functions/rollover/validate-input';
import { formatPlan } from './plan-format';

const USAGE = `Usage: npm run plan -- --cluster NAME [--region R] [--stage S] [options] [--json]
       npm run plan -- --input '{"cluster":"web","drain":{"batchPercent":50}}'
       npm run plan -- --simulated            (the default scenario's cluster, on the simulator)

A dry run of the AMI rollover against your AWS account, with your credentials: the same handlers
as the state machine's ValidateInput, ResolveTargetAmi, DiscoverFleets and PlanRollover run
here, through clients that refuse anything but Describe / List / Get. Prints the plan: the fleets
to replace with their instance types and weighted capacity, the tasks each service would move,
whether the replacement can hold them, the expected duration, and every reason the rollover
would stop. Exit code 0: it would roll (or there is nothing to do); 1: it would stop.

Options (the rollover input's fields; see the README):
  --cluster NAME             ECS cluster name or ARN
  --ami-id ami-…             roll to this AMI instead of the one the parameter publishes
  --ami-parameter NAME       SSM parameter naming the AMI (default: AL2023 recommended)
  --fleet-ids a,b            only these Spot Fleet requests
  --batch-percent N          drain.batchPercent
  --drain-timeout S          drain.timeoutSeconds
  --standalone-tasks P       drain.standaloneTasks: wait | stop
  --replacement-timeout S    replacementTimeoutSeconds
  --poll S                   pollSeconds
  --input JSON               the whole rollover input instead of the options above
  --region R                 AWS region (default: your profile's)
  --stage S                  the deployment's stage, to find its rollover lock (default dev)
  --json                     print the plan as JSON`;

export type PlanOutcome = { ok: true; plan: RolloverPlan } | { ok: false; error: string; message: string; at: string };

/**
 * Runs the dry run's states in order with `aws` as every handler's clients (made read-only here).
 * A failing state ends it as the state machine would: with that state's error.
 */
export async function planRollover(aws: AwsClients, input: Record<string, unknown>, options: { region: string }): Promise<PlanOutcome> {
  const name = `local-plan-${Date.now()}`;
  const execution = { id: `arn:aws:states:${options.region}:000000000000:execution:ecs-fleet-ops-local-plan:${name}`, name, startedAt: new Date().toISOString() };
  useClients(readOnlyClients(aws));
  let at = 'ValidateInput';
  try {
    const state = (await validateInput({ input: { ...input, dryRun: true }, execution })) as RolloverState;
    at = 'ResolveTargetAmi';
    state.targetAmi = await resolveTargetAmi(state);
    at = 'DiscoverFleets';
    state.plan = await discoverFleets(state);
    at = 'PlanRollover';
    return { ok: true, plan: await planHandler(state) };
  } catch (error) {
    return { ok: false, error: errorName(error), message: errorMessage(error), at };
  } finally {
    useClients(undefined);
  }
}

const READ_ONLY = /^(Describe|List|Get)/;

/** Clients that refuse any call but Describe* / List* / Get* before it leaves the process. */
export function readOnlyClients(aws: AwsClients): AwsClients {
  const guard = <T extends object>(client: T): T =>
    new Proxy(client, {
      get(target, property, receiver) {
        const value = Reflect.get(target, property, receiver);
        if (property !== 'send' || typeof value !== 'function') return value;
        return (command: object, ...rest: unknown[]) => {
          const operation = command.constructor.name.replace(/Command$/, '');
          if (!READ_ONLY.test(operation)) return Promise.reject(Object.assign(new Error(`npm run plan only reads: it refused to call ${operation}`), { name: 'ReadOnly' }));
          return (value as (...args: unknown[]) => unknown).call(target, command, ...rest);
        };
      },
    });
  return {
    autoscaling: guard(aws.autoscaling),
    applicationAutoScaling: guard(aws.applicationAutoScaling),
    ec2: guard(aws.ec2),
    ecs: guard(aws.ecs),
    elbv2: guard(aws.elbv2),
    sfn: guard(aws.sfn),
    sns: guard(aws.sns),
    ssm: guard(aws.ssm),
  };
}

/** The rollover input the options describe. */
export function inputFromOptions(values: Record<string, string | boolean | undefined>): Record<string, unknown> {
  if (typeof values.input === 'string') return JSON.parse(values.input) as Record<string, unknown>;
  const number = (key: string) => (typeof values[key] === 'string' ? Number(values[key]) : undefined);
  const drain = {
    ...(number('batch-percent') !== undefined ? { batchPercent: number('batch-percent') } : {}),
    ...(number('drain-timeout') !== undefined ? { timeoutSeconds: number('drain-timeout') } : {}),
    ...(typeof values['standalone-tasks'] === 'string' ? { standaloneTasks: values['standalone-tasks'] } : {}),
  };
  return {
    ...(typeof values.cluster === 'string' ? { cluster: values.cluster } : {}),
    ...(typeof values['ami-id'] === 'string' ? { amiId: values['ami-id'] } : {}),
    ...(typeof values['ami-parameter'] === 'string' ? { amiParameter: values['ami-parameter'] } : {}),
    ...(typeof values['fleet-ids'] === 'string' ? { fleetIds: values['fleet-ids'].split(',').map((s) => s.trim()) } : {}),
    ...(Object.keys(drain).length ? { drain } : {}),
    ...(number('replacement-timeout') !== undefined ? { replacementTimeoutSeconds: number('replacement-timeout') } : {}),
    ...(number('poll') !== undefined ? { pollSeconds: number('poll') } : {}),
  };
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      cluster: { type: 'string' },
      'ami-id': { type: 'string' },
      'ami-parameter': { type: 'string' },
      'fleet-ids': { type: 'string' },
      'batch-percent': { type: 'string' },
      'drain-timeout': { type: 'string' },
      'standalone-tasks': { type: 'string' },
      'replacement-timeout': { type: 'string' },
      poll: { type: 'string' },
      input: { type: 'string' },
      region: { type: 'string' },
      stage: { type: 'string', default: 'dev' },
      json: { type: 'boolean', default: false },
      simulated: { type: 'boolean', default: false },
      verbose: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help || (!values.cluster && !values.input && !values.simulated)) {
    console.log(USAGE);
    return values.help ? 0 : 2;
  }
  // The handlers log for CloudWatch; here the plan is the output.
  logger.setLogLevel(values.verbose ? 'INFO' : 'SILENT');
  let input: Record<string, unknown>;
  try {
    input = inputFromOptions(values);
  } catch (error) {
    console.error(`--input is not JSON: ${errorMessage(error)}`);
    return 2;
  }

  let outcome: PlanOutcome;
  if (values.simulated) {
    outcome = await planOnSimulator(input);
  } else {
    process.env.LOCK_PARAMETER_PREFIX ??= `/ecs-fleet-ops/${values.stage}/locks`;
    const aws = createClients(values.region ? { region: values.region } : {});
    const region = await aws.ec2.config.region();
    outcome = await planRollover(aws, input, { region });
  }
  if (!outcome.ok) {
    const out = { dryRun: true, verdict: 'wouldBeRefused', refusals: [{ error: outcome.error, at: outcome.at, reason: outcome.message }] };
    console.log(values.json ? JSON.stringify(out, null, 2) : `A rollover would stop at ${outcome.at}: ${outcome.error}: ${outcome.message}`);
    return 1;
  }
  console.log(values.json ? JSON.stringify(outcome.plan, null, 2) : formatPlan(outcome.plan));
  return outcome.plan.verdict === 'wouldBeRefused' ? 1 : 0;
}

/** The same dry run against the simulator's default scenario (cluster demo, a new AMI just published). */
async function planOnSimulator(input: Record<string, unknown>): Promise<PlanOutcome> {
  const { Simulation } = await import('../sim/harness');
  const { baseAccount, buildCluster, defaultClusterSpec, releaseNewAmi } = await import('../sim/scenarios/cluster');
  const sim = new Simulation({ seed: 1, recordEvents: false });
  try {
    baseAccount(sim.world);
    buildCluster(sim.world, defaultClusterSpec());
    releaseNewAmi(sim.world);
    process.env.LOCK_PARAMETER_PREFIX = '/ecs-fleet-ops/sim/locks';
    console.log('(on the simulated AWS of `npm run simulate`: cluster demo, a new AL2023 ECS AMI just published)\n');
    return await planRollover(sim.world.clients, { cluster: 'demo', ...input }, { region: sim.world.region });
  } finally {
    sim.dispose();
  }
}

if (require.main === module) {
  main().then(
    (code) => process.exit(code),
    (error) => {
      console.error(error);
      process.exit(1);
    },
  );
}
