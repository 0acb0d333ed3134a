import { measureRollover } from '../../sim/bench/measure';

// Counts are deterministic for a seed: guard them against regressions (timings are never asserted).
describe('Benchmark: rollover of a 10-instance bench cluster', () => {
  it('stays within the cost and API-load targets', async () => {
    // Act
    const result = await measureRollover(10, 1);

    // Assess
    expect(result.ok).toBe(true);
    expect(result.throttled).toBe(0);
    expect(result.stateTransitions).toBeLessThanOrEqual(100);
    expect(result.lambdaInvocations).toBeLessThanOrEqual(40);
    expect(result.largestPayloadBytes).toBeLessThan(32 * 1024);
    for (const phase of result.phases) expect(phase.overheadSeconds).toBeLessThanOrEqual(60);
    expect(result.baselines.singleLambda.note).toMatch(/killed at Lambda's 900 s limit/);
    expect(result.baselines.snsLoop.lambdaInvocations).toBeGreaterThan(10 * result.lambdaInvocations);
  });
});
