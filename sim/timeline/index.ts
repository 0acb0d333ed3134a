import fs from 'node:fs';
import path from 'node:path';
import type { TimelineRecording } from './recorder';
import { renderTimelineHtml, renderTimelineSvg } from './render';

export { TimelineRecorder, type TimelineRecording, type TimelineSample } from './recorder';
export { renderTimelineHtml, renderTimelineSvg } from './render';

/** Writes the picture: an HTML page, or a bare SVG when the file name ends in .svg. Returns the absolute path. */
export function writeTimeline(recording: TimelineRecording, file: string): string {
  const target = path.resolve(file);
  fs.mkdirSync(path.dirname(target), { recursive: true });
  fs.writeFileSync(target, target.endsWith('.svg') ? `${renderTimelineSvg(recording)}\n` : renderTimelineHtml(recording));
  return target;
}
