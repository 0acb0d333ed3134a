import { phaseColour, phaseOf } from '../../cli/phases';
import type { TimelineRecording, TimelineSample } from './recorder';

/**
 * The timeline picture of a recorded simulation, as one self-contained file: inline SVG and CSS,
 * no script, no font or image from anywhere. Over virtual time: the workflow's phases as bands,
 * instances per fleet (old / new), running and healthy tasks per service against their minimum
 * healthy line, and healthy targets per target group.
 */
export function renderTimelineHtml(recording: TimelineRecording): string {
  const svg = renderTimelineSvg(recording, { standalone: false });
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<title>${esc(recording.title)}</title>`,
    '<style>',
    'body{margin:0;padding:16px 20px;background:#fff;color:#1f2933;font:13px/1.4 -apple-system,"Segoe UI",Helvetica,Arial,sans-serif}',
    'svg{display:block;max-width:100%;height:auto}',
    'svg text{font-family:-apple-system,"Segoe UI",Helvetica,Arial,sans-serif}',
    'p.note{color:#52606d;max-width:1200px}',
    '</style>',
    '</head>',
    '<body>',
    svg,
    `<p class="note">Virtual time of the simulated AWS (${esc(new Date(recording.from).toISOString())} + minutes). Sampled at most every few seconds of virtual time; lines are steps between samples. Hover a band or a line for its values. Written by <code>npm run simulate</code>.</p>`,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

const WIDTH = 1360;
const LEFT = 200;
const RIGHT = 24;
const PLOT = WIDTH - LEFT - RIGHT;
const BAND_ROW = 26;
const PANEL = 150;
const SMALL_PANEL = 96;
const GAP = 46;
const MAX_SERVICE_PANELS = 12;

const OLD_COLOURS = ['#6b7c93', '#8c6d62', '#7a6c9d', '#5f7f7a'];
const NEW_COLOURS = ['#2f9e5f', '#1c7ed6', '#d9480f', '#ae3ec9'];
const LINE_COLOURS = ['#1c7ed6', '#e8590c', '#2f9e44', '#ae3ec9', '#0c8599', '#c2255c', '#5c940d', '#364fc7'];

interface Series {
  label: string;
  colour: string;
  dash?: string;
  width?: number;
  /** Drawn as a filled area under the step line (counts that are part of another line, e.g. DRAINING of live). */
  area?: boolean;
  values: { at: number; value: number }[];
}

export function renderTimelineSvg(recording: TimelineRecording, options: { standalone: boolean } = { standalone: true }): string {
  const { from, to } = recording;
  const span = Math.max(1, to - from);
  const x = (at: number) => LEFT + ((Math.min(Math.max(at, from), to) - from) / span) * PLOT;
  const parts: string[] = [];
  let y = 0;

  // ---- title ----
  const outcome = recording.executions.map((e) => `${e.name}: ${e.status}${e.error ? ` (${e.error})` : ''}`);
  parts.push(text(LEFT - 180, 24, recording.title, { size: 18, weight: 700 }));
  parts.push(text(LEFT - 180, 44, `${formatMinutes((to - from) / 1000)} of virtual time · ${outcome.length ? outcome.slice(0, 3).join(' · ') : 'no execution'}${outcome.length > 3 ? ` · +${outcome.length - 3} more` : ''}`, { size: 12, colour: '#52606d' }));
  y = 64;

  // ---- phases ----
  const rows = phaseRows(recording);
  const bandsTop = y + 18;
  parts.push(text(LEFT - 180, y + 12, 'Workflow phases', { size: 13, weight: 700 }));
  rows.forEach((row, i) => {
    const top = bandsTop + i * BAND_ROW;
    parts.push(text(LEFT - 8, top + 17, row.label, { size: 11, anchor: 'end', colour: '#323f4b' }));
    parts.push(`<rect class="band-row" x="${LEFT}" y="${top}" width="${PLOT}" height="${BAND_ROW - 4}" fill="#f5f7fa"/>`);
    for (const band of row.bands) {
      const x0 = x(band.start);
      const w = Math.max(1.5, x(band.end) - x0);
      parts.push(
        `<g class="phase" data-phase="${esc(band.phase)}"><rect x="${f(x0)}" y="${top}" width="${f(w)}" height="${BAND_ROW - 4}" fill="${phaseColour(band.phase)}" rx="2"><title>${esc(`${band.phase} (${band.states.join(', ')}): ${formatOffset(band.start - from)} – ${formatOffset(band.end - from)}`)}</title></rect>` +
          (w > band.phase.length * 6.5 + 6 ? text(x0 + w / 2, top + 15, band.phase, { size: 11, anchor: 'middle', colour: '#fff', weight: 600 }) : '') +
          '</g>',
      );
    }
  });
  y = bandsTop + rows.length * BAND_ROW + 14;
  const backdrop = rows[0]?.bands ?? [];
  // The phases of the first row with their durations: short phases have no room for a label in their band.
  const spans = new Map<string, number>();
  for (const band of backdrop) spans.set(band.phase, (spans.get(band.phase) ?? 0) + band.end - band.start);
  let px = LEFT;
  for (const [phase, ms] of spans) {
    const label = `${phase} ${formatDuration(ms)}`;
    parts.push(`<rect x="${f(px)}" y="${y - 9}" width="12" height="10" fill="${phaseColour(phase)}" rx="2"/>`);
    parts.push(text(px + 16, y, label, { size: 11, colour: '#323f4b' }));
    px += 30 + label.length * 6.2;
  }
  y += GAP;

  // ---- panels ----
  const panels: Panel[] = [];
  panels.push({ title: 'Instances per fleet: running or pending (old wide and pale, new narrow), and DRAINING in ECS (area)', height: PANEL, series: fleetSeries(recording) });
  const services = recording.services.filter((s) => recording.samples.some((sample) => sample.services[s.key]));
  for (const s of services.slice(0, MAX_SERVICE_PANELS)) {
    // The floor follows the desired count (a scaling changes it): ⌈minimumHealthyPercent × desired⌉ at each sample.
    const floors = values(recording.samples, (sample) => {
      const desired = sample.services[s.key]?.desired;
      return desired === undefined ? undefined : Math.ceil((s.minimumHealthyPercent * desired) / 100);
    });
    const desired = latest(recording.samples, (sample) => sample.services[s.key]?.desired) ?? 0;
    const constant = floors.every((v) => v.value === floors[0]?.value);
    panels.push({
      title: `Tasks of service ${services.some((o) => o.name === s.name && o.cluster !== s.cluster) ? s.key : s.name}: running and healthy against the minimum healthy line`,
      height: SMALL_PANEL,
      series: [
        { label: 'running', colour: '#1c7ed6', width: 2.2, values: values(recording.samples, (sample) => sample.services[s.key]?.running) },
        { label: 'healthy', colour: '#2f9e44', width: 1.6, dash: '5 3', values: values(recording.samples, (sample) => sample.services[s.key]?.healthy) },
      ],
      floor: { values: floors, label: constant ? `min healthy ${floors[0]?.value ?? 0} (${s.minimumHealthyPercent}% of ${desired})` : `min healthy (${s.minimumHealthyPercent}% of desired)` },
    });
  }
  const groups = recording.targetGroups.filter((tg) => recording.samples.some((sample) => sample.targetGroups[tg.name]));
  if (groups.length) {
    panels.push({
      title: 'Targets per target group: healthy, and draining (area)',
      height: PANEL,
      series: groups.flatMap((tg, i) => [
        { label: `${tg.name} healthy`, colour: LINE_COLOURS[i % LINE_COLOURS.length], width: 2.2, values: values(recording.samples, (sample) => sample.targetGroups[tg.name]?.healthy) },
        { label: `${tg.name} draining`, colour: LINE_COLOURS[i % LINE_COLOURS.length], area: true, width: 1, values: values(recording.samples, (sample) => sample.targetGroups[tg.name]?.draining) },
      ]),
    });
  }

  for (const panel of panels) {
    const drawn = renderPanel(panel, y, x, backdrop, from, to);
    parts.push(drawn.svg);
    y += drawn.height + GAP;
  }
  if (services.length > MAX_SERVICE_PANELS) {
    parts.push(text(LEFT, y - GAP / 2, `… and ${services.length - MAX_SERVICE_PANELS} more service(s) not drawn`, { size: 11, colour: '#52606d' }));
    y += 10;
  }
  parts.push(text(LEFT + PLOT, y - GAP + 16, 'minutes of virtual time since the picture starts', { size: 11, anchor: 'end', colour: '#7b8794' }));
  const height = y - GAP + 30;
  const open = options.standalone
    ? `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${WIDTH} ${height}" width="${WIDTH}" height="${height}" font-family="Helvetica, Arial, sans-serif" role="img">`
    : `<svg viewBox="0 0 ${WIDTH} ${height}" width="${WIDTH}" height="${height}" role="img" aria-label="${esc(recording.title)}">`;
  return [open, `<rect width="${WIDTH}" height="${height}" fill="#fff"/>`, ...parts, '</svg>'].join('\n');
}

interface Panel {
  title: string;
  height: number;
  series: Series[];
  /** The minimum healthy line, over time. */
  floor?: { values: { at: number; value: number }[]; label: string };
}

interface Band {
  phase: string;
  start: number;
  end: number;
  states: string[];
}

/** Up to this many executions get a row each; more share one row per state machine. */
const MAX_EXECUTION_ROWS = 6;

/** Rows of phase bands: one per execution (one per state machine when there are many executions). */
function phaseRows(recording: TimelineRecording): { label: string; bands: Band[] }[] {
  const perExecution = new Set(recording.visits.map((v) => v.execution)).size <= MAX_EXECUTION_ROWS;
  const byArn = new Map(recording.executions.map((e) => [e.arn, e]));
  const rows = new Map<string, Band[]>();
  const visitsByExecution = new Map<string, typeof recording.visits>();
  for (const v of recording.visits) visitsByExecution.set(v.execution, [...(visitsByExecution.get(v.execution) ?? []), v]);
  for (const [arn, visits] of visitsByExecution) {
    const execution = byArn.get(arn);
    if (!execution) continue;
    const end = Math.min(execution.stoppedAt ?? recording.to, recording.to);
    const row = perExecution ? `${execution.stateMachine}: ${execution.name}` : execution.stateMachine;
    const bands = rows.get(row) ?? [];
    let current: Band | undefined;
    for (const v of visits) {
      const phase = phaseOf(v.state, v.type, current?.phase);
      if (current && current.phase === phase) {
        if (!current.states.includes(v.state)) current.states.push(v.state);
        continue;
      }
      if (current) current.end = v.at;
      current = { phase, start: v.at, end, states: [v.state] };
      bands.push(current);
    }
    if (current) current.end = Math.max(current.start, end);
    rows.set(row, bands);
  }
  return [...rows].map(([label, bands]) => ({ label: label.length > 30 ? `${label.slice(0, 29)}…` : label, bands }));
}

function fleetSeries(recording: TimelineRecording): Series[] {
  const out: Series[] = [];
  let olds = 0;
  let news = 0;
  for (const fleet of recording.fleets) {
    const colour = fleet.old ? OLD_COLOURS[olds++ % OLD_COLOURS.length] : NEW_COLOURS[news++ % NEW_COLOURS.length];
    const draining = values(recording.samples, (s) => s.fleets[fleet.id]?.draining ?? 0);
    if (draining.some((v) => v.value > 0)) out.push({ label: `${fleet.label}: DRAINING`, colour: '#f2a33a', area: true, width: 1, values: draining });
    // Old fleets wide and pale underneath, new ones narrow on top: equal counts stay visible.
    out.push({ label: fleet.label, colour, width: fleet.old ? 6 : 2.4, values: values(recording.samples, (s) => s.fleets[fleet.id]?.live ?? 0) });
  }
  return out;
}

function renderPanel(
  panel: Panel,
  top: number,
  x: (at: number) => number,
  backdrop: Band[],
  from: number,
  to: number,
): { svg: string; height: number } {
  const out: string[] = [];
  const maxValue = Math.max(1, ...(panel.floor?.values ?? []).map((v) => v.value), ...panel.series.flatMap((s) => s.values.map((v) => v.value)));
  const yMax = niceCeiling(maxValue);
  const y = (value: number) => top + panel.height - (value / yMax) * panel.height;
  out.push(`<g class="panel" data-title="${esc(panel.title)}">`);
  out.push(text(LEFT - 180, top - 10, panel.title, { size: 13, weight: 700 }));
  out.push(`<rect x="${LEFT}" y="${top}" width="${PLOT}" height="${panel.height}" fill="#fbfcfd" stroke="#d9e2ec"/>`);
  for (const band of backdrop) {
    out.push(`<rect x="${f(x(band.start))}" y="${top}" width="${f(Math.max(0, x(band.end) - x(band.start)))}" height="${panel.height}" fill="${phaseColour(band.phase)}" opacity="0.07"/>`);
  }
  for (const tick of yTicks(yMax)) {
    out.push(`<line x1="${LEFT}" x2="${LEFT + PLOT}" y1="${f(y(tick))}" y2="${f(y(tick))}" stroke="#e4e7eb"/>`);
    out.push(text(LEFT - 6, y(tick) + 4, String(tick), { size: 10, anchor: 'end', colour: '#7b8794' }));
  }
  for (const s of panel.series) {
    if (!s.values.length) continue;
    const path = stepPath(s.values, x, y);
    const tip = `<title>${esc(`${s.label}: ${summariseValues(s.values, from)}`)}</title>`;
    if (s.area) {
      const last = s.values[s.values.length - 1];
      out.push(`<path class="series" data-series="${esc(s.label)}" d="${path} V${f(y(0))} H${f(x(s.values[0].at))} Z" fill="${s.colour}" fill-opacity="0.35" stroke="${s.colour}" stroke-width="${s.width ?? 1}" data-last="${last.value}">${tip}</path>`);
    } else {
      out.push(`<path class="series" data-series="${esc(s.label)}" d="${path}" fill="none" stroke="${s.colour}" stroke-width="${s.width ?? 2}"${s.dash ? ` stroke-dasharray="${s.dash}"` : ''} stroke-linejoin="round"${(s.width ?? 2) > 4 ? ' stroke-opacity="0.45"' : ''}>${tip}</path>`);
    }
  }
  if (panel.floor) {
    // On top: the line the service must never go below.
    if (panel.floor.values.length) {
      out.push(`<path class="floor" d="${stepPath(panel.floor.values, x, y)}" fill="none" stroke="#e03131" stroke-width="1.4" stroke-dasharray="6 4"><title>${esc(panel.floor.label)}</title></path>`);
    }
  }
  // Time ticks under the plot, then the legend.
  let bottom = top + panel.height;
  out.push(timeTicks(bottom, x, from, to));
  bottom += 20;
  const items = [
    ...panel.series.map((s) => ({ label: s.label, colour: s.colour, dash: s.dash, area: s.area, width: s.width })),
    ...(panel.floor ? [{ label: panel.floor.label, colour: '#e03131', dash: '6 4', area: false, width: 2 }] : []),
  ];
  let lx = LEFT;
  let ly = bottom + 14;
  for (const item of items) {
    const w = 34 + item.label.length * 6.2;
    if (lx + w > LEFT + PLOT) {
      lx = LEFT;
      ly += 16;
    }
    if (item.area) out.push(`<rect x="${f(lx)}" y="${f(ly - 9)}" width="22" height="9" fill="${item.colour}" fill-opacity="0.35" stroke="${item.colour}"/>`);
    else out.push(`<line x1="${f(lx)}" x2="${f(lx + 22)}" y1="${f(ly - 4)}" y2="${f(ly - 4)}" stroke="${item.colour}" stroke-width="${Math.min(item.width ?? 2.4, 6)}"${item.dash ? ` stroke-dasharray="${item.dash}"` : ''}${(item.width ?? 2) > 4 ? ' stroke-opacity="0.45"' : ''}/>`);
    out.push(text(lx + 27, ly, item.label, { size: 11, colour: '#323f4b' }));
    lx += w + 14;
  }
  out.push('</g>');
  return { svg: out.join('\n'), height: ly - top };
}

function stepPath(points: { at: number; value: number }[], x: (at: number) => number, y: (v: number) => number): string {
  let d = `M${f(x(points[0].at))} ${f(y(points[0].value))}`;
  for (let i = 1; i < points.length; i++) {
    if (points[i].value === points[i - 1].value && i < points.length - 1) continue;
    d += ` H${f(x(points[i].at))}`;
    if (points[i].value !== points[i - 1].value) d += ` V${f(y(points[i].value))}`;
  }
  return d;
}

function timeTicks(top: number, x: (at: number) => number, from: number, to: number): string {
  const seconds = (to - from) / 1000;
  const step = [10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 14_400, 28_800, 86_400].find((s) => seconds / s <= 14) ?? 86_400;
  const out: string[] = [];
  for (let s = 0; s <= seconds + 0.001; s += step) {
    const px = x(from + s * 1000);
    out.push(`<line x1="${f(px)}" x2="${f(px)}" y1="${top}" y2="${top + 4}" stroke="#9aa5b1"/>`);
    out.push(text(px, top + 15, formatOffset(s * 1000), { size: 10, anchor: 'middle', colour: '#52606d' }));
  }
  return out.join('\n');
}

function values(samples: TimelineSample[], pick: (s: TimelineSample) => number | undefined): { at: number; value: number }[] {
  const out: { at: number; value: number }[] = [];
  for (const s of samples) {
    const value = pick(s);
    if (value !== undefined) out.push({ at: s.at, value });
  }
  return out;
}

function latest(samples: TimelineSample[], pick: (s: TimelineSample) => number | undefined): number | undefined {
  for (let i = samples.length - 1; i >= 0; i--) {
    const v = pick(samples[i]);
    if (v !== undefined) return v;
  }
  return undefined;
}

function summariseValues(points: { at: number; value: number }[], from: number): string {
  const changes: string[] = [];
  let last: number | undefined;
  for (const p of points) {
    if (p.value === last) continue;
    changes.push(`${formatOffset(Math.max(0, p.at - from))} ${p.value}`);
    last = p.value;
  }
  return changes.length > 12 ? `${changes.slice(0, 12).join(', ')}, …` : changes.join(', ');
}

function niceCeiling(value: number): number {
  for (const n of [1, 2, 4, 5, 6, 8, 10, 12, 15, 20, 25, 30, 40, 50, 60, 80, 100]) if (value <= n) return n;
  const magnitude = 10 ** Math.floor(Math.log10(value));
  return Math.ceil(value / magnitude) * magnitude;
}

function yTicks(max: number): number[] {
  const step = max <= 6 ? 1 : max <= 12 ? 2 : max <= 30 ? 5 : niceCeiling(max / 5);
  const out: number[] = [];
  for (let v = 0; v <= max; v += step) out.push(v);
  return out;
}

function formatOffset(ms: number): string {
  const total = Math.round(ms / 1000);
  const m = Math.floor(total / 60);
  const s = total % 60;
  return m >= 60 ? `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m` : s ? `${m}m${String(s).padStart(2, '0')}s` : `${m}m`;
}

function formatDuration(ms: number): string {
  const total = Math.round(ms / 1000);
  return total < 60 ? `${total}s` : `${Math.floor(total / 60)}m${String(total % 60).padStart(2, '0')}s`;
}

function formatMinutes(seconds: number): string {
  return seconds >= 120 ? `${(seconds / 60).toFixed(1)} min` : `${Math.round(seconds)} s`;
}

function text(x: number, y: number, content: string, o: { size?: number; weight?: number; anchor?: 'start' | 'middle' | 'end'; colour?: string } = {}): string {
  return `<text x="${f(x)}" y="${f(y)}" font-size="${o.size ?? 12}"${o.weight ? ` font-weight="${o.weight}"` : ''}${o.anchor && o.anchor !== 'start' ? ` text-anchor="${o.anchor}"` : ''} fill="${o.colour ?? '#1f2933'}">${esc(content)}</text>`;
}

function f(n: number): string {
  return (Math.round(n * 10) / 10).toString();
}

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
