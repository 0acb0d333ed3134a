import { cooldownLeft, formatLastScale, nextDesiredCount, parseLastScale } from '../../../functions/scale/desired-count';

const bounds = { min: 2, max: 10 };

describe('Function: nextDesiredCount', () => {
  it.each([
    ['out', 4, 1, 5],
    ['out', 4, 3, 7],
    ['out', 4, 6, 10],
    ['out', 9, 5, 10],
    ['in', 8, 1, 7],
    ['in', 8, 4, 4],
    ['in', 3, 5, 2],
  ] as const)('scales %s from %i by a step of %i to %i, within [2, 10]', (direction, current, step, expected) => {
    // Prepare
    const request = { direction, step, ...bounds };

    // Act
    const next = nextDesiredCount(current, request);

    // Assess
    expect(next.desired).toBe(expected);
  });

  it('says when the max cut the step short', () => {
    // Prepare
    const request = { direction: 'out' as const, step: 5, ...bounds };

    // Act
    const next = nextDesiredCount(8, request);

    // Assess
    expect(next).toEqual({ desired: 10, reason: 'step 5 capped by max 10' });
  });

  it.each([
    ['out', 10, 'at or above max 10'],
    ['out', 14, 'at or above max 10'],
    ['in', 2, 'at or below min 2'],
    ['in', 0, 'at or below min 2'],
  ] as const)('does not scale %s from %i (%s)', (direction, current, reason) => {
    // Prepare
    const request = { direction, step: 1, ...bounds };

    // Act
    const next = nextDesiredCount(current, request);

    // Assess
    expect(next.desired).toBe(current);
    expect(next.reason).toContain(reason);
  });

  it('brings a count below min up to min on a scale-out, and one above max down to max on a scale-in', () => {
    // Prepare
    const out = { direction: 'out' as const, step: 1, min: 5, max: 10 };
    const inward = { direction: 'in' as const, step: 1, min: 2, max: 6 };

    // Act
    const up = nextDesiredCount(0, out);
    const down = nextDesiredCount(12, inward);

    // Assess
    expect(up.desired).toBe(5);
    expect(down.desired).toBe(6);
  });
});

describe('Function: cooldownLeft', () => {
  const now = Date.parse('2026-11-01T10:10:00Z');

  it('is the rest of the cooldown after a scaling in the same direction', () => {
    // Prepare
    const last = parseLastScale(formatLastScale('out', now - 100_000));

    // Act
    const left = cooldownLeft(last, 'out', 300, now);

    // Assess
    expect(left).toBe(200);
  });

  it('is over once the cooldown has passed', () => {
    // Prepare
    const last = parseLastScale(formatLastScale('in', now - 300_000));

    // Act
    const left = cooldownLeft(last, 'in', 300, now);

    // Assess
    expect(left).toBe(0);
  });

  it('holds a scale-in back after a recent scale-out, but never a scale-out after a recent scale-in', () => {
    // Prepare
    const afterOut = parseLastScale(formatLastScale('out', now - 10_000));
    const afterIn = parseLastScale(formatLastScale('in', now - 10_000));

    // Act
    const inAfterOut = cooldownLeft(afterOut, 'in', 300, now);
    const outAfterIn = cooldownLeft(afterIn, 'out', 300, now);

    // Assess
    expect(inAfterOut).toBe(290);
    expect(outAfterIn).toBe(0);
  });

  it.each([undefined, '', 'sideways 2026-11-01T10:00:00.000Z', 'out yesterday', 'out'])('ignores a missing or foreign tag value %p', (value) => {
    // Prepare
    const last = parseLastScale(value);

    // Act
    const left = cooldownLeft(last, 'in', 300, now);

    // Assess
    expect(last).toBeUndefined();
    expect(left).toBe(0);
  });

  it('reads back what it writes', () => {
    // Prepare
    const at = Date.parse('2026-11-01T09:59:59.123Z');

    // Act
    const tag = formatLastScale('in', at);

    // Assess
    expect(tag).toBe('in 2026-11-01T09:59:59.123Z');
    expect(parseLastScale(tag)).toEqual({ direction: 'in', at });
  });
});
