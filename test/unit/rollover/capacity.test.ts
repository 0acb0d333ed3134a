import type { ContainerInstanceSummary } from '../../../functions/lib/aws/container-instances';
import { canHold } from '../../../functions/rollover/capacity';

let serial = 0;

/** An m5.large-sized container instance: 2048 CPU units, 7936 MiB, with `usedCpu` / `usedMemory` reserved by tasks. */
function instance(options: { usedCpu?: number; usedMemory?: number; ports?: string[] } = {}): ContainerInstanceSummary {
  serial++;
  const registeredCpu = 2048;
  const registeredMemory = 7936;
  return {
    arn: `arn:aws:ecs:us-east-1:123456789012:container-instance/demo/${serial}`,
    ec2InstanceId: `i-${String(serial).padStart(17, '0')}`,
    status: 'ACTIVE',
    agentConnected: true,
    runningTasks: 0,
    pendingTasks: 0,
    registeredCpu,
    registeredMemory,
    freeCpu: registeredCpu - (options.usedCpu ?? 0),
    freeMemory: registeredMemory - (options.usedMemory ?? 0),
    usedPorts: options.ports ?? [],
    holdsReservations: Boolean(options.usedCpu || options.usedMemory || options.ports?.length),
  };
}

describe('Function: canHold', () => {
  it('fits when the destinations have the CPU, memory and ports the sources use', () => {
    // Prepare
    const sources = [instance({ usedCpu: 1024, usedMemory: 2048, ports: ['80'] }), instance({ usedCpu: 512, usedMemory: 1024 })];
    const destinations = [instance(), instance()];

    // Act
    const verdict = canHold(sources, destinations);

    // Assess
    expect(verdict.fits).toBe(true);
    expect(verdict.reason).toBe('4096/1536 CPU units and 15872/3072 MiB free/needed');
  });

  it('fits when there is nothing to move, even with no destination', () => {
    // Prepare
    const sources = [instance(), instance()];

    // Act
    const verdict = canHold(sources, []);

    // Assess
    expect(verdict.fits).toBe(true);
  });

  it('does not fit when CPU is short by a single unit', () => {
    // Prepare
    const sources = [instance({ usedCpu: 2048 }), instance({ usedCpu: 1 })];
    const destinations = [instance()];

    // Act
    const verdict = canHold(sources, destinations);

    // Assess
    expect(verdict).toEqual({ fits: false, reason: '2048 CPU units free on the replacement, 2049 reserved by tasks to move' });
  });

  it('counts only what the destinations have free, not what they registered', () => {
    // Prepare
    const sources = [instance({ usedCpu: 1024 })];
    const destinations = [instance({ usedCpu: 1536 }), instance({ usedCpu: 1536 })];

    // Act
    const verdict = canHold(sources, destinations);

    // Assess
    expect(verdict.fits).toBe(true);
    expect(canHold([instance({ usedCpu: 1025 })], destinations).fits).toBe(false);
  });

  it('does not fit when memory is short though CPU suffices', () => {
    // Prepare
    const sources = [instance({ usedCpu: 256, usedMemory: 6000 }), instance({ usedCpu: 256, usedMemory: 6000 })];
    const destinations = [instance(), instance({ usedMemory: 4000 })];

    // Act
    const verdict = canHold(sources, destinations);

    // Assess
    expect(verdict.fits).toBe(false);
    expect(verdict.reason).toBe('11872 MiB free on the replacement, 12000 MiB reserved by tasks to move');
  });

  it('does not fit when a static host port is used on more sources than destinations have it free', () => {
    // Prepare: port 80 takes one task per instance; three tasks use it, two destinations exist
    const sources = [instance({ usedCpu: 128, ports: ['80'] }), instance({ usedCpu: 128, ports: ['80'] }), instance({ usedCpu: 128, ports: ['80'] })];
    const destinations = [instance(), instance()];

    // Act
    const verdict = canHold(sources, destinations);

    // Assess
    expect(verdict).toEqual({ fits: false, reason: 'host port 80 is used on 3 instance(s) to drain but free on only 2 replacement instance(s)' });
  });

  it('counts a destination already using the static port as not free', () => {
    // Prepare
    const sources = [instance({ usedCpu: 128, ports: ['8080'] }), instance({ usedCpu: 128, ports: ['8080'] })];
    const destinations = [instance({ ports: ['8080'] }), instance(), instance({ ports: ['443'] })];

    // Act
    const verdict = canHold(sources, destinations);

    // Assess
    expect(verdict.fits).toBe(true);
    expect(canHold([...sources, instance({ usedCpu: 128, ports: ['8080'] })], destinations).fits).toBe(false);
  });

  it('ignores dynamic host ports (32768 and up), which any instance has plenty of', () => {
    // Prepare
    const sources = [instance({ usedCpu: 128, ports: ['32768', '32769'] }), instance({ usedCpu: 128, ports: ['32768', '61000'] })];
    const destinations = [instance({ ports: ['32768'] })];

    // Act
    const verdict = canHold(sources, destinations);

    // Assess
    expect(verdict.fits).toBe(true);
  });

  it('treats port 32767 as static', () => {
    // Prepare
    const sources = [instance({ usedCpu: 128, ports: ['32767'] }), instance({ usedCpu: 128, ports: ['32767'] })];
    const destinations = [instance()];

    // Act
    const verdict = canHold(sources, destinations);

    // Assess
    expect(verdict.fits).toBe(false);
    expect(verdict.reason).toContain('host port 32767');
  });
});
