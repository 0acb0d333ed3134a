import type { TaskDefinition } from '@aws-sdk/client-ecs';
import type { ContainerInstanceSummary } from '../lib/aws/container-instances';
import type { RegisteredCapacity } from '../lib/aws/instance-types';
import type { LaunchOption } from '../lib/aws/launch-options';
import { canHold } from '../rollover/capacity';

/**
 * Capacity arithmetic of a scaling, kept pure: what one task reserves, how many more tasks the
 * cluster can place now, how many weighted units a fleet must add for the rest, and which
 * instances a scale-in can give back. Aggregate arithmetic like ECS placement's own first check;
 * placement strategies and constraints are not modelled.
 */

export interface TaskNeeds {
  cpu: number;
  memory: number;
  /** Static TCP host ports (bridge mode hostPort > 0, host mode every container port): one task per instance. */
  hostPorts: number[];
}

/** What a task of this definition reserves on an EC2 container instance. */
export function taskNeeds(td: TaskDefinition): TaskNeeds {
  const containers = td.containerDefinitions ?? [];
  const cpu = Number(td.cpu) || containers.reduce((n, c) => n + (c.cpu ?? 0), 0);
  const memory = Number(td.memory) || containers.reduce((n, c) => n + (c.memoryReservation ?? c.memory ?? 0), 0);
  const hostPorts = new Set<number>();
  if (td.networkMode !== 'awsvpc' && td.networkMode !== 'none') {
    for (const c of containers) {
      for (const p of c.portMappings ?? []) {
        if ((p.protocol ?? 'tcp') !== 'tcp') continue;
        const port = td.networkMode === 'host' ? (p.hostPort ?? p.containerPort) : p.hostPort;
        if (port) hostPorts.add(port);
      }
    }
  }
  return { cpu, memory, hostPorts: [...hostPorts].sort((a, b) => a - b) };
}

/** A task that reserves nothing countable is bounded here instead of by resources. */
const UNBOUNDED = 1000;

function tasksWithin(cpu: number, memory: number, portsFree: boolean, needs: TaskNeeds): number {
  const byCpu = needs.cpu > 0 ? Math.floor(cpu / needs.cpu) : UNBOUNDED;
  const byMemory = needs.memory > 0 ? Math.floor(memory / needs.memory) : UNBOUNDED;
  const byPorts = needs.hostPorts.length === 0 ? UNBOUNDED : portsFree ? 1 : 0;
  return Math.max(0, Math.min(byCpu, byMemory, byPorts));
}

/** How many more tasks fit on this instance now (none unless ACTIVE with its agent connected). */
export function tasksThatFit(ci: ContainerInstanceSummary, needs: TaskNeeds): number {
  if (ci.status !== 'ACTIVE' || !ci.agentConnected) return 0;
  const portsFree = needs.hostPorts.every((p) => !ci.usedPorts.includes(String(p)));
  return tasksWithin(ci.freeCpu, ci.freeMemory, portsFree, needs);
}

export function placeableTasks(instances: ContainerInstanceSummary[], needs: TaskNeeds): number {
  return instances.reduce((n, ci) => n + tasksThatFit(ci, needs), 0);
}


export interface LaunchOptionFit extends LaunchOption {
  /** Tasks one new (empty) instance of this option holds. */
  tasksPerInstance: number;
}

/** Tasks one new instance of each launch option holds, from what an instance of its type registers (lib/aws/instance-types.ts). */
export function fitsPerOption(options: LaunchOption[], capacities: Record<string, RegisteredCapacity>, needs: TaskNeeds): LaunchOptionFit[] {
  return options.map((o) => {
    const cap = capacities[o.instanceType];
    return { ...o, tasksPerInstance: cap ? tasksWithin(cap.cpu, cap.memory, true, needs) : 0 };
  });
}

/**
 * Weighted units a fleet must add so that `tasks` more tasks fit, whatever mix of its launch
 * options it launches: enough units for the option that holds the fewest tasks per unit. Capacity
 * is counted in units, not instances — an instance of weight 2 fills 2 units. Options that cannot
 * hold a single task are left out (listed in `useless`); when none can, `units` is undefined.
 */
export function unitsForTasks(tasks: number, fits: LaunchOptionFit[]): { units?: number; useless: string[] } {
  const useful = fits.filter((f) => f.tasksPerInstance > 0);
  const useless = fits.filter((f) => f.tasksPerInstance === 0).map((f) => f.instanceType);
  if (tasks <= 0) return { units: 0, useless };
  if (useful.length === 0) return { useless };
  return { units: Math.max(...useful.map((f) => Math.ceil(tasks / f.tasksPerInstance) * f.weight)), useless };
}

/** Tasks that `units` more units surely hold, whatever mix of launch options the fleet launches. */
export function tasksForUnits(units: number, fits: LaunchOptionFit[]): number {
  const useful = fits.filter((f) => f.tasksPerInstance > 0);
  if (units <= 0 || useful.length === 0) return 0;
  return Math.min(...useful.map((f) => Math.floor(units / f.weight) * f.tasksPerInstance));
}

export interface SpareCandidate {
  ci: ContainerInstanceSummary;
  weight: number;
}

/**
 * The fleet instances a scale-in gives back. Fewest tasks first (the quickest drains, the fewest
 * tasks moved), an instance is spare when the cluster's other ACTIVE instances can take its
 * tasks and those of the spares before it (CPU, memory, host ports) and the fleet keeps at least
 * `minCapacity` units. Of the spares found, the last `headroomInstances` stay as room for the
 * next scale-out.
 */
export function chooseSpare(
  candidates: SpareCandidate[],
  others: ContainerInstanceSummary[],
  limits: { fleetUnits: number; minCapacity: number; headroomInstances: number },
): SpareCandidate[] {
  const load = (c: SpareCandidate) => c.ci.runningTasks;
  const ordered = [...candidates].sort((a, b) => load(a) - load(b) || b.weight - a.weight || a.ci.arn.localeCompare(b.ci.arn));
  const spare: SpareCandidate[] = [];
  let units = limits.fleetUnits;
  for (const c of ordered) {
    if (units - c.weight < limits.minCapacity) continue;
    const leaving = [...spare, c];
    const staying = [...ordered.filter((o) => !leaving.includes(o)).map((o) => o.ci), ...others];
    if (!canHold(leaving.map((l) => l.ci), staying).fits) continue;
    spare.push(c);
    units -= c.weight;
  }
  return spare.slice(0, Math.max(0, spare.length - limits.headroomInstances));
}
