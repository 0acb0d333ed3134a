import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { ChaosRun } from './run';

const USAGE = `Usage: npm run chaos -- [--runs N] [--seed S] [--workers W] [--json FILE]

Runs N seeded random scenarios (seeds S … S+N-1) mixing a rollover, scheduled and event-started
target syncs, spot interruptions on old and new fleets and scale alarms, with faults switched on at random:
throttling, 5xx, list lag, agents that never connect or disconnect, tasks that fail to start,
standalone tasks that never end, Lambdas that crash after their side effects. Invariants are
checked at every virtual tick. Exits non-zero on any violation and prints the seed that
reproduces it (npm run chaos -- --runs 1 --seed <seed>).`;

function runWorker(from: number, count: number, onRun: (r: ChaosRun) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const tsx = path.join(__dirname, '..', '..', 'node_modules', '.bin', 'tsx');
    const child = spawn(tsx, [path.join(__dirname, 'worker.ts'), String(from), String(count)], {
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, POWERTOOLS_LOG_LEVEL: process.env.POWERTOOLS_LOG_LEVEL ?? 'SILENT' },
    });
    let buffer = '';
    child.stdout.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      let nl: number;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        if (line.startsWith('{"seed"')) onRun(JSON.parse(line) as ChaosRun);
      }
    });
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`chaos worker for seeds ${from}…${from + count - 1} exited with ${code}`))));
  });
}

function add(into: Record<string, number>, from: Record<string, number>): void {
  for (const [k, v] of Object.entries(from)) into[k] = (into[k] ?? 0) + v;
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      runs: { type: 'string', default: '50' },
      seed: { type: 'string', default: '1' },
      workers: { type: 'string', default: String(Math.max(1, Math.min(2, os.cpus().length))) },
      json: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const runs = Number(values.runs);
  const seed = Number(values.seed);
  const workers = Math.max(1, Math.min(Number(values.workers), runs));
  if (![runs, seed, workers].every(Number.isInteger) || runs < 1) {
    console.error(`--runs, --seed and --workers must be integers\n\n${USAGE}`);
    return 2;
  }
  const results: ChaosRun[] = [];
  const per = Math.ceil(runs / workers);
  const jobs = [];
  for (let w = 0; w < workers; w++) {
    const from = seed + w * per;
    const count = Math.min(per, seed + runs - from);
    if (count > 0) jobs.push(runWorker(from, count, (r) => results.push(r)));
  }
  await Promise.all(jobs);
  results.sort((a, b) => a.seed - b.seed);

  const workflows: Record<string, number> = {};
  const outcomes: Record<string, number> = {};
  const faults: Record<string, number> = {};
  const violations: Record<string, number> = {};
  for (const r of results) {
    add(workflows, r.workflows);
    add(outcomes, r.outcomes);
    add(faults, r.faults);
    for (const v of r.violations) violations[v.kind] = (violations[v.kind] ?? 0) + 1;
  }
  const failing = results.filter((r) => r.violations.length > 0);
  const longest = results.reduce((a, b) => (b.longestInvocation.ms > a.longestInvocation.ms ? b : a), results[0]);
  const timedOut = results.reduce((n, r) => n + r.timedOutInvocations, 0);
  const rows = (title: string, m: Record<string, number>) => [`| **${title}** | |`, ...Object.entries(m).sort().map(([k, v]) => `| ${k} | ${v} |`)];
  console.log(`\n## Chaos: ${results.length} runs, seeds ${seed}…${seed + runs - 1}\n`);
  console.log(['| | count |', '|---|---:|', `| runs | ${results.length} |`,
    `| longest Lambda invocation | ${(longest.longestInvocation.ms / 1000).toFixed(1)} s (${longest.longestInvocation.functionName}, seed ${longest.seed}) |`,
    `| Lambda invocations timed out | ${timedOut} |`,
    ...rows('workflows', workflows), ...rows('outcomes', outcomes), ...rows('faults injected', faults), ...rows('violations', Object.keys(violations).length ? violations : { none: 0 })].join('\n'));
  for (const r of failing) {
    console.log(`\nseed ${r.seed} (reproduce: npm run chaos -- --runs 1 --seed ${r.seed}):`);
    for (const v of r.violations.slice(0, 5)) console.log(`  ${v.at} ${v.kind}: ${v.message}`);
  }
  if (values.json) fs.writeFileSync(values.json, JSON.stringify({ runs: results.length, seed, workflows, outcomes, faults, violations, failingSeeds: failing.map((r) => r.seed), results }, null, 2));
  console.log(failing.length ? `\n${failing.length} run(s) broke an invariant.` : '\nNo invariant broken.');
  console.log(`chaos: ${results.length - failing.length} passed, ${failing.length} failed`);
  return failing.length ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
