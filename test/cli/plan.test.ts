import { CreateTagsCommand } from '@aws-sdk/client-ec2';
import { formatPlan } from '../../cli/plan-format';
import { inputFromOptions, planRollover, readOnlyClients } from '../../cli/plan';
import { NEW_AMI } from '../../sim/scenarios/cluster';
import { clusterOnOldAmi, mutatingCalls, type TestCluster } from '../support/simulation';

let t: TestCluster | undefined;
const savedEnv = { ...process.env };

beforeEach(() => {
  // The deployment's lock prefix (as --stage sim would give).
  process.env.LOCK_PARAMETER_PREFIX = '/ecs-fleet-ops/sim/locks';
});

afterEach(() => {
  t?.sim.dispose();
  t = undefined;
  process.env = { ...savedEnv };
});

describe('Command: npm run plan', () => {
  describe('Function: planRollover', () => {
    it('runs the dry run’s handlers against an account (here the simulator’s clients) and reads only', async () => {
      // Prepare
      t = clusterOnOldAmi();
      const { sim, mark } = t;

      // Act
      const outcome = await planRollover(sim.world.clients, { cluster: 'demo' }, { region: 'us-east-1' });

      // Assess
      expect(outcome.ok).toBe(true);
      if (!outcome.ok) return;
      expect(outcome.plan).toMatchObject({ verdict: 'wouldRoll', cluster: 'demo', targetAmi: { imageId: NEW_AMI } });
      expect(mutatingCalls(sim, mark)).toEqual([]);
      const calls = sim.world.router.calls.slice(mark).map((c) => c.operation);
      expect(calls).toEqual(expect.arrayContaining(['GetParameter', 'DescribeImages', 'DescribeSpotFleetRequests', 'ListTasks', 'DescribeTargetGroupAttributes']));
    });

    it('sees a running rollover through its lock', async () => {
      // Prepare
      t = clusterOnOldAmi();
      const { sim } = t;
      sim.startRollover({ cluster: 'demo' }, 'rolling-now');
      await sim.runner.advance(100);

      // Act
      const outcome = await planRollover(sim.world.clients, { cluster: 'demo' }, { region: 'us-east-1' });
      await sim.run();

      // Assess
      expect(outcome.ok && outcome.plan.refusals).toEqual([expect.objectContaining({ error: 'RolloverInProgress', reason: expect.stringContaining('rolling-now') })]);
    });

    it('ends with the failing state’s error, as the state machine would', async () => {
      // Prepare
      t = clusterOnOldAmi();
      const { sim } = t;

      // Act
      const outcome = await planRollover(sim.world.clients, { cluster: 'nope' }, { region: 'us-east-1' });
      const invalid = await planRollover(sim.world.clients, { cluster: 'demo', drain: { batchPercent: 0 } }, { region: 'us-east-1' });

      // Assess
      expect(outcome).toEqual({ ok: false, error: 'NotFound', at: 'DiscoverFleets', message: "ECS cluster 'nope' does not exist in this region" });
      expect(invalid).toMatchObject({ ok: false, error: 'InvalidInput', at: 'ValidateInput' });
    });

    it('prints a plan an operator can read', async () => {
      // Prepare
      t = clusterOnOldAmi();
      const outcome = await planRollover(t.sim.world.clients, { cluster: 'demo' }, { region: 'us-east-1' });
      if (!outcome.ok) throw new Error(outcome.message);

      // Act
      const text = formatPlan(outcome.plan);

      // Assess
      expect(text).toContain('Dry run of an AMI rollover of cluster demo — nothing was changed.');
      expect(text).toMatch(/^WOULD ROLL: Would replace 1 Spot Fleet\(s\)/m);
      expect(text).toMatch(/m5\.xlarge\s+weight 2: \d running/);
      expect(text).toMatch(/web \(1 TG\)\s+4\s+4 \(100%\)\s+200%\s+\d/);
      expect(text).toMatch(/^Duration\s+about \dm\d\ds/m);
      expect(text).toContain('Would stop    no reason found');
    });
  });

  describe('Function: readOnlyClients', () => {
    it('refuses a mutating call before it leaves the process', async () => {
      // Prepare
      t = clusterOnOldAmi();
      const { sim, mark } = t;
      const ec2 = readOnlyClients(sim.world.clients).ec2;

      // Act
      const call = ec2.send(new CreateTagsCommand({ Resources: ['i-0123456789abcdef0'], Tags: [{ Key: 'k', Value: 'v' }] }));

      // Assess
      await expect(call).rejects.toThrow('npm run plan only reads: it refused to call CreateTags');
      expect(sim.world.router.calls.length).toBe(mark);
    });
  });

  describe('Function: inputFromOptions', () => {
    it('builds the rollover input from the command line options', () => {
      // Prepare
      const values = { cluster: 'web', 'batch-percent': '50', 'standalone-tasks': 'stop', 'fleet-ids': 'sfr-a, sfr-b', poll: '15' };

      // Act
      const input = inputFromOptions(values);

      // Assess
      expect(input).toEqual({ cluster: 'web', fleetIds: ['sfr-a', 'sfr-b'], drain: { batchPercent: 50, standaloneTasks: 'stop' }, pollSeconds: 15 });
    });

    it('takes the whole input as JSON', () => {
      // Prepare
      const values = { input: '{"cluster":"api","amiId":"ami-0123456789abcdef0"}', cluster: 'ignored' };

      // Act
      const input = inputFromOptions(values);

      // Assess
      expect(input).toEqual({ cluster: 'api', amiId: 'ami-0123456789abcdef0' });
    });
  });
});
