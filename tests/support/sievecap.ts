/** Running the real CLI and reference tools from tests. */
import { execFileSync, spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { CaptureReader } from '../../app/pcap/reader';

export const ROOT = path.resolve(__dirname, '../../..');
export const SIEVECAP = path.join(ROOT, 'bin/sievecap');

export function sievecap(args: string[], options: { input?: Buffer; timeoutMs?: number } = {}) {
  const r = spawnSync(process.execPath, [SIEVECAP, ...args], {
    input: options.input,
    timeout: options.timeoutMs ?? 60000,
    maxBuffer: 256 * 1024 * 1024,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr.toString() };
}

export interface TimedFrame {
  tsNs: bigint;
  data: Buffer;
}

/** Frames with their time stamps. */
export function timedFramesOf(file: string): TimedFrame[] {
  const reader = CaptureReader.open(file);
  const frames: TimedFrame[] = [];
  try {
    for (let p = reader.next(); p; p = reader.next()) frames.push({ tsNs: p.tsNs, data: Buffer.from(p.data) });
    if (reader.error) throw new Error(`${file}: ${reader.error.message}`);
  } finally {
    reader.close();
  }
  return frames;
}

/** Every frame of a capture file, read with our reader (itself tested against tshark). */
export function framesOf(file: string): Buffer[] {
  return timedFramesOf(file).map((f) => f.data);
}

/** tshark's packet count and its stderr apart from the "running as root" notice. */
export function tsharkRead(file: string): { count: number; warnings: string } {
  const r = spawnSync('tshark', ['-r', file, '-T', 'fields', '-e', 'frame.number'], { encoding: 'utf8', timeout: 60000 });
  const warnings = r.stderr
    .split('\n')
    .filter((l) => l.trim() && !/Running as user "root"/.test(l))
    .join('\n');
  if (r.status !== 0) throw new Error(`tshark -r ${file} failed (${r.status}): ${r.stderr}`);
  return { count: r.stdout.split('\n').filter(Boolean).length, warnings };
}

export function toolVersions(): string {
  const tcpdump = execFileSync('tcpdump', ['--version'], { encoding: 'utf8' }).split('\n')[0];
  const tshark = execFileSync('tshark', ['--version'], { encoding: 'utf8' }).split('\n')[0];
  return `${tcpdump}; ${tshark}`;
}
