import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { SCENARIOS } from './scenarios';
import type { Summary } from './harness';

const USAGE = `Usage: npm run simulate -- [--scenario NAME] [--size N] [--seed S] [--json FILE] [--quiet]

Scenarios:
${Object.entries(SCENARIOS)
  .map(([name, s]) => `  ${name.padEnd(20)} ${s.description}`)
  .join('\n')}

Runs a workflow of ecs-fleet-ops end to end on the simulated AWS (virtual clock, real ASL,
real handlers) and prints what happened. Exits non-zero when a workflow failed or a safety
invariant broke.`;

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      scenario: { type: 'string', default: 'rollover' },
      size: { type: 'string', default: '1' },
      seed: { type: 'string', default: '1' },
      json: { type: 'string' },
      quiet: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const size = Number(values.size);
  const seed = Number(values.seed);
  if (!Number.isInteger(size) || size < 1 || !Number.isInteger(seed)) {
    console.error(`--size and --seed must be integers (size ≥ 1)\n\n${USAGE}`);
    return 2;
  }
  const print = values.quiet ? undefined : (line: string) => console.log(line);
  const scenario = SCENARIOS[values.scenario!];
  if (!scenario) {
    console.error(`Unknown scenario '${values.scenario}'.\n\n${USAGE}`);
    return 2;
  }
  console.log(`Scenario ${values.scenario} (size ${size}, seed ${seed}): ${scenario.description}.\n`);
  const summary: Summary = await scenario.run({ size, seed, onProgress: print });
  printSummary(summary);
  if (values.json) fs.writeFileSync(values.json, JSON.stringify(summary, null, 2));
  return summary.ok ? 0 : 1;
}

function printSummary(s: Summary): void {
  console.log('\nSummary');
  for (const e of s.executions) console.log(`  execution ${e.name}: ${e.status}${e.error ? ` — ${e.error}: ${e.cause}` : ''}`);
  console.log(`  virtual duration     ${s.virtualSeconds} s (${(s.virtualSeconds / 60).toFixed(1)} min)`);
  console.log(`  state transitions    ${s.stateTransitions}`);
  console.log(`  Lambda invocations   ${s.lambdaInvocations}`);
  console.log(`  largest payload      ${s.largestPayloadBytes} bytes`);
  console.log(`  AWS API calls        ${s.apiCallsTotal}`);
  for (const [op, n] of Object.entries(s.apiCalls)) console.log(`    ${op.padEnd(42)} ${n}`);
  console.log('  lowest healthy tasks per service (floor = minimumHealthyPercent × desired)');
  for (const r of s.services) console.log(`    ${r.service.padEnd(12)} ${r.lowestHealthy}/${r.desired} (ratio ${r.lowestRatio}, floor ${r.floor})`);
  console.log(`  invariant violations ${s.violations.length}`);
  for (const v of s.violations) console.log(`    ${v.at} ${v.kind}: ${v.message}`);
  console.log(s.ok ? `\nOK: ${s.scenario} complete, no invariant broken.` : '\nFAILED');
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
