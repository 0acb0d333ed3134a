import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { BenchResult } from './measure';
// Constants only: the simulator itself is loaded in each size's own process.
import { BENCH_POLL_SECONDS, PRICES } from './constants';
import { measurePackaged, type PackagedFunction } from './packaged';

const USAGE = `Usage: npm run bench -- [--sizes 10,100,1000] [--seed S] [--json FILE] [--no-package]

Rolls simulated clusters of each size (≈10 tasks per instance, several services, two Spot
Fleets with weighted capacity, AWS's token buckets on) and prints cost, API load and overhead
against the physical lower bound, beside two baselines modelled on the same runs. Each size runs
in its own process, so its wall time and peak memory are its own. Then packages the service and
measures each function's zip and cold module load. Timings are reported, never asserted.`;

function runSize(size: number, seed: number): BenchResult {
  const tsx = path.join(__dirname, '..', '..', 'node_modules', '.bin', 'tsx');
  const out = execFileSync(tsx, [path.join(__dirname, 'one.ts'), String(size), String(seed)], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, stdio: ['ignore', 'pipe', 'inherit'] });
  return JSON.parse(out.trim().split('\n').at(-1)!) as BenchResult;
}

function table(results: BenchResult[]): string {
  const row = (label: string, f: (r: BenchResult) => string | number) => `| ${label} | ${results.map((r) => String(f(r))).join(' | ')} |`;
  const lines = [
    `| | ${results.map((r) => `${r.instances} instances`).join(' | ')} |`,
    `|---|${results.map(() => '---:').join('|')}|`,
    row('tasks / services', (r) => `${r.tasks} / ${r.services}`),
    row('outcome', (r) => (r.ok ? 'succeeded, 0 violations' : `${r.executionStatus}, ${r.violations} violations`)),
    row('virtual duration (s)', (r) => r.virtualSeconds),
    row('physical lower bound (s)', (r) => r.lowerBoundSeconds),
    row('overhead (s)', (r) => r.overheadSeconds),
    ...['replacement', 'drain'].map((phase) =>
      row(`— ${phase}: overhead s (polls)`, (r) => {
        const p = r.phases.find((x) => x.name === phase)!;
        return `${p.overheadSeconds} (${p.polls})`;
      }),
    ),
    row('state transitions', (r) => r.stateTransitions),
    row('Lambda invocations', (r) => r.lambdaInvocations),
    row('estimated cost (USD)', (r) => r.costUsd.toFixed(4)),
    row('AWS API calls', (r) => r.apiCallsTotal),
    row('calls per poll, CheckReplacement (max)', (r) => r.callsPerPoll.find((c) => c.check === 'rolloverCheckReplacement')!.maxCalls),
    row('calls per poll, CheckDrain (max)', (r) => r.callsPerPoll.find((c) => c.check === 'rolloverCheckDrain')!.maxCalls),
    row('⌈instances / 100⌉', (r) => Math.ceil(r.instances / 100)),
    row('throttled calls', (r) => r.throttled),
    row('busiest bucket: peak calls/s vs refill/s', (r) => {
      const b = [...r.buckets].sort((x, y) => y.peakPerSecond / y.refillPerSecond - x.peakPerSecond / x.refillPerSecond)[0];
      return b ? `${b.bucket} ${b.peakPerSecond}/${b.refillPerSecond}` : '-';
    }),
    row('largest state payload (bytes)', (r) => r.largestPayloadBytes),
    row('longest Lambda invocation (s)', (r) => `${r.longestInvocation.seconds} (${r.longestInvocation.functionName})`),
    row('simulation wall time (ms)', (r) => r.wallMs),
    row('simulation peak RSS (MB)', (r) => r.peakRssMb),
    row('baseline (a) one polling Lambda: invocations / API calls', (r) => `1 / ${r.baselines.singleLambda.apiCalls}`),
    row('— its fate', (r) => r.baselines.singleLambda.note),
    row('baseline (b) per-instance SNS loop: invocations / API calls', (r) => `${r.baselines.snsLoop.lambdaInvocations} / ${r.baselines.snsLoop.apiCalls}`),
    row('— its peak', (r) => `${r.baselines.snsLoop.peakInvocationsPerSecond} invocations/s`),
  ];
  return lines.join('\n');
}

function main(): number {
  const { values } = parseArgs({
    options: {
      sizes: { type: 'string', default: '10,100,1000' },
      seed: { type: 'string', default: '1' },
      json: { type: 'string' },
      'no-package': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const sizes = values.sizes!.split(',').map(Number);
  if (sizes.some((n) => !Number.isInteger(n) || n < 1)) {
    console.error(`--sizes must be positive integers\n\n${USAGE}`);
    return 2;
  }
  const results: BenchResult[] = [];
  for (const size of sizes) {
    console.error(`rolling a simulated cluster of ${size} instances…`);
    results.push(runSize(size, Number(values.seed)));
  }
  console.log(`\n## AMI rollover benchmark (poll ${BENCH_POLL_SECONDS} s, AWS token buckets on)\n`);
  console.log(table(results));
  console.log(
    `\nCost: $${PRICES.perTransition * 1000} per 1,000 state transitions, $${(PRICES.perInvocation * 1e6).toFixed(2)} per million invocations, $${PRICES.perGbSecond} per GB-s at ${PRICES.memoryGb * 1024} MB (virtual time inside Lambdas).` +
      '\nLower bound: from the simulated physics — the last replacement instance ACTIVE after the fleet request, plus the last task of an old instance STOPPED after the drain began.',
  );
  let packaged: PackagedFunction[] = [];
  if (!values['no-package']) {
    console.error('packaging the service to measure each function…');
    packaged = measurePackaged();
    console.log('\n## Packaged functions (zip size; median of 5 cold `require`s of the bundle in a fresh Node process, SDK from node_modules as the runtime provides it)\n');
    console.log('| function | zip (KB) | module load (ms) |\n|---|---:|---:|');
    for (const f of packaged) console.log(`| ${f.name} | ${f.zipKb} | ${f.loadMs} |`);
  }
  if (values.json) fs.writeFileSync(values.json, JSON.stringify({ rollover: results, packaged }, null, 2));
  return results.every((r) => r.ok) ? 0 : 1;
}

process.exit(main());
