/**
 * Shared helpers for the capture-file tests: running the reference tools (tshark, tcpdump,
 * capinfos) and turning their output into comparable records.
 */
import { execFile, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CaptureReader } from '../app/pcap';

export interface ToolResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function runTool(cmd: string, args: string[], input?: Buffer): ToolResult {
  const r = spawnSync(cmd, args, { encoding: 'utf8', input, maxBuffer: 512 * 1024 * 1024, timeout: 120_000 });
  if (r.error) throw new Error(`cannot run ${cmd}: ${r.error.message} (is it installed? scripts/setup.sh installs it)`);
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

export function runToolAsync(cmd: string, args: string[]): Promise<ToolResult> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { encoding: 'utf8', maxBuffer: 512 * 1024 * 1024, timeout: 120_000 }, (err, stdout, stderr) => {
      if (err && typeof (err as NodeJS.ErrnoException).code === 'string') {
        reject(new Error(`cannot run ${cmd}: ${err.message}`));
        return;
      }
      resolve({ code: err ? ((err as { code?: number }).code ?? -1) : 0, stdout, stderr });
    });
  });
}

/** Fails with a clear message when a reference tool is missing, instead of passing silently. */
export function requireTool(cmd: string): void {
  const r = spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} is required for this test but is not installed; run scripts/setup.sh (Debian package: ${cmd === 'capinfos' ? 'tshark' : cmd})`);
}

/** stderr without the warning tshark and dumpcap print when run as root. */
export function stderrWithoutRootWarning(stderr: string): string {
  return stderr
    .split('\n')
    .filter((l) => l.trim() !== '' && !/^Running as user "root"/.test(l))
    .join('\n');
}

export function tsharkVersion(): string {
  return /TShark \(Wireshark\) ([\d.]+)/.exec(runTool('tshark', ['--version']).stdout)?.[1] ?? 'unknown';
}

export function tcpdumpVersion(): string {
  const r = runTool('tcpdump', ['--version']);
  return /tcpdump version ([\d.]+)/.exec(r.stdout + r.stderr)?.[1] ?? 'unknown';
}

/** One packet as tshark reports it with -T fields -e frame.len -e frame.cap_len -e frame.time_epoch -e frame.encap_type. */
export interface TsharkFrame {
  origLen: number;
  capLen: number;
  /** Nanoseconds, or null when tshark printed no time stamp (SPB) or an out-of-range one. */
  tsNs: bigint | null;
}

export const TSHARK_FIELDS = ['-T', 'fields', '-e', 'frame.len', '-e', 'frame.cap_len', '-e', 'frame.time_epoch', '-e', 'frame.encap_type'];

/**
 * Parses tshark's field output. Records without an encapsulation are not packets (pcapng custom
 * blocks, which tshark 4.0 lists as frames) and are dropped. tshark prints an invalid fraction
 * (>= 1 s, or negative) unnormalised ("1418145370.1000000000"): such time stamps become null.
 */
export function parseTsharkFrames(stdout: string): TsharkFrame[] {
  const frames: TsharkFrame[] = [];
  for (const line of stdout.split('\n')) {
    if (line === '') continue;
    const [len, capLen, epoch, encap] = line.split('\t');
    if (!encap) continue;
    const m = /^(\d+)\.(\d{9})$/.exec(epoch ?? '');
    frames.push({
      origLen: Number(len),
      capLen: Number(capLen),
      tsNs: m ? BigInt(m[1] as string) * 1_000_000_000n + BigInt(m[2] as string) : null,
    });
  }
  return frames;
}

export interface ReadResult {
  packets: Array<{ offset: number; origLen: number; capLen: number; tsNs: bigint; linkType: number; flags: number; comment?: string; data: Buffer }>;
  reader: CaptureReader;
}

/** Reads a whole file with our reader, copying each packet's data. */
export function readWithOurReader(file: string): ReadResult {
  const reader = CaptureReader.open(file);
  const packets: ReadResult['packets'] = [];
  for (const p of reader) {
    const copy: ReadResult['packets'][number] = { offset: p.offset, origLen: p.origLen, capLen: p.capLen, tsNs: p.tsNs, linkType: p.linkType, flags: p.flags, data: Buffer.from(p.data) };
    if (p.comment !== undefined) copy.comment = p.comment;
    packets.push(copy);
  }
  reader.close();
  return { packets, reader };
}

/** A fresh temporary directory, removed by the returned function. */
export function tempDir(prefix: string): { dir: string; remove: () => void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `sievecap-${prefix}-`));
  return { dir, remove: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/**
 * Caches a reference tool's output per input file content and tool version, so that comparing
 * against tshark on a thousand files costs its ~0.3 s start-up per file only once per machine.
 * The cached text is the tool's real output; a new tshark version or changed file is run again.
 * Lives in $XDG_CACHE_HOME/sievecap (default ~/.cache/sievecap); SIEVECAP_NO_TOOL_CACHE=1 disables it.
 */
export class ToolOutputCache {
  readonly dir: string;
  hits = 0;
  misses = 0;
  private readonly enabled = process.env.SIEVECAP_NO_TOOL_CACHE !== '1';

  constructor(name: string, private readonly toolKey: string) {
    const base = process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache');
    this.dir = path.join(base, 'sievecap', name);
  }

  async get(file: string, run: () => Promise<ToolResult>): Promise<ToolResult> {
    const key = createHash('sha256').update(this.toolKey).update('\0').update(fs.readFileSync(file)).digest('hex');
    const entry = path.join(this.dir, `${key}.json`);
    if (this.enabled) {
      try {
        const cached = JSON.parse(fs.readFileSync(entry, 'utf8')) as ToolResult;
        this.hits++;
        return cached;
      } catch {
        // Not cached yet (or unreadable): run the tool.
      }
    }
    const result = await run();
    this.misses++;
    if (this.enabled) {
      fs.mkdirSync(this.dir, { recursive: true });
      const tmp = `${entry}.${process.pid}.tmp`;
      fs.writeFileSync(tmp, JSON.stringify(result));
      fs.renameSync(tmp, entry);
    }
    return result;
  }
}
