import fs from 'node:fs';
import path from 'node:path';
import { DescribeExecutionCommand, GetExecutionHistoryCommand, SFNClient, type ExecutionStatus, type GetExecutionHistoryCommandInput, type HistoryEvent } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { HistoryReader, regionOf, watchExecution } from '../../cli/watch';
import type { Terminal } from '../../cli/progress';

const sfnMock = mockClient(SFNClient);

interface Fixture {
  describeExecution: { executionArn: string; name: string; status: string; startDate: string; stopDate?: string };
  events: (Omit<HistoryEvent, 'timestamp'> & { timestamp: string })[];
}

/** A recorded history (test/fixtures/record-histories.ts), with Dates where the SDK gives Dates. */
function fixture(name: string): { arn: string; describe: { name: string; status: ExecutionStatus; startDate: Date }; events: HistoryEvent[] } {
  const raw = JSON.parse(fs.readFileSync(path.join(__dirname, '../fixtures/execution-history', `${name}.json`), 'utf8')) as Fixture;
  return {
    arn: raw.describeExecution.executionArn,
    describe: { ...raw.describeExecution, status: raw.describeExecution.status as ExecutionStatus, startDate: new Date(raw.describeExecution.startDate) },
    events: raw.events.map((e) => ({ ...e, timestamp: new Date(e.timestamp) }) as HistoryEvent),
  };
}

/** Serves `visible()` events as GetExecutionHistory does: pages of maxResults, oldest first or newest first. */
function serveHistory(visible: () => HistoryEvent[], describe: { name: string; status: ExecutionStatus; startDate: Date }): GetExecutionHistoryCommandInput[] {
  const requests: GetExecutionHistoryCommandInput[] = [];
  sfnMock.on(DescribeExecutionCommand).resolves(describe);
  sfnMock.on(GetExecutionHistoryCommand).callsFake((input: GetExecutionHistoryCommandInput) => {
    requests.push(input);
    const events = input.reverseOrder ? [...visible()].reverse() : visible();
    const start = input.nextToken ? Number(input.nextToken) : 0;
    const size = input.maxResults ?? 1000;
    const page = events.slice(start, start + size);
    return { events: page, ...(start + size < events.length ? { nextToken: String(start + size) } : {}) };
  });
  return requests;
}

function terminal(isTTY: boolean): Terminal & { text: () => string } {
  let written = '';
  return { isTTY, columns: 200, write: (t: string) => void (written += t), text: () => written };
}

beforeEach(() => {
  sfnMock.reset();
});

describe('Command: npm run watch', () => {
  describe('Function: watchExecution', () => {
    it('prints a line per change of a finished rollover, ending with its outcome, when stdout is not a terminal', async () => {
      // Prepare
      const { arn, describe, events } = fixture('rollover-succeeded');
      serveHistory(() => events, describe);
      const out = terminal(false);

      // Act
      const progress = await watchExecution({ sfn: new SFNClient({ region: 'us-east-1' }), executionArn: arn, out, sleep: async () => undefined });

      // Assess
      const lines = out.text().trim().split('\n');
      expect(progress.status).toBe('SUCCEEDED');
      expect(out.text()).not.toContain('\x1b[');
      expect(lines.length).toBeGreaterThan(8);
      expect(lines.length).toBeLessThan(40);
      expect(lines.some((l) => /Replace · CheckReplacement · new 5\/5 ready/.test(l))).toBe(true);
      expect(lines.some((l) => /Drain · CheckOldDrain .*old \d\/5 drained/.test(l))).toBe(true);
      expect(lines.at(-1)).toMatch(/^\+\s+\d+m\d\ds {2}SUCCEEDED · new 5\/5 ready .* · old 5\/5 drained · 5 old instance\(s\) retired · Cluster demo now runs ami-0281c9a5cd9de63bd/);
    });

    it('follows a running execution, reading only the events it has not seen, until it ends', async () => {
      // Prepare: the history grows by a third at each poll.
      const { arn, describe, events } = fixture('rollover-succeeded');
      let shown = Math.floor(events.length / 3);
      const requests = serveHistory(() => events.slice(0, shown), { ...describe, status: 'RUNNING' });
      const out = terminal(false);
      let polls = 0;
      const sleep = async () => {
        polls++;
        shown = Math.min(events.length, shown + Math.floor(events.length / 3));
      };

      // Act
      const progress = await watchExecution({ sfn: new SFNClient({ region: 'us-east-1' }), executionArn: arn, out, sleep, intervalSeconds: 5 });

      // Assess
      expect(progress.status).toBe('SUCCEEDED');
      expect(polls).toBeGreaterThanOrEqual(2);
      expect(requests[0].reverseOrder).toBeFalsy();
      expect(requests.slice(1).every((r) => r.reverseOrder === true)).toBe(true);
      // Newest-first reads stop at the first event already seen: far fewer events than the whole history each time.
      expect(requests.filter((r) => r.reverseOrder).length).toBeLessThanOrEqual(polls + 2);
      expect(out.text().trim().split('\n').at(-1)).toContain('SUCCEEDED');
    });

    it('redraws one status line in place on a terminal', async () => {
      // Prepare
      const { arn, describe, events } = fixture('rollover-succeeded');
      serveHistory(() => events, describe);
      const out = terminal(true);

      // Act
      await watchExecution({ sfn: new SFNClient({ region: 'us-east-1' }), executionArn: arn, out, sleep: async () => undefined });

      // Assess
      const text = out.text();
      expect(text).toContain('\r\x1b[2K');
      expect(text.endsWith('\n')).toBe(true);
      expect(text.split('\n').filter(Boolean)).toHaveLength(1);
      expect(text).toMatch(/SUCCEEDED · .*Cluster demo now runs/);
    });

    it('shows the rollback and the error of a rollover that failed', async () => {
      // Prepare
      const { arn, describe, events } = fixture('rollover-rolled-back');
      serveHistory(() => events, describe);
      const out = terminal(false);

      // Act
      const progress = await watchExecution({ sfn: new SFNClient({ region: 'us-east-1' }), executionArn: arn, out, sleep: async () => undefined });

      // Assess
      const lines = out.text().trim().split('\n');
      expect(progress.status).toBe('FAILED');
      expect(lines.some((l) => /Rollback · CheckReplacementDrain · new 0\/5 ready .* · replacement \d\/\d drained/.test(l))).toBe(true);
      expect(lines.at(-1)).toMatch(/FAILED · .*ReplacementFailed: Replacement for cluster demo failed: replacement not ready by its deadline/);
    });

    it('prints a dry run’s verdict', async () => {
      // Prepare
      const { arn, describe, events } = fixture('rollover-dry-run');
      serveHistory(() => events, describe);
      const out = terminal(false);

      // Act
      const progress = await watchExecution({ sfn: new SFNClient({ region: 'us-east-1' }), executionArn: arn, out, sleep: async () => undefined });

      // Assess
      expect(progress.status).toBe('SUCCEEDED');
      expect(progress.phase).toBe('Plan');
      expect(out.text().trim().split('\n').at(-1)).toMatch(/SUCCEEDED · wouldRoll: Would replace 1 Spot Fleet\(s\) of demo/);
    });

    it('with --once, prints where a running execution stands and returns', async () => {
      // Prepare
      const { arn, describe, events } = fixture('rollover-succeeded');
      const upToDrain = events.findIndex((e) => e.stateEnteredEventDetails?.name === 'CheckOldDrain');
      serveHistory(() => events.slice(0, upToDrain + 5), { ...describe, status: 'RUNNING' });
      const out = terminal(false);
      const sleep = jest.fn(async () => undefined);

      // Act
      const progress = await watchExecution({ sfn: new SFNClient({ region: 'us-east-1' }), executionArn: arn, out, once: true, sleep });

      // Assess
      expect(progress.status).toBe('RUNNING');
      expect(progress.phase).toBe('Drain');
      expect(sleep).not.toHaveBeenCalled();
    });
  });

  describe('Class: HistoryReader', () => {
    it('returns every event once, in order, across pages and polls', async () => {
      // Prepare
      const { arn, describe, events } = fixture('rollover-rolled-back');
      let shown = 40;
      serveHistory(() => events.slice(0, shown), describe);
      const reader = new HistoryReader(new SFNClient({ region: 'us-east-1' }), arn);

      // Act
      const seen: HistoryEvent[] = [];
      seen.push(...(await reader.newEvents()));
      shown = 41;
      seen.push(...(await reader.newEvents()));
      seen.push(...(await reader.newEvents()));
      shown = events.length;
      seen.push(...(await reader.newEvents()));

      // Assess
      expect(seen.map((e) => e.id)).toEqual(events.map((e) => e.id));
    });
  });

  describe('Function: regionOf', () => {
    it('reads the region from an execution ARN', () => {
      // Prepare
      const arn = 'arn:aws:states:eu-west-1:123456789012:execution:ecs-fleet-ops-prod-ami-rollover:web-ami-0281c9a5cd9de63bd';

      // Act
      const region = regionOf(arn);

      // Assess
      expect(region).toBe('eu-west-1');
    });
  });
});
