import { performance } from 'node:perf_hooks';
import { Simulation } from '../harness';
import { baseAccount, NEW_AMI, releaseNewAmi } from '../scenarios/cluster';
import { BUCKETS, THROTTLING_ERRORS, bucketOf } from '../aws/throttle';
import type { CallRecord } from '../router';
import { buildBenchCluster } from './cluster';

import { BENCH_POLL_SECONDS, PRICES } from './constants';

export interface BaselineFigures {
  lambdaInvocations: number;
  apiCalls: number;
  peakInvocationsPerSecond: number;
  note: string;
}

export interface BenchResult {
  instances: number;
  tasks: number;
  services: number;
  ok: boolean;
  executionStatus: string;
  violations: number;
  virtualSeconds: number;
  lowerBoundSeconds: number;
  overheadSeconds: number;
  phases: { name: string; seconds: number; physicalSeconds: number; polls: number; overheadSeconds: number }[];
  stateTransitions: number;
  lambdaInvocations: number;
  costUsd: number;
  apiCalls: Record<string, number>;
  apiCallsTotal: number;
  callsPerPoll: { check: string; polls: number; maxCalls: number; avgCalls: number; bound: number }[];
  buckets: { bucket: string; calls: number; peakPerSecond: number; refillPerSecond: number; burst: number; throttled: number }[];
  throttled: number;
  largestPayloadBytes: number;
  /** The longest single Lambda invocation, virtual seconds, and its function. */
  longestInvocation: { functionName: string; seconds: number };
  wallMs: number;
  peakRssMb: number;
  baselines: { singleLambda: BaselineFigures; snsLoop: BaselineFigures };
}

function peakPerSecond(times: number[]): number {
  const sorted = [...times].sort((a, b) => a - b);
  let peak = 0;
  let start = 0;
  for (let end = 0; end < sorted.length; end++) {
    while (sorted[end] - sorted[start] >= 1000) start++;
    peak = Math.max(peak, end - start + 1);
  }
  return peak;
}

/** Runs the rollover of a bench cluster of about `instances` instances, AWS's token buckets on, and measures it. */
export async function measureRollover(instances: number, seed = 1): Promise<BenchResult> {
  const sim = new Simulation({ seed, recordEvents: false, env: { CLUSTERS: JSON.stringify([{ cluster: 'bench' }]) } });
  try {
    baseAccount(sim.world);
    const bench = buildBenchCluster(sim.world, instances);
    releaseNewAmi(sim.world);
    sim.world.router.network.throttling = true;
    const mark = sim.world.router.calls.length;
    const from = sim.world.clock.now();
    const cluster = sim.world.ecs.cluster('bench');
    const oldInstances = new Set([...cluster.containerInstances.values()].map((ci) => ci.arn));

    const wall = performance.now();
    const arn = sim.startRollover({ cluster: 'bench', pollSeconds: BENCH_POLL_SECONDS, drain: { timeoutSeconds: 2700 } });
    await sim.run();
    const wallMs = Math.round(performance.now() - wall);
    const execution = sim.execution(arn);
    const virtualSeconds = (execution.stopDate! - from) / 1000;

    // The physics: when the replacement could at the earliest be ready, and the drain done.
    const calls = sim.world.router.calls.slice(mark);
    const requested = calls.find((c) => c.operation === 'RequestSpotFleet' && !c.error)!.at;
    const newCis = [...cluster.containerInstances.values()].filter((ci) => ci.attributes['ecs.ami-id'] === NEW_AMI);
    const lastNewActive = Math.max(...newCis.map((ci) => ci.registeredAt));
    const drainStart = calls.find((c) => c.operation === 'UpdateContainerInstancesState' && (c.input as { status: string }).status === 'DRAINING')!.at;
    const oldTaskEnds = [...cluster.tasks.values()].filter((t) => oldInstances.has(t.containerInstance.arn)).map((t) => t.stoppedAt ?? Infinity);
    const drainedAt = Math.max(...oldTaskEnds);
    const replacementPhysical = (lastNewActive - requested) / 1000;
    const drainPhysical = (drainedAt - drainStart) / 1000;
    const lowerBoundSeconds = replacementPhysical + drainPhysical;

    const byFn = sim.runner.stats.invocationsByFunction;
    const visits = sim.runner.visits.filter((v) => v.execution === arn);
    const enteredAt = (state: string) => visits.find((v) => v.state === state)?.at ?? from;
    const replacementSeconds = (enteredAt('StartOldDrain') - from) / 1000;
    const drainSeconds = (enteredAt('RetireOldFleets') - enteredAt('StartOldDrain')) / 1000;
    const phases = [
      { name: 'replacement', seconds: replacementSeconds, physicalSeconds: replacementPhysical, polls: byFn.rolloverCheckReplacement ?? 0 },
      { name: 'drain', seconds: drainSeconds, physicalSeconds: drainPhysical, polls: byFn.rolloverCheckDrain ?? 0 },
    ].map((p) => ({ ...p, overheadSeconds: Math.round((p.seconds - p.physicalSeconds) * 10) / 10 }));

    const checks = ['rolloverCheckReplacement', 'rolloverCheckDrain'].map((fn) => {
      const mine = calls.filter((c) => c.by === fn);
      const polls = byFn[fn] ?? 0;
      const perPoll = new Map<number, number>();
      // Calls of one poll share an invocation; group by the poll's start (calls within 60 s of each other).
      let pollIndex = -1;
      let last = -Infinity;
      for (const c of mine) {
        if (c.at - last > 5_000) pollIndex++;
        last = c.at;
        perPoll.set(pollIndex, (perPoll.get(pollIndex) ?? 0) + 1);
      }
      const counts = [...perPoll.values()];
      return { check: fn, polls, maxCalls: Math.max(0, ...counts), avgCalls: counts.length ? Math.round((mine.length / counts.length) * 10) / 10 : 0, bound: Math.ceil((bench.tasks / 10 + newCis.length) / 100) };
    });

    const byBucket = new Map<string, CallRecord[]>();
    for (const c of calls) {
      if (!c.by) continue;
      const b = bucketOf(c.service, c.operation);
      if (b) byBucket.set(b, [...(byBucket.get(b) ?? []), c]);
    }
    const buckets = [...byBucket].map(([bucket, list]) => ({
      bucket,
      calls: list.length,
      peakPerSecond: peakPerSecond(list.map((c) => c.at)),
      refillPerSecond: BUCKETS[bucket].refillPerSecond,
      burst: BUCKETS[bucket].burst,
      throttled: list.filter((c) => c.error && THROTTLING_ERRORS.has(c.error)).length,
    }));
    const apiCalls = sim.world.router.countByOperation(mark);
    const stats = sim.runner.stats;
    const costUsd = stats.stateTransitions * PRICES.perTransition + stats.lambdaInvocations * PRICES.perInvocation + (stats.lambdaMs / 1000) * PRICES.memoryGb * PRICES.perGbSecond;

    return {
      instances: oldInstances.size,
      tasks: bench.tasks,
      services: bench.services,
      ok: execution.status === 'SUCCEEDED' && sim.world.invariants.violations.length === 0,
      executionStatus: execution.status + (execution.error ? ` ${execution.error}: ${execution.cause}` : ''),
      violations: sim.world.invariants.violations.length,
      virtualSeconds: Math.round(virtualSeconds),
      lowerBoundSeconds: Math.round(lowerBoundSeconds),
      overheadSeconds: Math.round(virtualSeconds - lowerBoundSeconds),
      phases,
      stateTransitions: stats.stateTransitions,
      lambdaInvocations: stats.lambdaInvocations,
      costUsd: Math.round(costUsd * 10000) / 10000,
      apiCalls,
      apiCallsTotal: Object.values(apiCalls).reduce((a, b) => a + b, 0),
      callsPerPoll: checks,
      buckets,
      throttled: buckets.reduce((n, b) => n + b.throttled, 0),
      largestPayloadBytes: stats.largestPayloadBytes,
      longestInvocation: { functionName: stats.longestInvocationFunction, seconds: Math.round(stats.longestInvocationMs / 100) / 10 },
      wallMs,
      peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
      baselines: baselines(oldInstances.size + newCis.length, oldInstances.size, replacementPhysical, drainPhysical, [...cluster.containerInstances.values()].filter((ci) => oldInstances.has(ci.arn)).map((ci) => {
        const ends = [...cluster.tasks.values()].filter((t) => t.containerInstance === ci).map((t) => t.stoppedAt ?? drainedAt);
        return (Math.max(drainStart, ...ends) - drainStart) / 1000;
      })),
    };
  } finally {
    sim.dispose();
  }
}

/**
 * The two approaches this project replaces, modelled on the same simulated run (its phase
 * durations and each old instance's drain time):
 * (a) one Lambda that polls inside itself every 10 s (the custom-resource approach): one
 *     invocation — that Lambda's 900 s limit ends it if the rollover takes longer;
 * (b) the per-instance SNS re-invocation loop of AWS's container-instance-draining sample: every
 *     draining instance re-invokes a Lambda through SNS every 5 s until it is empty, each time
 *     listing the cluster's container instances to find its own, describing it, listing its tasks,
 *     and publishing again.
 */
function baselines(clusterInstances: number, oldInstances: number, replacementSeconds: number, drainSeconds: number, perInstanceDrainSeconds: number[]): BenchResult['baselines'] {
  const pages = Math.ceil(clusterInstances / 100);
  const polls = Math.ceil((replacementSeconds + drainSeconds) / 10);
  const perPoll = 2 * pages + 2; // list + describe the cluster's instances, describe the fleets
  const total = replacementSeconds + drainSeconds;
  const invocations = perInstanceDrainSeconds.reduce((n, s) => n + Math.max(1, Math.ceil(s / 5)), 0);
  return {
    singleLambda: {
      lambdaInvocations: 1,
      apiCalls: polls * perPoll + 4,
      peakInvocationsPerSecond: 0,
      note: total > 900 ? `needs ${Math.round(total)} s: killed at Lambda's 900 s limit mid-rollover` : `fits in ${Math.round(total)} s`,
    },
    snsLoop: {
      lambdaInvocations: invocations,
      apiCalls: invocations * (pages + 3),
      peakInvocationsPerSecond: Math.round(oldInstances / 5),
      note: `${Math.round(oldInstances / 5)} invocations/s while draining, each listing ${pages} page(s) of container instances (ECS reads refill at 20/s)`,
    },
  };
}
