import type { RolloverPlan } from '../functions/rollover/planning';
import { formatElapsed } from './progress';

const VERDICTS: Record<RolloverPlan['verdict'], string> = {
  wouldRoll: 'WOULD ROLL',
  nothingToDo: 'NOTHING TO DO',
  wouldBeRefused: 'WOULD STOP',
};

/** A dry run's plan as an operator reads it in a terminal. */
export function formatPlan(plan: RolloverPlan): string {
  const out: string[] = [];
  const duration = (s: number) => formatElapsed(s).replace(/^\+\s*/, '');
  out.push(`Dry run of an AMI rollover of cluster ${plan.cluster} — nothing was changed.`);
  out.push(`${VERDICTS[plan.verdict]}: ${plan.summary}`);
  out.push('');
  const source = plan.targetAmi.source === 'ssm' ? `from SSM ${plan.targetAmi.parameter}` : 'given in the input';
  out.push(`Target AMI    ${plan.targetAmi.imageId}${plan.targetAmi.name ? `  ${plan.targetAmi.name}` : ''} (${source})`);
  out.push('');
  out.push('Spot Fleets');
  for (const f of plan.fleets) {
    out.push(`  ${f.action.padEnd(8)} ${f.fleetId}  ${f.targetCapacity} units, ${f.instances} instance(s), ${f.allocationStrategy}, ${f.usesLaunchTemplate ? 'launch template' : 'launch specifications'}, on ${f.amis.join(', ') || '?'}`);
    for (const o of f.launchOptions) {
      const size = o.cpu === undefined ? 'size unknown' : `${o.cpu} CPU units, ${o.memory} MiB each`;
      out.push(`           ${o.instanceType.padEnd(12)} weight ${o.weight}: ${o.instances} running (${size})`);
    }
  }
  if (plan.groups.length) {
    out.push('Auto Scaling groups');
    for (const g of plan.groups) {
      const during = g.action === 'roll' ? `; during the roll: desired ${g.peakSize}, max ${g.maxDuringRoll}${g.suspendsProcesses.length ? `, ${g.suspendsProcesses.join(' + ')} suspended` : ''}` : '';
      out.push(`  ${g.action.padEnd(8)} ${g.groupName}  ${g.instances} instance(s), desired ${g.desiredCapacity} (min ${g.minSize}, max ${g.maxSize}), on ${g.amis.join(', ') || '?'}${during}`);
      if (g.lifecycleHooks.length) out.push(`           lifecycle hooks: ${g.lifecycleHooks.join(', ')}`);
      if (g.refusal) out.push(`           REFUSED: ${g.refusal}`);
    }
  }
  out.push(`  Instances in no Spot Fleet nor Auto Scaling group (left alone): ${plan.otherInstances}`);
  out.push('');
  const d = plan.drain;
  out.push(`Drain         ${d.instances} old instance(s), ${d.batches} batch(es) of up to ${d.perBatch}; standalone tasks: ${d.standalonePolicy}`);
  if (plan.services.length) {
    out.push(`  ${'service'.padEnd(22)} ${'desired'.padStart(7)} ${'min healthy'.padStart(15)} ${'max'.padStart(5)} ${'to move'.padStart(8)}`);
    for (const s of plan.services) {
      const name = `${s.name}${s.targetGroupArns.length ? ` (${s.targetGroupArns.length} TG)` : ''}`;
      out.push(`  ${name.padEnd(22)} ${String(s.desired).padStart(7)} ${`${s.floor} (${s.minimumHealthyPercent}%)`.padStart(15)} ${`${s.maximumPercent}%`.padStart(5)} ${String(s.tasksToMove).padStart(8)}`);
    }
  }
  for (const t of d.standaloneTasks) out.push(`  standalone ${t.group} ×${t.count} (ECS does not move it: ${d.standalonePolicy === 'wait' ? 'the drain waits for it' : 'it is stopped'})`);
  out.push('');
  out.push(`Capacity      ${plan.capacity.verdict}: ${plan.capacity.reason}`);
  for (const b of plan.capacity.byInstanceType) out.push(`  all ${b.instanceType.padEnd(12)} ${String(b.instances).padStart(3)} instance(s): ${b.fits ? 'fits' : 'does not fit'} (${b.reason})`);
  if (plan.targetGroups.length) {
    out.push('');
    out.push('Target groups');
    for (const tg of plan.targetGroups) out.push(`  ${tg.name.padEnd(24)} healthy after ${tg.healthySeconds} s of checks, deregistration delay ${tg.deregistrationDelaySeconds} s`);
  }
  out.push('');
  out.push(`Duration      about ${duration(plan.duration.expectedSeconds)} (gives up and rolls back after ${duration(plan.duration.boundSeconds)})`);
  for (const s of plan.duration.steps) out.push(`  ${s.step.padEnd(18)} ${duration(s.seconds).padStart(7)}  ${s.why}`);
  out.push('');
  if (plan.refusals.length === 0) out.push('Would stop    no reason found');
  else {
    out.push('Would stop');
    for (const r of plan.refusals) out.push(`  ${r.error} at ${r.at}: ${r.reason}`);
  }
  if (plan.warnings.length) {
    out.push('Warnings');
    for (const w of plan.warnings) out.push(`  - ${w}`);
  }
  return out.join('\n');
}
