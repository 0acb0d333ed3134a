import { drainWaitSeconds, firstDrainWaitSeconds, STALLED_POLL_FACTOR } from '../../../functions/rollover/polling';

describe('Function: drainWaitSeconds', () => {
  it('polls at the interval while tasks move', () => {
    // Act
    const wait = drainWaitSeconds(30, 60, true, 3600);

    // Assess
    expect(wait).toBe(30);
  });

  it('doubles the wait when a poll saw no progress, up to the stalled factor', () => {
    // Act
    const waits = [drainWaitSeconds(30, 30, false, 3600), drainWaitSeconds(30, 60, false, 3600), drainWaitSeconds(30, 120, false, 3600)];

    // Assess
    expect(waits).toEqual([60, 30 * STALLED_POLL_FACTOR, 30 * STALLED_POLL_FACTOR]);
  });

  it('never sleeps far past the deadline', () => {
    // Act
    const wait = drainWaitSeconds(30, 60, false, 7.2);

    // Assess
    expect(wait).toBe(9);
  });
});

describe('Function: firstDrainWaitSeconds', () => {
  it('waits until a load-balanced task could first have moved: health checks plus deregistration delay', () => {
    // Act
    const wait = firstDrainWaitSeconds(30, [
      { healthySeconds: 150, deregistrationDelaySeconds: 300 },
      { healthySeconds: 30, deregistrationDelaySeconds: 60 },
    ]);

    // Assess
    expect(wait).toBe(450);
  });

  it('falls back to the poll interval without target groups, and caps at 10 minutes', () => {
    // Act
    const none = firstDrainWaitSeconds(30, []);
    const huge = firstDrainWaitSeconds(30, [{ healthySeconds: 300, deregistrationDelaySeconds: 3600 }]);

    // Assess
    expect(none).toBe(30);
    expect(huge).toBe(600);
  });
});
