import type { ContainerInstanceSummary } from '../lib/aws/container-instances';
import type { TargetGroupTimings } from '../lib/aws/targets';
import { ErrorNames, type ErrorName } from '../lib/errors';
import { canHold } from './capacity';
import type { RolloverRequest } from './input';
import { EXPECTED_BOOT_AND_REGISTER_SECONDS, firstWaitSeconds } from './polling';
import { SUSPENDED_DURING_ROLL } from './group-roll';
import type { GroupPlan, Plan, TargetAmi } from './state';

/**
 * A dry run's answer: what a rollover of the cluster would do now, how long it should take, and
 * every reason it would stop. Built by {@link buildPlan} from facts read (read-only) from AWS.
 */
export interface RolloverPlan {
  dryRun: true;
  cluster: string;
  verdict: 'wouldRoll' | 'nothingToDo' | 'wouldBeRefused';
  summary: string;
  targetAmi: TargetAmi;
  fleets: PlannedFleet[];
  /** The cluster's Auto Scaling groups: rolled (new template version, grown, old instances drained and terminated) or kept. */
  groups: PlannedGroup[];
  /** Container instances in no Spot Fleet nor Auto Scaling group (hand-launched): left alone. */
  otherInstances: number;
  /** Old instances and how they are drained. */
  drain: { instances: number; batches: number; perBatch: number; standaloneTasks: StandaloneTasks[]; standalonePolicy: 'wait' | 'stop' };
  services: PlannedService[];
  capacity: CapacityEstimate;
  targetGroups: PlannedTargetGroup[];
  duration: DurationEstimate;
  refusals: Refusal[];
  warnings: string[];
}

export interface PlannedFleet {
  fleetId: string;
  action: 'replace' | 'keep';
  /** Weighted units, not instances. */
  targetCapacity: number;
  instances: number;
  allocationStrategy: string;
  amis: string[];
  usesLaunchTemplate: boolean;
  launchOptions: { instanceType: string; weight: number; instances: number; cpu?: number; memory?: number }[];
}

export interface PlannedGroup {
  groupName: string;
  action: 'roll' | 'keep';
  instances: number;
  desiredCapacity: number;
  minSize: number;
  maxSize: number;
  /** Old and new side by side before the old are drained. */
  peakSize: number;
  /** The max the roll sets (its original max, or the peak when that is higher); put back after. */
  maxDuringRoll: number;
  amis: string[];
  /** Scaling processes the roll suspends (and resumes after); those already suspended stay so. */
  suspendsProcesses: string[];
  lifecycleHooks: string[];
  protectedInstances: number;
  /** Why a rollover would stop at this group (UnsupportedGroup). */
  refusal?: string;
}

export interface PlannedService {
  name: string;
  desired: number;
  running: number;
  minimumHealthyPercent: number;
  maximumPercent: number;
  /** Tasks that must stay healthy throughout: ⌈minimumHealthyPercent × desired⌉. */
  floor: number;
  /** Its tasks on the instances to drain: ECS moves them. */
  tasksToMove: number;
  targetGroupArns: string[];
}

export interface StandaloneTasks {
  group: string;
  count: number;
}

export interface CapacityEstimate {
  /** Whether the replacement can hold the tasks of the old instances, whichever types the fleet launches. */
  verdict: 'fits' | 'dependsOnInstanceTypes' | 'doesNotFit';
  reason: string;
  neededCpu: number;
  neededMemory: number;
  /** One line per launch option: the replacement made only of that type. */
  byInstanceType: { instanceType: string; instances: number; fits: boolean; reason: string }[];
}

export type PlannedTargetGroup = TargetGroupTimings & { name: string };

export interface DurationEstimate {
  expectedSeconds: number;
  /** Past this, the workflow gives up (replacement and drain deadlines) and rolls back. */
  boundSeconds: number;
  steps: { step: string; seconds: number; why: string }[];
}

export interface Refusal {
  /** The error the execution would end with. */
  error: ErrorName;
  /** The state where it would stop. */
  at: string;
  reason: string;
}

/** Facts the dry run reads from AWS; see functions/rollover/plan.ts. */
export interface PlanFacts {
  request: RolloverRequest;
  targetAmi: TargetAmi;
  discovery: Plan;
  fleets: FleetFacts[];
  /** EC2 ids of the live instances of the groups to roll. */
  groupInstanceIds: string[];
  /** Every container instance of the cluster (not INACTIVE). */
  clusterInstances: ContainerInstanceSummary[];
  /** What a container instance of each type registers (CPU units, MiB). */
  typeCapacities: Record<string, { cpu: number; memory: number }>;
  services: ServiceFacts[];
  /** Tasks on the instances to drain, by task group (`service:web`, `family:nightly-report`). */
  tasksOnOldInstances: { group: string; count: number }[];
  targetGroups: PlannedTargetGroup[];
  /** The cluster's rollover lock, when some execution holds it. */
  lock?: { owner: string; since: string; running: boolean };
  /** The clusters this deployment may change (CLUSTERS); undefined outside a deployment. */
  managedClusters?: string[];
}

export interface FleetFacts {
  fleetId: string;
  /** Weighted units: the replacement asks for the same. */
  targetCapacity: number;
  allocationStrategy: string;
  launchOptions: { instanceType: string; weight: number }[];
  /** EC2 ids and types of its active instances. */
  instances: { instanceId: string; instanceType: string }[];
}

export interface ServiceFacts {
  name: string;
  desired: number;
  running: number;
  minimumHealthyPercent: number;
  maximumPercent: number;
  targetGroupArns: string[];
}

/**
 * Estimates of what happens between two polls, where the workflow cannot know better. They only
 * shape the expected duration; every decision of the real run is taken on what AWS reports.
 */
export const ESTIMATES = {
  /** From RequestSpotFleet to the new instances ACTIVE in the cluster: spot fulfilment, boot, agent registration, the fleet's instance list catching up. */
  replacementReadySeconds: EXPECTED_BOOT_AND_REGISTER_SECONDS + 30,
  /** ECS places a replacement task and starts it (scheduler, image pull, container start). */
  taskStartSeconds: 30,
  /** A task without a load balancer counts as healthy this long after RUNNING. */
  healthyWithoutLoadBalancerSeconds: 40,
  /** A stopped task releases its reservation (stopTimeout after SIGTERM, usually much less). */
  taskStopSeconds: 10,
  /** RetireOldFleets, ReleaseLock, Notify. */
  finishSeconds: 5,
};

export function buildPlan(facts: PlanFacts): RolloverPlan {
  const { request, discovery } = facts;
  const replace = new Set(discovery.replace);
  const fleets = facts.fleets.map((f) => plannedFleet(f, discovery, replace.has(f.fleetId), facts.typeCapacities));
  const fleetOldIds = new Set(facts.fleets.filter((f) => replace.has(f.fleetId)).flatMap((f) => f.instances.map((i) => i.instanceId)));
  const oldIds = new Set([...fleetOldIds, ...facts.groupInstanceIds]);
  const oldInstances = facts.clusterInstances.filter((ci) => oldIds.has(ci.ec2InstanceId));
  const groups = (discovery.groups ?? []).map(plannedGroup);
  const moving = new Map(facts.tasksOnOldInstances.map((t) => [t.group, t.count]));
  const services = facts.services.map((s) => plannedService(s, moving.get(`service:${s.name}`) ?? 0));
  const standaloneTasks = facts.tasksOnOldInstances.filter((t) => !t.group.startsWith('service:')).sort((a, b) => a.group.localeCompare(b.group));
  const perBatch = Math.max(1, Math.ceil((oldInstances.length * request.drain.batchPercent) / 100));
  const batches = oldInstances.length === 0 ? 0 : Math.ceil(oldInstances.length / perBatch);
  // A group's new instances replace its old ones one for one, from the same types: only the fleets' half is estimated.
  const capacity = estimateCapacity(
    facts.clusterInstances.filter((ci) => fleetOldIds.has(ci.ec2InstanceId)),
    facts.fleets.filter((f) => replace.has(f.fleetId)),
    facts.typeCapacities,
  );
  const duration = estimateDuration(request, services, facts.targetGroups, batches);

  const refusals: Refusal[] = [];
  const warnings: string[] = [];
  if (facts.managedClusters && !facts.managedClusters.includes(request.cluster)) {
    refusals.push({
      error: ErrorNames.AccessDenied,
      at: 'DiscoverFleets',
      reason: `cluster ${request.cluster} is not one of the clusters this deployment manages (${facts.managedClusters.join(', ')}); its IAM roles may not change it — add it to the clusters stage param`,
    });
  }
  for (const g of discovery.groups ?? []) {
    if (g.refusal) refusals.push({ error: ErrorNames.UnsupportedGroup, at: 'DiscoverFleets', reason: g.refusal });
  }
  if (facts.lock?.running) {
    refusals.push({ error: ErrorNames.RolloverInProgress, at: 'AcquireLock', reason: `cluster ${request.cluster} is being rolled over by ${facts.lock.owner} (since ${facts.lock.since})` });
  } else if (facts.lock) {
    warnings.push(`a stale lock of ${facts.lock.owner} (no longer running) would be taken over`);
  }
  if (!discovery.upToDate) {
    if (capacity.verdict === 'doesNotFit') {
      refusals.push({ error: ErrorNames.ReplacementFailed, at: 'CheckReplacement', reason: `the replacement cannot hold the tasks to move: ${capacity.reason}; it would be waited for until replacementTimeoutSeconds (${request.replacementTimeoutSeconds} s), then cancelled` });
    } else if (capacity.verdict === 'dependsOnInstanceTypes') {
      warnings.push(`the replacement holds the tasks only if the fleet launches enough of the larger types (${capacity.reason}); otherwise it is cancelled after replacementTimeoutSeconds`);
    }
    for (const s of services.filter((s) => s.tasksToMove > 0 && cannotMove(s))) {
      refusals.push({
        error: ErrorNames.DrainTimeout,
        at: 'CheckOldDrain',
        reason: `service ${s.name} cannot move its tasks: minimumHealthyPercent ${s.minimumHealthyPercent} and maximumPercent ${s.maximumPercent} of ${s.desired} task(s) let ECS neither stop one first nor start one more, so the drain never progresses`,
      });
    }
    const ready = duration.steps.find((s) => s.step === 'replacement')?.seconds ?? 0;
    if (ready > request.replacementTimeoutSeconds) {
      warnings.push(`replacementTimeoutSeconds (${request.replacementTimeoutSeconds} s) is shorter than the usual time for new instances to join the cluster (~${ready} s)`);
    }
    const drainSeconds = duration.steps.filter((s) => s.step.startsWith('drain')).reduce((n, s) => n + s.seconds, 0);
    if (drainSeconds > request.drain.timeoutSeconds) {
      warnings.push(`drain.timeoutSeconds (${request.drain.timeoutSeconds} s) is shorter than the expected drain (~${drainSeconds} s over ${batches} batch(es))`);
    }
    if (standaloneTasks.length && request.drain.standaloneTasks === 'wait') {
      const count = standaloneTasks.reduce((n, t) => n + t.count, 0);
      warnings.push(`${count} standalone task(s) (${standaloneTasks.map((t) => t.group).join(', ')}) run on the old instances; ECS does not move them and the drain waits for them to end, up to drain.timeoutSeconds (${request.drain.timeoutSeconds} s) — the expected duration assumes they end sooner (drain.standaloneTasks "stop" stops them)`);
    }
    for (const g of groups.filter((x) => x.action === 'roll')) {
      if (g.maxDuringRoll > g.maxSize) warnings.push(`Auto Scaling group ${g.groupName}: max size ${g.maxSize} is raised to ${g.maxDuringRoll} while old and new instances overlap, and put back after`);
      const launching = g.lifecycleHooks.filter((h) => h.includes('EC2_INSTANCE_LAUNCHING'));
      if (launching.length) warnings.push(`Auto Scaling group ${g.groupName}: new instances wait for launch lifecycle hook(s) ${launching.join(', ')} before they count; that wait is part of replacementTimeoutSeconds (${request.replacementTimeoutSeconds} s)`);
    }
    const disconnected = oldInstances.filter((ci) => !ci.agentConnected).length;
    if (disconnected) warnings.push(`${disconnected} old instance(s) have their ECS agent disconnected (agents reconnect on their own; a drain needs them connected)`);
  }

  const verdict: RolloverPlan['verdict'] = refusals.length ? 'wouldBeRefused' : discovery.upToDate ? 'nothingToDo' : 'wouldRoll';
  return {
    dryRun: true,
    cluster: request.cluster,
    verdict,
    summary: summaryOf(verdict, facts, oldInstances.length, refusals, duration),
    targetAmi: facts.targetAmi,
    fleets,
    groups,
    otherInstances: discovery.otherInstances,
    drain: { instances: oldInstances.length, batches, perBatch, standaloneTasks, standalonePolicy: request.drain.standaloneTasks },
    services,
    capacity,
    targetGroups: facts.targetGroups,
    duration,
    refusals,
    warnings,
  };
}

function plannedGroup(g: GroupPlan): PlannedGroup {
  return {
    groupName: g.groupName,
    action: g.current ? 'keep' : 'roll',
    instances: g.instances,
    desiredCapacity: g.desiredCapacity,
    minSize: g.minSize,
    maxSize: g.maxSize,
    peakSize: g.peakSize,
    maxDuringRoll: Math.max(g.maxSize, g.peakSize),
    amis: g.amis,
    suspendsProcesses: g.current ? [] : SUSPENDED_DURING_ROLL.filter((p) => !g.suspendedProcesses.includes(p)),
    lifecycleHooks: g.lifecycleHooks,
    protectedInstances: g.protectedInstances,
    ...(g.refusal ? { refusal: g.refusal } : {}),
  };
}

function plannedFleet(f: FleetFacts, discovery: Plan, replacing: boolean, types: PlanFacts['typeCapacities']): PlannedFleet {
  const known = discovery.fleets.find((p) => p.fleetId === f.fleetId);
  const launchOptions = uniqueOptions(f.launchOptions).map((o) => ({
    ...o,
    instances: f.instances.filter((i) => i.instanceType === o.instanceType).length,
    ...(types[o.instanceType] ? { cpu: types[o.instanceType].cpu, memory: types[o.instanceType].memory } : {}),
  }));
  return {
    fleetId: f.fleetId,
    action: replacing ? 'replace' : 'keep',
    targetCapacity: f.targetCapacity,
    instances: f.instances.length,
    allocationStrategy: f.allocationStrategy,
    amis: known?.amis ?? [],
    usesLaunchTemplate: known?.usesLaunchTemplate ?? false,
    launchOptions,
  };
}

/** A fleet lists each type once per subnet; the plan wants each (type, weight) once. */
function uniqueOptions(options: FleetFacts['launchOptions']): FleetFacts['launchOptions'] {
  const seen = new Map<string, FleetFacts['launchOptions'][number]>();
  for (const o of options) seen.set(`${o.instanceType}/${o.weight}`, o);
  return [...seen.values()];
}

function plannedService(s: ServiceFacts, tasksToMove: number): PlannedService {
  return {
    name: s.name,
    desired: s.desired,
    running: s.running,
    minimumHealthyPercent: s.minimumHealthyPercent,
    maximumPercent: s.maximumPercent,
    floor: Math.ceil((s.minimumHealthyPercent * s.desired) / 100),
    tasksToMove,
    targetGroupArns: s.targetGroupArns,
  };
}

/** ECS may neither stop a task before its replacement is up nor start one more: DRAINING never moves anything. */
function cannotMove(s: PlannedService): boolean {
  return s.floor >= s.desired && Math.floor((s.maximumPercent * s.desired) / 100) <= s.desired;
}

/**
 * Whether the replacement fleets (clones of the old ones: same types, weights and target capacity)
 * can hold what the old instances hold now. The fleet chooses its types, so each launch option is
 * tried alone: fits for all → fits; for some → depends on the types; for none → does not fit. The
 * check is the one CheckReplacement makes on the real instances (functions/rollover/capacity.ts).
 */
export function estimateCapacity(oldInstances: ContainerInstanceSummary[], fleets: FleetFacts[], types: PlanFacts['typeCapacities']): CapacityEstimate {
  const neededCpu = oldInstances.reduce((n, ci) => n + ci.registeredCpu - ci.freeCpu, 0);
  const neededMemory = oldInstances.reduce((n, ci) => n + ci.registeredMemory - ci.freeMemory, 0);
  const byInstanceType: CapacityEstimate['byInstanceType'] = [];
  // Several fleets: each option of each fleet, with the other fleets at their smallest.
  const options = fleets.flatMap((f) => uniqueOptions(f.launchOptions).map((o) => ({ fleet: f, option: o })));
  for (const { fleet, option } of options) {
    const destinations: ContainerInstanceSummary[] = [];
    for (const f of fleets) {
      const chosen = f === fleet ? option : smallest(f, types);
      if (!chosen || !types[chosen.instanceType]) continue;
      const count = Math.ceil(f.targetCapacity / chosen.weight);
      for (let i = 0; i < count; i++) destinations.push(emptyInstance(chosen.instanceType, types[chosen.instanceType]));
    }
    const known = Boolean(types[option.instanceType]);
    const verdict = known ? canHold(oldInstances, destinations) : { fits: false, reason: `no capacity figures for ${option.instanceType}` };
    byInstanceType.push({ instanceType: option.instanceType, instances: destinations.length, fits: verdict.fits, reason: verdict.reason });
  }
  const fitting = byInstanceType.filter((b) => b.fits).length;
  const verdict: CapacityEstimate['verdict'] = byInstanceType.length === 0 || fitting === byInstanceType.length ? 'fits' : fitting > 0 ? 'dependsOnInstanceTypes' : 'doesNotFit';
  const worst = byInstanceType.find((b) => !b.fits);
  const reason =
    verdict === 'fits'
      ? `${neededCpu} CPU units and ${neededMemory} MiB reserved on the old instances fit on the replacement whichever type it launches`
      : verdict === 'doesNotFit'
        ? `with any instance type: ${worst!.reason}`
        : `all ${worst!.instanceType}: ${worst!.reason}`;
  return { verdict, reason, neededCpu, neededMemory, byInstanceType };
}

function smallest(f: FleetFacts, types: PlanFacts['typeCapacities']): FleetFacts['launchOptions'][number] | undefined {
  const perUnit = (o: FleetFacts['launchOptions'][number]) => (types[o.instanceType]?.cpu ?? 0) / o.weight;
  return [...f.launchOptions].sort((a, b) => perUnit(a) - perUnit(b))[0];
}

function emptyInstance(instanceType: string, capacity: { cpu: number; memory: number }): ContainerInstanceSummary {
  return {
    arn: '',
    ec2InstanceId: '',
    status: 'ACTIVE',
    agentConnected: true,
    runningTasks: 0,
    pendingTasks: 0,
    instanceType,
    registeredCpu: capacity.cpu,
    registeredMemory: capacity.memory,
    freeCpu: capacity.cpu,
    freeMemory: capacity.memory,
    usedPorts: [],
    holdsReservations: false,
  };
}

/**
 * The expected duration, following the state machine's own waits: the first look at the
 * replacement after max(pollSeconds, boot time), then one per pollSeconds; per drain batch, the
 * slowest service's move (start, health checks, deregistration delay), seen at the next poll.
 */
export function estimateDuration(request: RolloverRequest, services: PlannedService[], targetGroups: PlannedTargetGroup[], batches: number): DurationEstimate {
  const poll = request.pollSeconds;
  const first = firstWaitSeconds(poll);
  const replacement = first + Math.ceil(Math.max(0, ESTIMATES.replacementReadySeconds - first) / poll) * poll;
  const groups = new Map(targetGroups.map((tg) => [tg.targetGroupArn, tg]));
  let slowest = { seconds: ESTIMATES.taskStartSeconds + ESTIMATES.taskStopSeconds, why: 'no service task to move' };
  for (const s of services.filter((s) => s.tasksToMove > 0)) {
    const own = s.targetGroupArns.map((arn) => groups.get(arn)).filter((tg): tg is PlannedTargetGroup => Boolean(tg));
    const healthy = own.length ? Math.max(...own.map((tg) => tg.healthySeconds)) : ESTIMATES.healthyWithoutLoadBalancerSeconds;
    const deregistration = own.length ? Math.max(...own.map((tg) => tg.deregistrationDelaySeconds)) : 0;
    const seconds = ESTIMATES.taskStartSeconds + healthy + deregistration + ESTIMATES.taskStopSeconds;
    if (seconds > slowest.seconds) {
      slowest = {
        seconds,
        why: own.length
          ? `service ${s.name}: start ~${ESTIMATES.taskStartSeconds} s, healthy after ${healthy} s of health checks, deregistration delay ${deregistration} s, stop ~${ESTIMATES.taskStopSeconds} s`
          : `service ${s.name}: start ~${ESTIMATES.taskStartSeconds} s, healthy ${healthy} s after RUNNING, stop ~${ESTIMATES.taskStopSeconds} s`,
      };
    }
  }
  const batch = Math.max(poll, Math.ceil(slowest.seconds / poll) * poll);
  const steps: DurationEstimate['steps'] = [
    { step: 'replacement', seconds: replacement, why: `new instances join in ~${ESTIMATES.replacementReadySeconds} s; first look after ${first} s, then every ${poll} s` },
  ];
  for (let b = 1; b <= batches; b++) steps.push({ step: batches > 1 ? `drain batch ${b}/${batches}` : 'drain', seconds: batch, why: `${slowest.why}; seen at the next ${poll} s poll` });
  steps.push({ step: 'retire', seconds: ESTIMATES.finishSeconds, why: 'cancel the old fleets, terminate the groups\' old instances, release the lock, notify' });
  return {
    expectedSeconds: steps.reduce((n, s) => n + s.seconds, 0),
    boundSeconds: request.replacementTimeoutSeconds + request.drain.timeoutSeconds + ESTIMATES.finishSeconds,
    steps,
  };
}

function summaryOf(verdict: RolloverPlan['verdict'], facts: PlanFacts, oldInstances: number, refusals: Refusal[], duration: DurationEstimate): string {
  const { cluster } = facts.request;
  if (verdict === 'wouldBeRefused') return `A rollover of ${cluster} would stop: ${refusals.map((r) => `${r.error} at ${r.at}`).join('; ')}`;
  if (verdict === 'nothingToDo') return facts.discovery.message;
  const replaced = facts.discovery.replace.length;
  const rolled = facts.discovery.replaceGroups?.length ?? 0;
  const what = [replaced ? `replace ${replaced} Spot Fleet(s)` : '', rolled ? `roll ${rolled} Auto Scaling group(s)` : ''].filter(Boolean).join(' and ');
  const how = rolled ? `onto ${facts.targetAmi.imageId}` : `with fleets on ${facts.targetAmi.imageId}`;
  return `Would ${what} of ${cluster} (${oldInstances} instance(s)) ${how}, in about ${minutes(duration.expectedSeconds)} (at most ${minutes(duration.boundSeconds)} before it gives up)`;
}

function minutes(seconds: number): string {
  return `${Math.floor(seconds / 60)}m${String(Math.round(seconds % 60)).padStart(2, '0')}s`;
}
