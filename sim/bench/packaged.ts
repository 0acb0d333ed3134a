import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface PackagedFunction {
  name: string;
  zipKb: number;
  /** Median of 5 cold loads: a fresh Node process requiring the bundled handler. */
  loadMs: number;
}

const ROOT = path.join(__dirname, '..', '..');

/**
 * Packages the service (osls, offline) and measures each function as Lambda would get it: the
 * zip's size, and the time a fresh Node process takes to require the bundled handler. The
 * runtime provides AWS SDK v3, so the bundles require it from node_modules here as Lambda would
 * from the runtime; the load time includes loading those SDK modules.
 */
export function measurePackaged(): PackagedFunction[] {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'efo-package-'));
  execFileSync('npx', ['osls', 'package', '--stage', 'dev', '--package', dir], { cwd: ROOT, stdio: 'ignore', env: { ...process.env, SLS_TELEMETRY_DISABLED: '1', SLS_NOTIFICATIONS_MODE: 'off' } });
  const out: PackagedFunction[] = [];
  for (const zip of fs.readdirSync(dir).filter((f) => f.endsWith('.zip')).sort()) {
    const unpacked = fs.mkdtempSync(path.join(os.tmpdir(), 'efo-fn-'));
    execFileSync('python3', ['-m', 'zipfile', '-e', path.join(dir, zip), unpacked]);
    // Resolve @aws-sdk/* from the project, as the runtime would provide it.
    fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(unpacked, 'node_modules'));
    const entry = execFileSync('find', [unpacked, '-name', '*.js', '-not', '-path', '*/node_modules/*'], { encoding: 'utf8' }).trim().split('\n')[0];
    const samples: number[] = [];
    for (let i = 0; i < 5; i++) {
      const script = `const t=process.hrtime.bigint();require(${JSON.stringify(entry)});process.stdout.write(String(Number(process.hrtime.bigint()-t)/1e6))`;
      samples.push(Number(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8', env: { ...process.env, AWS_REGION: 'us-east-1', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' } })));
    }
    samples.sort((a, b) => a - b);
    out.push({ name: zip.replace(/\.zip$/, ''), zipKb: Math.round(fs.statSync(path.join(dir, zip)).size / 102.4) / 10, loadMs: Math.round(samples[2] * 10) / 10 });
    fs.rmSync(unpacked, { recursive: true, force: true });
  }
  fs.rmSync(dir, { recursive: true, force: true });
  return out;
}
