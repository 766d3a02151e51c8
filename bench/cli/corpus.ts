/**
 * The whole corpus as one capture file for bench/cli: every capture file under the corpus folder
 * that Wireshark's reader takes, concatenated (mergecap -a) into one pcapng, in path order.
 *
 * The folder is $SIEVECAP_CORPUS, else ../shared/corpus beside the repository. A file counts as a
 * capture when it starts with a pcap or pcapng magic number (the tcpdump tests' expected outputs
 * are text). Each one is first rewritten alone by mergecap and read back by capinfos (Wireshark's
 * reader, the one tshark uses); files either step refuses are skipped and listed (damaged
 * on purpose, an interface-less section, an option mergecap cannot copy). The merged file is then
 * read whole by tshark, and its packet count must be the sum of the parts'.
 *
 * libpcap reads a pcapng file only when all its interfaces share one link type and one snapshot
 * length, so tcpdump cannot read the merged file; a second file, pcap, holds the captures that
 * are Ethernet only (each rewritten as pcap and read by tcpdump first), for the comparisons with
 * tcpdump.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '../../..');

/** $SIEVECAP_CORPUS, else the shared corpus beside the repository (never a machine's absolute path). */
export function corpusDir(): string {
  const env = process.env.SIEVECAP_CORPUS;
  return env ? path.resolve(env) : path.resolve(ROOT, '../shared/corpus');
}

const MAGICS = new Set(['a1b2c3d4', 'd4c3b2a1', 'a1b23c4d', '4d3cb2a1', '0a0d0d0a']);

function isCaptureFile(file: string): boolean {
  const fd = fs.openSync(file, 'r');
  try {
    const head = Buffer.alloc(4);
    return fs.readSync(fd, head, 0, 4, 0) === 4 && MAGICS.has(head.toString('hex'));
  } finally {
    fs.closeSync(fd);
  }
}

function walk(dir: string): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...walk(p));
    else if (entry.isFile()) out.push(p);
  }
  return out;
}

/** capinfos' packet count and encapsulation of `file`, or undefined when Wireshark's reader reports an error. */
function capinfos(file: string): { packets: number; encapsulation: string } | undefined {
  const r = spawnSync('capinfos', ['-T', '-r', '-M', '-E', '-c', file], { encoding: 'utf8' });
  if (r.status !== 0 || r.stderr.trim() !== '') return undefined;
  const [, encapsulation, packets] = r.stdout.trim().split('\t');
  return encapsulation !== undefined && packets !== undefined ? { packets: Number(packets), encapsulation } : undefined;
}

export interface CorpusFile {
  /** All capture files Wireshark reads, merged. */
  file: string;
  packets: number;
  /** The Ethernet-only captures merged (one link type: tcpdump reads it). */
  ethernetFile: string;
  ethernetPackets: number;
  used: number;
  skipped: string[];
  /** Distinct encapsulations among the files used (a pcapng file with several counts once, as "per packet"). */
  linkTypes: number;
  /** Capture files found (pcap/pcapng magic). */
  found: number;
}

function merge(out: string, files: string[], format: 'pcapng' | 'pcap' = 'pcapng'): void {
  const r = spawnSync('mergecap', ['-a', '-F', format, '-w', out, ...files], { encoding: 'utf8', stdio: ['ignore', 'ignore', 'pipe'] });
  if (r.status !== 0) throw new Error(`mergecap could not write ${out} from ${files.length} files: ${r.error?.message ?? r.stderr.trim()}`);
}

/**
 * tcpdump reads the whole file as Ethernet (capinfos says "ether" also for a pcapng file whose
 * other interfaces carry no packet, which libpcap refuses).
 */
function readByTcpdumpAsEthernet(file: string): boolean {
  const r = spawnSync('tcpdump', ['-r', file, '-w', '/dev/null'], { encoding: 'utf8' });
  return r.status === 0 && /link-type EN10MB/.test(r.stderr) && !/tcpdump: /.test(r.stderr);
}

function tsharkReadsWhole(file: string): boolean {
  return spawnSync('tshark', ['-r', file, '-q'], { stdio: 'ignore' }).status === 0;
}

/** Concatenates `file` `copies` times (mergecap -a): the same records again, as a longer capture would repeat them. */
export function repeatCapture(file: string, out: string, copies: number): void {
  merge(out, Array.from({ length: copies }, () => file), out.endsWith('.pcap') ? 'pcap' : 'pcapng');
}

export function buildCorpusFile(dir: string, workDir: string, log: (line: string) => void): CorpusFile {
  if (!fs.existsSync(dir)) throw new Error(`corpus folder ${dir} not found: set SIEVECAP_CORPUS to the folder of capture files, or pass --files without corpus`);
  const candidates = walk(dir).sort().filter(isCaptureFile);
  const probe = path.join(workDir, 'probe.pcapng');
  const probePcap = path.join(workDir, 'probe.pcap');
  const used: string[] = [];
  const ethernet: string[] = [];
  const skipped: string[] = [];
  const encapsulations = new Set<string>();
  let packets = 0;
  let ethernetPackets = 0;
  for (const f of candidates) {
    const rewritten = spawnSync('mergecap', ['-F', 'pcapng', '-w', probe, f], { stdio: 'ignore' }).status === 0;
    const info = rewritten ? capinfos(probe) : undefined;
    if (!info || info.packets === 0) {
      skipped.push(path.relative(dir, f));
      continue;
    }
    used.push(f);
    encapsulations.add(info.encapsulation);
    packets += info.packets;
    if (info.encapsulation === 'ether' && spawnSync('mergecap', ['-F', 'pcap', '-w', probePcap, f], { stdio: 'ignore' }).status === 0 && readByTcpdumpAsEthernet(probePcap)) {
      ethernet.push(f);
      ethernetPackets += info.packets;
    }
  }
  fs.rmSync(probe, { force: true });
  fs.rmSync(probePcap, { force: true });
  const file = path.join(workDir, 'corpus.pcapng');
  // pcap, not pcapng: libpcap also refuses pcapng interfaces that differ in snapshot length.
  const ethernetFile = path.join(workDir, 'corpus-ethernet.pcap');
  merge(file, used);
  merge(ethernetFile, ethernet, 'pcap');
  for (const [f, n] of [[file, packets], [ethernetFile, ethernetPackets]] as const) {
    const got = capinfos(f)?.packets;
    if (got !== n || !tsharkReadsWhole(f)) throw new Error(`the merged corpus file ${f} holds ${got ?? 'unreadable'} packets, expected ${n}: mergecap or a corpus file misbehaved`);
  }
  if (!readByTcpdumpAsEthernet(ethernetFile)) throw new Error(`tcpdump cannot read ${ethernetFile}, the corpus' Ethernet captures merged`);
  log(`corpus ${dir}: ${candidates.length} capture files, ${used.length} read by Wireshark's reader (${packets} packets, ` +
    `${ethernet.length} of them Ethernet-only: ${ethernetPackets} packets), ${skipped.length} skipped: ${skipped.join(', ')}`);
  return { file, packets, ethernetFile, ethernetPackets, used: used.length, skipped, linkTypes: encapsulations.size, found: candidates.length };
}
