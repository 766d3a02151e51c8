/**
 * Shared by the native PacketSocket tests: a hand-encoded accept-all eBPF filter, parsers for the
 * batch record formats (pcapng EPB, pcap) and for tcpdump's files, and a small capture harness.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { native, type NativePacketSocket, type PacketSocketOptions } from '../app/capture/native';
import { sleep } from './support/netns';

const n = native();
export const addonPath = path.resolve(__dirname, '../../native/build/Release/sievecap_native.node');

/** eBPF socket filter "keep the whole packet": r0 = 262144; exit. */
export function loadAcceptAll(): number {
  const insns = Buffer.from([0xb7, 0, 0, 0, 0, 0, 4, 0, 0x95, 0, 0, 0, 0, 0, 0, 0]);
  return n.bpfProgLoad({ insns, progType: 1, license: 'GPL', name: 'accept_all' }).fd;
}

export interface Record {
  tsNs: bigint;
  caplen: number;
  len: number;
  data: Buffer;
  flags?: number;
}

/** Parses a batch of little-endian pcapng EPBs, checking every length field. */
export function parseEpbs(batch: Buffer): Record[] {
  const out: Record[] = [];
  for (let off = 0; off < batch.length; ) {
    assert.equal(batch.readUInt32LE(off), 6, 'block type EPB');
    const total = batch.readUInt32LE(off + 4);
    assert.equal(total % 4, 0);
    assert.equal(batch.readUInt32LE(off + total - 4), total, 'trailing block length');
    assert.equal(batch.readUInt32LE(off + 8), 0, 'interface id');
    const tsNs = (BigInt(batch.readUInt32LE(off + 12)) << 32n) | BigInt(batch.readUInt32LE(off + 16));
    const caplen = batch.readUInt32LE(off + 20);
    const len = batch.readUInt32LE(off + 24);
    const data = Buffer.from(batch.subarray(off + 28, off + 28 + caplen));
    let opt = off + 28 + ((caplen + 3) & ~3);
    let flags: number | undefined;
    for (;;) {
      const code = batch.readUInt16LE(opt);
      const optLen = batch.readUInt16LE(opt + 2);
      if (code === 0) break;
      if (code === 2) flags = batch.readUInt32LE(opt + 4);
      opt += 4 + ((optLen + 3) & ~3);
    }
    assert.equal(opt + 4 + 4, off + total, 'opt_endofopt then the trailing length');
    out.push({ tsNs, caplen, len, data, flags });
    off += total;
  }
  return out;
}

/** Parses pcap records: 16-byte headers (ts_sec, ts_nsec or ts_usec, caplen, len) then data. */
export function parsePcapRecords(buf: Buffer, nanoseconds = true): Record[] {
  const out: Record[] = [];
  // A file tcpdump is still writing may end in a partial record: stop before it.
  for (let off = 0; off + 16 <= buf.length && off + 16 + buf.readUInt32LE(off + 8) <= buf.length; ) {
    const sec = BigInt(buf.readUInt32LE(off));
    const frac = BigInt(buf.readUInt32LE(off + 4));
    const caplen = buf.readUInt32LE(off + 8);
    const len = buf.readUInt32LE(off + 12);
    out.push({ tsNs: sec * 1_000_000_000n + (nanoseconds ? frac : frac * 1000n), caplen, len, data: Buffer.from(buf.subarray(off + 16, off + 16 + caplen)) });
    off += 16 + caplen;
  }
  return out;
}

/** Records of a pcap file written by tcpdump -w (LE, microseconds). */
export function readPcapFile(file: string): { linkType: number; records: Record[] } {
  const buf = fs.readFileSync(file);
  assert.equal(buf.readUInt32LE(0), 0xa1b2c3d4);
  return { linkType: buf.readUInt32LE(20), records: parsePcapRecords(buf.subarray(24), false) };
}

/** Opens, attaches accept-all, starts; collects batches until `stop()`. */
export function capture(options: PacketSocketOptions) {
  const progFd = loadAcceptAll();
  const socket: NativePacketSocket = new n.PacketSocket(options);
  socket.attachBpf(progFd);
  const batches: { batch: Buffer; count: number }[] = [];
  socket.start((batch, count) => batches.push({ batch, count }));
  return {
    socket,
    batches,
    async stop() {
      await socket.close();
      n.closeFd(progFd);
      return batches;
    },
  };
}

export async function waitFor(predicate: () => boolean, what: string, limitMs = 10000): Promise<void> {
  for (const start = Date.now(); !predicate(); await sleep(20))
    if (Date.now() - start > limitMs) throw new Error(`timed out waiting for ${what}`);
}

/**
 * Waits until tcpdump (-U, so each packet is flushed once libpcap hands it over, at the latest
 * after its 1 s buffer timeout) has written `count` packets containing `marker` to `file`.
 */
export async function waitForTcpdumpFile(file: string, marker: string, count: number): Promise<Record[]> {
  const read = () => (fs.existsSync(file) ? containing(readPcapFile(file).records, marker) : []);
  await waitFor(() => read().length >= count, `tcpdump to write ${count} packets to ${file}`);
  return read();
}

export const containing = (records: Record[], marker: string) => records.filter((r) => r.data.includes(marker));

/** Same bytes and lengths, record by record; reports the first difference only (frames are long). */
export function sameFrames(ours: Record[], reference: Record[]): void {
  assert.equal(ours.length, reference.length, 'record count');
  ours.forEach((r, i) => {
    assert.equal(r.data.toString('hex'), reference[i].data.toString('hex'), `record ${i} bytes`);
    assert.deepEqual([r.caplen, r.len], [reference[i].caplen, reference[i].len], `record ${i} lengths`);
  });
}
