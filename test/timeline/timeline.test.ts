import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Simulation } from '../../sim/harness';
import { runHybridRolloverScenario } from '../../sim/scenarios/hybrid';
import { runRolloverScenario } from '../../sim/scenarios/rollover';
import { TimelineRecorder, renderTimelineHtml, renderTimelineSvg, writeTimeline, type TimelineRecording } from '../../sim/timeline';

/** Runs the default rollover scenario with a recorder attached, as `npm run simulate` does. */
async function recordRollover(options: { maxSamples?: number } = {}): Promise<{ recording: TimelineRecording; ticks: number }> {
  let recorder: TimelineRecorder | undefined;
  let ticks = 0;
  const stop = Simulation.observe((sim) => {
    recorder = new TimelineRecorder(sim, options);
    sim.world.onTick(() => ticks++);
  });
  try {
    await runRolloverScenario({ seed: 1 });
  } finally {
    stop();
  }
  return { recording: recorder!.finish('rollover test'), ticks };
}

const attribute = (html: string, name: string) => [...html.matchAll(new RegExp(`${name}="([^"]*)"`, 'g'))].map((m) => m[1]);

describe('Timeline picture', () => {
  let recording: TimelineRecording;
  let ticks: number;
  let html: string;

  beforeAll(async () => {
    ({ recording, ticks } = await recordRollover());
    html = renderTimelineHtml(recording);
  });

  it('records the world sparsely: counts per fleet, service and target group, not every tick', () => {
    // Prepare
    const first = recording.samples[0];

    // Act
    const spacing = recording.samples.slice(1).map((s, i) => s.at - recording.samples[i].at);

    // Assess
    expect(recording.samples.length).toBeLessThan(ticks);
    expect(Math.min(...spacing.slice(0, -1))).toBeGreaterThanOrEqual(5000);
    expect(Object.keys(first.services)).toEqual(['demo/web', 'demo/worker']);
    expect(Object.keys(first.targetGroups)).toEqual(['demo-web']);
    expect(recording.fleets.map((f) => f.old)).toEqual([true, false]);
    const [old, replacement] = recording.fleets;
    expect(first.fleets[old.id].live).toBeGreaterThan(0);
    expect(recording.samples.at(-1)!.fleets[old.id]?.live ?? 0).toBe(0);
    expect(recording.samples.at(-1)!.fleets[replacement.id].live).toBeGreaterThan(0);
    expect(recording.samples.some((s) => s.fleets[old.id]?.draining > 0)).toBe(true);
  });

  it('draws the workflow’s phases as bands, in order', () => {
    // Prepare
    const phases = attribute(html, 'data-phase');

    // Act
    const distinct = phases.filter((p, i) => p !== phases[i - 1]);

    // Assess
    expect(distinct).toEqual(['Discover', 'Lock', 'Replace', 'Drain', 'Retire', 'Finish']);
  });

  it('draws instances per fleet (old and new), tasks per service against the minimum healthy line, and targets per target group', () => {
    // Prepare
    const series = attribute(html, 'data-series');
    const panels = attribute(html, 'data-title');

    // Act
    const floors = [...html.matchAll(/<path class="floor"[^>]*><title>([^<]*)<\/title>/g)].map((m) => m[1]);

    // Assess
    expect(series).toEqual(expect.arrayContaining([expect.stringMatching(/^demo old sfr-/), expect.stringMatching(/^demo new sfr-/), expect.stringMatching(/^demo old sfr-.*: DRAINING$/)]));
    expect(series).toEqual(expect.arrayContaining(['running', 'healthy', 'demo-web healthy', 'demo-web draining']));
    expect(panels).toEqual(expect.arrayContaining([expect.stringMatching(/^Instances per fleet/), expect.stringMatching(/^Tasks of service web/), expect.stringMatching(/^Tasks of service worker/), expect.stringMatching(/^Targets per target group/)]));
    expect(floors).toEqual(['min healthy 4 (100% of 4)', 'min healthy 2 (50% of 3)']);
  });

  it('is one self-contained file: no script, stylesheet, font, image or link from anywhere', () => {
    // Prepare
    const external = [/https?:\/\//i, /\bsrc=/i, /\bhref=/i, /@import/i, /url\(/i, /<script/i, /<link/i, /<img/i, /<iframe/i];

    // Act
    const found = external.filter((pattern) => pattern.test(html)).map(String);

    // Assess
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(html.match(/<svg\b/g)).toHaveLength(1);
    expect(html.match(/<\/svg>/g)).toHaveLength(1);
    expect(found).toEqual([]);
  });

  it('writes a bare SVG for a .svg file name, whose only URL is the SVG namespace', () => {
    // Prepare
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'timeline-'));

    // Act
    const svgFile = writeTimeline(recording, path.join(dir, 'nested', 'picture.svg'));
    const htmlFile = writeTimeline(recording, path.join(dir, 'picture.html'));

    // Assess
    const svg = fs.readFileSync(svgFile, 'utf8');
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.replace('http://www.w3.org/2000/svg', '')).not.toMatch(/https?:\/\//);
    expect(svg).toBe(`${renderTimelineSvg(recording)}\n`);
    expect(fs.readFileSync(htmlFile, 'utf8')).toBe(html);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('moves the minimum healthy line with the desired count (a scaling changes it)', () => {
    // Prepare: web desired 12, then 6, at 100 %.
    const t0 = Date.parse('2026-11-01T10:00:00Z');
    const sample = (at: number, desired: number) => ({ at: t0 + at * 1000, fleets: {}, services: { 'demo/web': { running: desired, healthy: desired, desired } }, targetGroups: {} });
    const synthetic: TimelineRecording = {
      title: 'scale-in',
      from: t0,
      to: t0 + 120_000,
      samples: [sample(0, 12), sample(60, 6), sample(120, 6)],
      fleets: [],
      services: [{ key: 'demo/web', cluster: 'demo', name: 'web', minimumHealthyPercent: 100 }],
      targetGroups: [],
      executions: [],
      visits: [],
    };

    // Act
    const page = renderTimelineHtml(synthetic);

    // Assess
    const floor = /<path class="floor" d="([^"]*)"[^>]*><title>([^<]*)<\/title>/.exec(page)!;
    expect(floor[2]).toBe('min healthy (100% of desired)');
    expect(floor[1]).toMatch(/^M\S+ \S+ H\S+ V\S+ H\S+$/);
  });

  it('keeps a bounded number of samples on a long run by halving them', async () => {
    // Prepare / Act
    const bounded = await recordRollover({ maxSamples: 20 });

    // Assess
    expect(bounded.recording.samples.length).toBeLessThanOrEqual(21);
    expect(bounded.recording.samples.length).toBeGreaterThan(5);
    expect(renderTimelineHtml(bounded.recording)).toContain('data-phase="Drain"');
  });
});

describe('Timeline picture of a hybrid cluster', () => {
  it('draws the Auto Scaling group\'s instances as an old and a new lane, the old one drained then gone', async () => {
    // Prepare
    let recorder: TimelineRecorder | undefined;
    const stop = Simulation.observe((sim) => {
      recorder = new TimelineRecorder(sim);
    });

    // Act
    try {
      await runHybridRolloverScenario({ seed: 1 });
    } finally {
      stop();
    }
    const recording = recorder!.finish('hybrid test');

    // Assess
    const lanes = recording.fleets.filter((f) => f.id.startsWith('asg:'));
    expect(lanes.map((l) => l.label.replace(/…\w+$/, ''))).toEqual(['demo old demo-asg ', 'demo new demo-asg ']);
    const [old, fresh] = lanes;
    expect(recording.samples.some((s) => s.fleets[old.id]?.draining === 3)).toBe(true);
    expect(recording.samples.at(-1)!.fleets[fresh.id].live).toBe(3);
    expect(renderTimelineHtml(recording)).toContain('demo new demo-asg');
  });
});
