import { StartExecutionCommand } from '@aws-sdk/client-sfn';
import type { ExecutionEngine, SimExecution } from '../../../sim/aws/sfn';
import { World } from '../../../sim/world';
import { errorOf } from './helpers';

const MACHINE = 'arn:aws:states:us-east-1:123456789012:stateMachine:ami-rollover';

/** A world whose Step Functions has one state machine and an engine that only records what it was asked to run. */
function setUp(): { world: World; started: SimExecution[] } {
  const world = new World({ seed: 1 });
  const started: SimExecution[] = [];
  const engine: ExecutionEngine = {
    stateMachineNames: () => new Map([[MACHINE, 'ami-rollover']]),
    run: (execution) => started.push(execution),
    stop: () => undefined,
  };
  world.sfn.attach(engine);
  return { world, started };
}

const start = (world: World, name: string, input: object) => world.clients.sfn.send(new StartExecutionCommand({ stateMachineArn: MACHINE, name, input: JSON.stringify(input) }));

describe('Class: SfnSim', () => {
  describe('Method: StartExecution', () => {
    it('returns the running execution for the same name and the same input, starting it once', async () => {
      // Prepare
      const { world, started } = setUp();
      const first = await start(world, 'demo-ami-0281c9a5cd9de63bd', { cluster: 'demo' });

      // Act
      const second = await start(world, 'demo-ami-0281c9a5cd9de63bd', { cluster: 'demo' });

      // Assess
      expect(second.executionArn).toBe(first.executionArn);
      expect(second.startDate).toEqual(first.startDate);
      expect(started).toHaveLength(1);
    });

    it('refuses the same name with another input while it runs (ExecutionAlreadyExists)', async () => {
      // Prepare
      const { world, started } = setUp();
      await start(world, 'demo-1', { cluster: 'demo' });

      // Act
      const result = start(world, 'demo-1', { cluster: 'demo', pollSeconds: 10 });

      // Assess
      await expect(result).rejects.toMatchObject({ name: 'ExecutionAlreadyExists' });
      expect(started).toHaveLength(1);
    });

    it('refuses the same name and input once the execution has closed', async () => {
      // Prepare
      const { world, started } = setUp();
      await start(world, 'demo-1', { cluster: 'demo' });
      started[0].status = 'SUCCEEDED';
      world.advance(3600);

      // Act
      const result = start(world, 'demo-1', { cluster: 'demo' });

      // Assess
      await expect(result).rejects.toMatchObject({ name: 'ExecutionAlreadyExists' });
      expect(started).toHaveLength(1);
    });

    it.each([
      ['a space', 'demo 1'],
      ['a slash', 'demo/1'],
      ['a colon', 'demo:1'],
      ['a semicolon', 'demo;1'],
      ['brackets', 'demo[1]'],
      ['a wildcard', 'demo*'],
      ['a tab', 'demo\t1'],
      ['a control character', 'demo\u00011'],
      ['a C1 control character', 'demo\u00851'],
      ['81 characters', 'x'.repeat(81)],
      ['nothing', ''],
    ])('refuses a name with %s (InvalidName)', (_what, name) => {
      // Prepare
      const { world, started } = setUp();

      // Act
      const error = errorOf(world, 'sfn', 'StartExecution', { stateMachineArn: MACHINE, name, input: '{}' });

      // Assess
      expect(error.name).toBe('InvalidName');
      expect(started).toHaveLength(0);
    });

    it('accepts a name of 80 characters from the CloudWatch-safe set', async () => {
      // Prepare
      const { world, started } = setUp();
      const name = `demo_AMI-${'0'.repeat(71)}`;

      // Act
      const res = await start(world, name, {});

      // Assess
      expect(name).toHaveLength(80);
      expect(res.executionArn).toBe(`arn:aws:states:us-east-1:123456789012:execution:ami-rollover:${name}`);
      expect(started).toHaveLength(1);
    });

    it('refuses an unknown state machine and input that is not JSON', () => {
      // Prepare
      const { world } = setUp();

      // Act
      const unknown = errorOf(world, 'sfn', 'StartExecution', { stateMachineArn: `${MACHINE}-nope`, name: 'x', input: '{}' });
      const notJson = errorOf(world, 'sfn', 'StartExecution', { stateMachineArn: MACHINE, name: 'x', input: '{cluster: demo}' });

      // Assess
      expect(unknown.name).toBe('StateMachineDoesNotExist');
      expect(notJson.name).toBe('InvalidExecutionInput');
    });
  });
});
