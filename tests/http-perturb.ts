/**
 * Rewrites a real capture (Ethernet, IPv4/IPv6, TCP) the way a lossy, reordering path would have
 * delivered it, since `tc netem` is not available on this kernel: adjacent data segments of a
 * direction swapped, segments retransmitted later, and segments split into two overlapping pieces
 * that arrive last-piece-first. The transactions reassembled from the result must not change.
 */
import { PcapWriter } from '../app/pcap/pcap-writer';
import { timedFramesOf, type TimedFrame } from './support/sievecap';

interface TcpView {
  flow: string;
  conn: string;
  ipOffset: number;
  v6: boolean;
  tcpOffset: number;
  payloadOffset: number;
  payloadLength: number;
  flags: number;
}

function viewOf(frame: Buffer): TcpView | null {
  if (frame.length < 14) return null;
  const type = frame.readUInt16BE(12);
  const ip = 14;
  let tcp: number;
  let end: number;
  let src: string;
  let dst: string;
  if (type === 0x0800 && frame[ip + 9] === 6) {
    tcp = ip + (frame[ip]! & 0x0f) * 4;
    end = ip + frame.readUInt16BE(ip + 2);
    src = frame.subarray(ip + 12, ip + 16).toString('hex');
    dst = frame.subarray(ip + 16, ip + 20).toString('hex');
  } else if (type === 0x86dd && frame[ip + 6] === 6) {
    tcp = ip + 40;
    end = tcp + frame.readUInt16BE(ip + 4);
    src = frame.subarray(ip + 8, ip + 24).toString('hex');
    dst = frame.subarray(ip + 24, ip + 40).toString('hex');
  } else return null;
  const sport = frame.readUInt16BE(tcp);
  const dport = frame.readUInt16BE(tcp + 2);
  const payloadOffset = tcp + (frame[tcp + 12]! >> 4) * 4;
  const a = `${src}:${sport}`;
  const b = `${dst}:${dport}`;
  return {
    flow: `${a}>${b}`,
    conn: a < b ? `${a}|${b}` : `${b}|${a}`,
    ipOffset: ip,
    v6: type === 0x86dd,
    tcpOffset: tcp,
    payloadOffset,
    payloadLength: end - payloadOffset,
    flags: frame.readUInt16BE(tcp + 12) & 0xfff,
  };
}

function sum16(buf: Buffer, start: number, end: number, acc = 0): number {
  for (let i = start; i + 1 < end; i += 2) acc += buf.readUInt16BE(i);
  if ((end - start) % 2 === 1) acc += buf[end - 1]! << 8;
  return acc;
}

function fold(acc: number): number {
  while (acc > 0xffff) acc = (acc & 0xffff) + (acc >>> 16);
  return ~acc & 0xffff;
}

/** A copy of a data segment carrying only payload[from, to), with lengths and checksums redone. */
function slice(frame: Buffer, v: TcpView, from: number, to: number): Buffer {
  const out = Buffer.concat([frame.subarray(0, v.payloadOffset), frame.subarray(v.payloadOffset + from, v.payloadOffset + to)]);
  const tcpLength = out.length - v.tcpOffset;
  if (v.v6) out.writeUInt16BE(tcpLength, v.ipOffset + 4);
  else {
    out.writeUInt16BE(out.length - v.ipOffset, v.ipOffset + 2);
    out.writeUInt16BE(0, v.ipOffset + 10);
    out.writeUInt16BE(fold(sum16(out, v.ipOffset, v.ipOffset + (out[v.ipOffset]! & 0x0f) * 4)), v.ipOffset + 10);
  }
  out.writeUInt32BE((out.readUInt32BE(v.tcpOffset + 4) + from) >>> 0, v.tcpOffset + 4);
  out.writeUInt16BE(0, v.tcpOffset + 16);
  const addrs = v.v6 ? sum16(out, v.ipOffset + 8, v.ipOffset + 40) : sum16(out, v.ipOffset + 12, v.ipOffset + 20);
  const pseudo = addrs + 6 + tcpLength;
  out.writeUInt16BE(fold(sum16(out, v.tcpOffset, out.length, pseudo)), v.tcpOffset + 16);
  return out;
}

export interface PerturbCounts {
  swapped: number;
  duplicated: number;
  split: number;
}

/** Writes `input` rewritten to `output` (pcap); returns how many segments were moved, copied and split. */
export function perturbCapture(input: string, output: string): PerturbCounts {
  const frames = timedFramesOf(input);
  const out: TimedFrame[] = [];
  const counts: PerturbCounts = { swapped: 0, duplicated: 0, split: 0 };
  const dataSeen = new Map<string, number>();
  const held = new Map<string, TimedFrame>();
  const later: Array<{ due: number; frame: TimedFrame }> = [];
  const releaseHeld = (key: string): void => {
    const f = held.get(key);
    if (f) out.push(f);
    held.delete(key);
  };
  frames.forEach((frame, index) => {
    for (const l of later.filter((x) => x.due === index)) out.push(l.frame);
    const v = viewOf(frame.data);
    if (!v) {
      out.push(frame);
      return;
    }
    if (v.flags & 0x004) {
      // Nothing may arrive after a reset: the receiver would have dropped it.
      for (const key of [...held.keys()]) if (key.startsWith(`${v.conn}#`)) releaseHeld(key);
    }
    if (v.payloadLength <= 0) {
      out.push(frame);
      return;
    }
    const k = (dataSeen.get(v.flow) ?? 0) + 1;
    dataSeen.set(v.flow, k);
    const heldKey = `${v.conn}#${v.flow}`;
    if (k % 4 === 2 && !held.has(heldKey)) {
      held.set(heldKey, frame);
      counts.swapped++;
      return;
    }
    if (k % 4 === 3 && v.payloadLength >= 30) {
      const third = Math.floor(v.payloadLength / 3);
      out.push({ tsNs: frame.tsNs, data: slice(frame.data, v, third, v.payloadLength) });
      out.push({ tsNs: frame.tsNs, data: slice(frame.data, v, 0, 2 * third) });
      counts.split++;
    } else out.push(frame);
    releaseHeld(heldKey);
    if (k % 5 === 0) {
      later.push({ due: Math.min(index + 3, frames.length - 1), frame });
      counts.duplicated++;
    }
  });
  for (const key of [...held.keys()]) releaseHeld(key);
  const w = new PcapWriter(output, { linkType: 1, nanosecond: true });
  // Keep time stamps non-decreasing, as a capture taken after the reordering would have them.
  let last = 0n;
  for (const f of out) {
    last = f.tsNs > last ? f.tsNs : last;
    w.writePacket({ tsNs: last, data: f.data });
  }
  w.close();
  return counts;
}
