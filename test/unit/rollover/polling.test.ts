import { EXPECTED_BOOT_AND_REGISTER_SECONDS, firstWaitSeconds, nextWaitSeconds } from '../../../functions/rollover/polling';

describe('Function: firstWaitSeconds', () => {
  it('waits at least as long as an instance needs to boot and register', () => {
    // Prepare
    const pollSeconds = 30;

    // Act
    const wait = firstWaitSeconds(pollSeconds);

    // Assess
    expect(wait).toBe(EXPECTED_BOOT_AND_REGISTER_SECONDS);
    expect(wait).toBe(90);
  });

  it('waits the poll interval when that is longer', () => {
    // Prepare
    const pollSeconds = 120;

    // Act
    const wait = firstWaitSeconds(pollSeconds);

    // Assess
    expect(wait).toBe(120);
  });
});

describe('Function: nextWaitSeconds', () => {
  it('waits the poll interval while the deadline is far', () => {
    // Prepare
    const pollSeconds = 30;

    // Act
    const wait = nextWaitSeconds(pollSeconds, 600);

    // Assess
    expect(wait).toBe(30);
  });

  it('wakes just after the deadline when it is nearer than the poll interval', () => {
    // Prepare
    const pollSeconds = 30;

    // Act
    const wait = nextWaitSeconds(pollSeconds, 10);

    // Assess
    expect(wait).toBe(11);
  });

  it('rounds a fractional time to the deadline up, so the next check comes after it', () => {
    // Prepare
    const pollSeconds = 30;

    // Act
    const wait = nextWaitSeconds(pollSeconds, 0.2);

    // Assess
    expect(wait).toBe(2);
  });

  it.each([0, -5, -3600])('waits one second when the deadline is %s seconds away or past', (secondsToDeadline) => {
    // Prepare
    const pollSeconds = 30;

    // Act
    const wait = nextWaitSeconds(pollSeconds, secondsToDeadline);

    // Assess
    expect(wait).toBe(1);
  });
});
