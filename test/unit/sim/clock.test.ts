import { SIM_EPOCH, VirtualClock } from '../../../sim/clock';
import { World } from '../../../sim/world';

/** Runs every timer due up to `limit`, batch by batch, and returns the times the batches ran at. */
function runUntil(clock: VirtualClock, limit: number): number[] {
  const times: number[] = [];
  for (let t = clock.runNextBatch(limit); t !== undefined; t = clock.runNextBatch(limit)) times.push(t);
  return times;
}

describe('Class: VirtualClock', () => {
  it('runs timers in time order, whatever order they were scheduled in', () => {
    // Prepare
    const clock = new VirtualClock();
    const ran: string[] = [];
    clock.after(30, 'c', () => ran.push('c'));
    clock.after(10, 'a', () => ran.push('a'));
    clock.after(20, 'b', () => ran.push('b'));
    clock.after(0.5, 'half', () => ran.push('half'));

    // Act
    runUntil(clock, SIM_EPOCH + 60_000);

    // Assess
    expect(ran).toEqual(['half', 'a', 'b', 'c']);
  });

  it('runs timers due at the same instant in the order they were scheduled', () => {
    // Prepare
    const clock = new VirtualClock();
    const ran: number[] = [];
    for (let i = 0; i < 20; i++) clock.after(5, `t${i}`, () => ran.push(i));

    // Act
    const times = runUntil(clock, SIM_EPOCH + 5_000);

    // Assess
    expect(ran).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(times).toEqual([SIM_EPOCH + 5_000]);
  });

  it('moves now to each timer as it runs, and never backwards', () => {
    // Prepare
    const clock = new VirtualClock();
    const seen: number[] = [];
    clock.after(10, 'late', () => seen.push(clock.now()));
    clock.after(3, 'early', () => seen.push(clock.now()));

    // Act
    runUntil(clock, SIM_EPOCH + 60_000);
    clock.setTime(SIM_EPOCH + 1_000);

    // Assess
    expect(seen).toEqual([SIM_EPOCH + 3_000, SIM_EPOCH + 10_000]);
    expect(clock.now()).toBe(SIM_EPOCH + 10_000);
  });

  it('runs a timer set in the past at the current time, after those already due then', () => {
    // Prepare
    const clock = new VirtualClock();
    const ran: string[] = [];
    clock.after(10, 'first', () => {
      ran.push('first');
      clock.at(SIM_EPOCH, 'in the past', () => ran.push(`past@${clock.elapsedSeconds()}`));
    });
    clock.after(10, 'second', () => ran.push('second'));

    // Act
    runUntil(clock, SIM_EPOCH + 60_000);

    // Assess
    expect(ran).toEqual(['first', 'second', 'past@10']);
  });

  it('leaves timers after the limit for later', () => {
    // Prepare
    const clock = new VirtualClock();
    const ran: string[] = [];
    clock.after(10, 'now', () => ran.push('now'));
    clock.after(11, 'later', () => ran.push('later'));

    // Act
    runUntil(clock, SIM_EPOCH + 10_000);

    // Assess
    expect(ran).toEqual(['now']);
    expect(clock.pending()).toBe(1);
    expect(clock.nextAt()).toBe(SIM_EPOCH + 11_000);
  });
});

describe('Class: World (time)', () => {
  it('advance(seconds) runs what is due and lands exactly on the new time', () => {
    // Prepare
    const world = new World({ seed: 1 });
    const ran: number[] = [];
    world.clock.after(5, 'a', () => ran.push(world.clock.elapsedSeconds()));
    world.clock.after(95, 'b', () => ran.push(world.clock.elapsedSeconds()));

    // Act
    world.advance(60);

    // Assess
    expect(ran).toEqual([5]);
    expect(world.clock.elapsedSeconds()).toBe(60);
  });

  it('advanceTo stops at the first instant the condition holds', () => {
    // Prepare
    const world = new World({ seed: 1 });
    let count = 0;
    for (let i = 1; i <= 10; i++) world.clock.after(i * 10, `tick ${i}`, () => count++);

    // Act
    world.advanceTo(world.clock.now() + 1_000_000, () => count === 3);

    // Assess
    expect(count).toBe(3);
    expect(world.clock.elapsedSeconds()).toBe(30);
  });
});
