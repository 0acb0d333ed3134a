import { ECSClient, ListClustersCommand } from '@aws-sdk/client-ecs';
import { instrumentClient } from '../../../functions/lib/clients';
import { useMetricsSink } from '../../../functions/lib/metrics';

/** An ECS client whose "network" answers with `responses` in turn (HTTP status, JSON body), retrying without delay. */
function ecsAnswering(responses: { status: number; body: object }[]): ECSClient {
  let call = 0;
  const client = new ECSClient({
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' },
    maxAttempts: 3,
    retryStrategy: {
      mode: 'standard',
      acquireInitialRetryToken: async () => ({ getRetryCount: () => 0 }),
      refreshRetryTokenForRetry: async (token: { getRetryCount: () => number }) => {
        const count = token.getRetryCount() + 1;
        if (count >= 3) throw new Error('no more attempts');
        return { getRetryCount: () => count, getRetryDelay: () => 0 };
      },
      recordSuccess: () => undefined,
    } as never,
    requestHandler: {
      handle: async () => {
        const r = responses[Math.min(call++, responses.length - 1)];
        return {
          response: {
            statusCode: r.status,
            headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': `req-${call}` },
            body: new TextEncoder().encode(JSON.stringify(r.body)),
          },
        };
      },
    } as never,
  });
  instrumentClient(client);
  return client;
}

const THROTTLED = { status: 400, body: { __type: 'ThrottlingException', message: 'Rate exceeded' } };
const OK = { status: 200, body: { clusterArns: ['arn:aws:ecs:us-east-1:123456789012:cluster/demo'] } };

describe('Function: instrumentClient', () => {
  const published: Record<string, unknown>[] = [];

  beforeEach(() => {
    published.length = 0;
    useMetricsSink((emf) => published.push(JSON.parse(emf)));
  });

  afterAll(() => useMetricsSink(undefined));

  it('publishes nothing for a call that succeeds at once', async () => {
    // Prepare
    const ecs = ecsAnswering([OK]);

    // Act
    await ecs.send(new ListClustersCommand({}));

    // Assess
    expect(published).toEqual([]);
  });

  it('counts the retries of a call that succeeded after being throttled', async () => {
    // Prepare
    const ecs = ecsAnswering([THROTTLED, OK]);

    // Act
    const res = await ecs.send(new ListClustersCommand({}));

    // Assess
    expect(res.$metadata.attempts).toBe(2);
    expect(published).toEqual([
      expect.objectContaining({ awsService: 'ECS', operation: 'ListClusters', attempts: '2', SdkRetries: 1, ThrottledCalls: 0, service: 'ecs-fleet-ops' }),
    ]);
    expect(published[0]._aws).toMatchObject({ CloudWatchMetrics: [{ Namespace: 'ecs-fleet-ops', Dimensions: [['service', 'awsService']] }] });
  });

  it('counts a call still throttled after the last attempt, and names neither request nor credentials', async () => {
    // Prepare
    const ecs = ecsAnswering([THROTTLED]);

    // Act
    const call = ecs.send(new ListClustersCommand({}));

    // Assess
    await expect(call).rejects.toMatchObject({ name: 'ThrottlingException' });
    expect(published).toEqual([expect.objectContaining({ operation: 'ListClusters', SdkRetries: 2, ThrottledCalls: 1, error: 'ThrottlingException' })]);
    expect(JSON.stringify(published)).not.toMatch(/AKIA|wJalr|clusterArns|Rate exceeded/);
  });
});
