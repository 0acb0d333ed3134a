import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { SCENARIOS } from './scenarios';
import { Simulation, type Summary } from './harness';
import { StatusLine } from '../cli/progress';
import { formatMetricTotal, metricTotals } from './emf';
import { followSimulation } from './live';
import { TimelineRecorder, writeTimeline } from './timeline';

const USAGE = `Usage: npm run simulate -- [--scenario NAME] [--size N] [--seed S] [--json FILE] [--quiet]
                            [--timeline FILE | --no-timeline]

Scenarios:
${Object.entries(SCENARIOS)
  .map(([name, s]) => `  ${name.padEnd(20)} ${s.description}`)
  .join('\n')}

Runs a workflow of ecs-fleet-ops end to end on the simulated AWS (virtual clock, real ASL,
real handlers) and prints what happened: on a terminal a live status line (phase, instances
ready / drained, virtual time), otherwise a line per change. Writes the timeline picture to
--timeline (default out/timeline-<scenario>.html; a .svg name writes a bare SVG). Exits non-zero
when a workflow failed or a safety invariant broke.`;

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      scenario: { type: 'string', default: 'rollover' },
      size: { type: 'string', default: '1' },
      seed: { type: 'string', default: '1' },
      json: { type: 'string' },
      timeline: { type: 'string' },
      'no-timeline': { type: 'boolean', default: false },
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
  const scenario = SCENARIOS[values.scenario!];
  if (!scenario) {
    console.error(`Unknown scenario '${values.scenario}'.\n\n${USAGE}`);
    return 2;
  }
  console.log(`Scenario ${values.scenario} (size ${size}, seed ${seed}): ${scenario.description}.\n`);

  // On a terminal one status line follows the executions; elsewhere the scenario prints a line per change.
  const status = new StatusLine(process.stdout);
  const live = status.live && !values.quiet;
  const print = values.quiet ? undefined : (line: string) => status.print(line);
  const timelineFile = values['no-timeline'] ? undefined : (values.timeline ?? `out/timeline-${values.scenario}.html`);
  let recorder: TimelineRecorder | undefined;
  let simulation: Simulation | undefined;
  let lastLook: (() => void) | undefined;
  const stopObserving = Simulation.observe((sim) => {
    if (simulation) return; // the scenario's own simulation is the first one
    simulation = sim;
    if (timelineFile) recorder = new TimelineRecorder(sim);
    if (live) lastLook = followSimulation(sim, (line) => status.update(line));
  });
  let summary: Summary;
  try {
    summary = await scenario.run({ size, seed, onProgress: print, live });
    lastLook?.();
  } finally {
    stopObserving();
    status.finish();
  }
  printSummary(summary);
  if (simulation?.metrics.length) console.log(`  metrics published    ${metricTotals(simulation.metrics).map(formatMetricTotal).join(', ')}`);
  console.log(summary.ok ? `\nOK: ${summary.scenario} complete, no invariant broken.` : '\nFAILED');
  if (values.json) fs.writeFileSync(values.json, JSON.stringify(summary, null, 2));
  if (recorder && timelineFile) {
    const title = `ecs-fleet-ops · scenario ${values.scenario} (size ${size}, seed ${seed})`;
    console.log(`\nTimeline: ${writeTimeline(recorder.finish(title), timelineFile)}`);
  }
  return summary.ok ? 0 : 1;
}

function printSummary(s: Summary): void {
  console.log('\nSummary');
  for (const e of s.executions) console.log(`  execution ${e.name}: ${e.status}${e.error ? ` — ${e.error}: ${e.cause}` : ''}`);
  console.log(`  virtual duration     ${s.virtualSeconds} s (${(s.virtualSeconds / 60).toFixed(1)} min)`);
  console.log(`  state transitions    ${s.stateTransitions}`);
  console.log(`  Lambda invocations   ${s.lambdaInvocations}`);
  console.log(`  largest payload      ${s.largestPayloadBytes} bytes`);
  if (s.longestInvocation.functionName) console.log(`  longest invocation   ${(s.longestInvocation.ms / 1000).toFixed(1)} s (${s.longestInvocation.functionName})`);
  console.log(`  AWS API calls        ${s.apiCallsTotal}`);
  for (const [op, n] of Object.entries(s.apiCalls)) console.log(`    ${op.padEnd(42)} ${n}`);
  console.log('  lowest healthy tasks per service (floor = minimumHealthyPercent × desired)');
  for (const r of s.services) console.log(`    ${r.service.padEnd(12)} ${r.lowestHealthy}/${r.desired} (ratio ${r.lowestRatio}, floor ${r.floor})`);
  console.log(`  invariant violations ${s.violations.length}`);
  for (const v of s.violations) console.log(`    ${v.at} ${v.kind}: ${v.message}`);
  for (const n of s.notes ?? []) console.log(`  ${n}`);
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
