/**
 * A tiny, test-only way to find the UDP/TCP payload of a frame (Ethernet/802.1Q, Linux SLL/SLL2,
 * raw IP, BSD null; IPv4/IPv6 without extension headers other than the common ones) and hand it to
 * the application dissectors the way the Dissector does (lower port, higher port, heuristics).
 * Used only while the real Dissector is not available, so app dissectors can be tested alone.
 */
import type { AppContext, AppDissector, AppResult } from '../app/dissect/model';

export interface Payload {
  offset: number;
  end: number;
  ctx: AppContext;
}

function ipPayload(data: Buffer, at: number, version: number): Payload | null {
  let proto: number;
  let start: number;
  let end: number;
  let src: string;
  let dst: string;
  if (version === 4) {
    if (at + 20 > data.length) return null;
    const ihl = (data[at]! & 0xf) * 4;
    const fragment = data.readUInt16BE(at + 6) & 0x3fff;
    if (fragment !== 0) return null;
    proto = data[at + 9]!;
    start = at + ihl;
    end = at + data.readUInt16BE(at + 2);
    src = [...data.subarray(at + 12, at + 16)].join('.');
    dst = [...data.subarray(at + 16, at + 20)].join('.');
  } else {
    if (at + 40 > data.length) return null;
    proto = data[at + 6]!;
    start = at + 40;
    end = start + data.readUInt16BE(at + 4);
    src = data.subarray(at + 8, at + 24).toString('hex');
    dst = data.subarray(at + 24, at + 40).toString('hex');
    while ([0, 43, 60].includes(proto) && start + 8 <= data.length) {
      const next = data[start]!;
      start += (data[start + 1]! + 1) * 8;
      proto = next;
    }
  }
  if (proto === 17) {
    if (start + 8 > data.length) return null;
    const ctx: AppContext = { transport: 'udp', srcPort: data.readUInt16BE(start), dstPort: data.readUInt16BE(start + 2), frameNumber: 0, src, dst };
    return { offset: start + 8, end: Math.min(end, start + data.readUInt16BE(start + 4)), ctx };
  }
  if (proto === 6) {
    if (start + 20 > data.length) return null;
    const ctx: AppContext = { transport: 'tcp', srcPort: data.readUInt16BE(start), dstPort: data.readUInt16BE(start + 2), frameNumber: 0, src, dst };
    return { offset: start + (data[start + 12]! >> 4) * 4, end, ctx };
  }
  return null;
}

export function locatePayload(data: Buffer, linkType: number): Payload | null {
  let at: number;
  let type: number;
  if (linkType === 1) {
    at = 14;
    if (data.length < 14) return null;
    type = data.readUInt16BE(12);
    while ((type === 0x8100 || type === 0x88a8) && at + 4 <= data.length) {
      type = data.readUInt16BE(at + 2);
      at += 4;
    }
  } else if (linkType === 113) {
    if (data.length < 16) return null;
    at = 16;
    type = data.readUInt16BE(14);
  } else if (linkType === 276) {
    if (data.length < 20) return null;
    at = 20;
    type = data.readUInt16BE(0);
  } else if (linkType === 101 || linkType === 12 || linkType === 228 || linkType === 229) {
    at = 0;
    type = data.length && data[0]! >> 4 === 6 ? 0x86dd : 0x0800;
  } else if (linkType === 0) {
    if (data.length < 4) return null;
    at = 4;
    const family = data.readUInt32LE(0) > 0xffff ? data.readUInt32BE(0) : data.readUInt32LE(0);
    type = family === 2 ? 0x0800 : 0x86dd;
  } else return null;
  if (type === 0x0800) return ipPayload(data, at, 4);
  if (type === 0x86dd) return ipPayload(data, at, 6);
  return null;
}

/** Picks an app dissector as the Dissector does and runs it; null when none claims the payload. */
export function dissectPayload(data: Buffer, payload: Payload, defaultAppDissectors: AppDissector[]): AppResult | null {
  const { ctx, offset, end } = payload;
  if (offset >= end) return null;
  const ports = (a: AppDissector) => (ctx.transport === 'udp' ? a.udpPorts : a.tcpPorts) ?? [];
  const low = Math.min(ctx.srcPort, ctx.dstPort);
  const high = Math.max(ctx.srcPort, ctx.dstPort);
  const app =
    defaultAppDissectors.find((a) => ports(a).includes(low)) ??
    defaultAppDissectors.find((a) => ports(a).includes(high)) ??
    defaultAppDissectors.find((a) => a.heuristic?.(data, offset, end, ctx));
  return app ? app.dissect(data, offset, end, ctx) : null;
}
