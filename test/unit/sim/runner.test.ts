import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { LAMBDA_TIMEOUT_ERROR, LocalRunner, lambdaRegistry, timedOut } from '../../../sim/runner';
import { World } from '../../../sim/world';
import { Simulation } from '../../../sim/harness';
import { baseAccount, buildCluster, defaultClusterSpec, releaseNewAmi } from '../../../sim/scenarios/cluster';

const PROBE = { handler: 'test/unit/sim/fixtures/calls-handler.handler', timeoutSeconds: 1 };

/** A runner whose only function is the probe (1 s timeout), on a world whose calls take 20 ms each. */
function probeRunner(): { world: World; runner: LocalRunner } {
  const world = new World({ seed: 3 });
  world.router.network.latencyMs = 20;
  return { world, runner: new LocalRunner(world, { probe: PROBE }) };
}

describe('Function: lambdaRegistry', () => {
  it("gives each function its own timeout, else the provider's, else the framework's 6 s", () => {
    // Prepare
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'runner-registry-'));
    const withProvider = path.join(dir, 'with-provider.yml');
    const withoutProvider = path.join(dir, 'without-provider.yml');
    const functions = 'functions:\n  quick:\n    handler: functions/a.handler\n  slow:\n    handler: functions/b.handler\n    timeout: 300\n';
    fs.writeFileSync(withProvider, `provider:\n  name: aws\n  timeout: 60\n${functions}`);
    fs.writeFileSync(withoutProvider, `provider:\n  name: aws\n${functions}`);

    // Act
    const registry = lambdaRegistry(withProvider);
    const defaults = lambdaRegistry(withoutProvider);

    // Assess
    expect(registry).toEqual({ quick: { handler: 'functions/a.handler', timeoutSeconds: 60 }, slow: { handler: 'functions/b.handler', timeoutSeconds: 300 } });
    expect(defaults.quick.timeoutSeconds).toBe(6);
    fs.rmSync(dir, { recursive: true });
  });

  it('reads the timeouts serverless.yml deploys', () => {
    // Act
    const registry = lambdaRegistry();

    // Assess
    expect(Object.keys(registry).length).toBeGreaterThan(10);
    for (const fn of Object.values(registry)) expect(fn.timeoutSeconds).toBeGreaterThanOrEqual(60);
  });
});

describe('Function: timedOut', () => {
  it.each([
    [59_999, 60_000, false],
    [60_000, 60_000, true],
    [60_001, 60_000, true],
    [0, 3_000, false],
  ])('an invocation %i ms into its run with a %i ms timeout has timed out: %s', (elapsedMs, timeoutMs, expected) => {
    // Act
    const result = timedOut(elapsedMs, timeoutMs);

    // Assess
    expect(result).toBe(expected);
  });
});

describe('Class: LocalRunner', () => {
  describe('Method: invoke', () => {
    it("fails an invocation whose calls outlast the function's timeout with Sandbox.Timedout, the clock stopping at the timeout", async () => {
      // Prepare
      const { world, runner } = probeRunner();
      const startedAt = world.clock.now();

      // Act
      try {
        runner.invokeAsync('probe', { calls: 60 });
        await runner.runUntilIdle();
      } finally {
        runner.dispose();
      }

      // Assess
      expect(runner.asyncInvocations).toEqual([{ functionName: 'probe', at: startedAt, error: LAMBDA_TIMEOUT_ERROR }]);
      expect(LAMBDA_TIMEOUT_ERROR).toBe('Sandbox.Timedout');
      expect(world.clock.now()).toBe(startedAt + 1000);
      expect(runner.stats).toMatchObject({ timedOutInvocations: 1, longestInvocationMs: 1000, longestInvocationFunction: 'probe', lambdaMs: 1000 });
      // The calls started within the second reached AWS; Lambda had stopped the handler before the others.
      expect(world.router.calls.filter((c) => c.by === 'probe')).toHaveLength(50);
    });

    it('returns the result of an invocation that ends within its timeout, at the virtual time its calls took', async () => {
      // Prepare
      const { world, runner } = probeRunner();
      const startedAt = world.clock.now();

      // Act
      try {
        runner.invokeAsync('probe', { calls: 40 });
        await runner.runUntilIdle();
      } finally {
        runner.dispose();
      }

      // Assess
      expect(runner.asyncInvocations).toEqual([{ functionName: 'probe', at: startedAt, result: { calls: 40, remainingMs: 200 } }]);
      expect(world.clock.now()).toBe(startedAt + 800);
      expect(runner.stats).toMatchObject({ timedOutInvocations: 0, longestInvocationMs: 800 });
    });

    it('counts calls a handler keeps in flight at once as sharing the wire: 40 calls 8 at a time take about an eighth', async () => {
      // Prepare
      const { world, runner } = probeRunner();
      const startedAt = world.clock.now();

      // Act
      try {
        runner.invokeAsync('probe', { calls: 40, concurrency: 8 });
        await runner.runUntilIdle();
      } finally {
        runner.dispose();
      }

      // Assess: 40 × 20 ms = 800 ms one by one; 8 at a time ≈ 100 ms (the first 8 start one by one)
      const took = world.clock.now() - startedAt;
      expect(runner.asyncInvocations[0].error).toBeUndefined();
      expect(took).toBeGreaterThanOrEqual(100);
      expect(took).toBeLessThan(200);
      expect(world.router.calls.filter((c) => c.by === 'probe')).toHaveLength(40);
    });

    it('reports the timeout, not the error the handler threw after it', async () => {
      // Prepare
      const { world, runner } = probeRunner();
      const startedAt = world.clock.now();

      // Act
      try {
        runner.invokeAsync('probe', { calls: 50, fail: true });
        runner.invokeAsync('probe', { calls: 10, fail: true });
        await runner.runUntilIdle();
      } finally {
        runner.dispose();
      }

      // Assess
      expect(runner.asyncInvocations.map((i) => i.error)).toEqual([LAMBDA_TIMEOUT_ERROR, 'ProbeFailed']);
      expect(world.clock.now()).toBe(startedAt + 1000);
    });

    it('reports the timeout to a direct caller as Lambda does: errorType and errorMessage', async () => {
      // Prepare
      const { runner } = probeRunner();

      // Act
      let error: Error | undefined;
      try {
        await runner.invoke('probe', { calls: 51 });
      } catch (e) {
        error = e as Error;
      } finally {
        runner.dispose();
      }

      // Assess
      expect(error?.name).toBe('Sandbox.Timedout');
      expect(JSON.parse(error!.message)).toEqual({ errorType: 'Sandbox.Timedout', errorMessage: expect.stringMatching(/^RequestId: \S+ Error: Task timed out after 1\.00 seconds$/) });
    });
  });

  describe('Integration: the rollover state machine', () => {
    it("catches a step that outlasts serverless.yml's 60 s timeout (States.ALL) and fails the execution with Sandbox.Timedout", async () => {
      // Prepare: every AWS call takes 61 s, so the first step that makes one runs past its timeout.
      const sim = new Simulation({ seed: 7, env: { CLUSTERS: JSON.stringify([{ cluster: 'demo' }]) } });
      baseAccount(sim.world);
      buildCluster(sim.world, defaultClusterSpec());
      releaseNewAmi(sim.world);
      sim.world.router.network.latencyMs = 61_000;

      // Act
      let execution;
      try {
        const arn = sim.startRollover({ cluster: 'demo' });
        await sim.run();
        execution = sim.execution(arn);
      } finally {
        sim.dispose();
      }

      // Assess
      expect(execution.status).toBe('FAILED');
      expect(execution.error).toBe('Sandbox.Timedout');
      expect(JSON.parse(execution.cause!)).toEqual({ errorType: 'Sandbox.Timedout', errorMessage: expect.stringContaining('Task timed out after 60.00 seconds') });
      expect(sim.runner.stats.timedOutInvocations).toBe(1);
      expect(sim.runner.stats.longestInvocationMs).toBe(60_000);
      expect(sim.runner.visits.map((v) => v.state)).toEqual(['ValidateInput', 'ResolveTargetAmi', 'Refused', 'RefusedFail']);
    });
  });
});
