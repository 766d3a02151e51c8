/**
 * What the store hands out, turned into the plain data the engine protocol carries: time stamps as
 * strings of nanoseconds, bytes as base64, field values without bigint or Buffer, errors as
 * `{code, message}`. Nothing here keeps a reference to the store's memory (its frame views are
 * reused by the next read).
 */
import type { DissectedPacket, Field, Layer } from '../../dissect/model';
import { DisplayFilterError } from '../../filter';
import { StatisticsSpecError } from '../../stats/report';
import { CUT_BYTES, type ErrorData, type PacketDetail, type PacketField, type PacketLayer, type PacketRow } from '../../rpc/engine-protocol';
import type { PacketRow as StoreRow } from '../store';

/** An error that crosses the boundary as it is: a code from ENGINE_ERRORS (or errno's) and a sentence. */
export class EngineError extends Error {
  constructor(readonly code: string, message: string, readonly session?: number) {
    super(message);
  }

  toData(): ErrorData {
    return this.session === undefined ? { code: this.code, message: this.message } : { code: this.code, message: this.message, session: this.session };
  }
}

/** Any thrown value as ErrorData: known errors keep their code, the rest say where they came from. */
export function errorData(err: unknown, fallbackCode = 'EENGINE'): ErrorData {
  if (err instanceof EngineError) return err.toData();
  if (err instanceof DisplayFilterError) return { code: 'EFILTER', message: err.message };
  if (err instanceof StatisticsSpecError) return { code: 'ESPEC', message: err.message };
  if (err instanceof RangeError) return { code: 'ERANGE', message: err.message };
  if (err instanceof Error) {
    const code = (err as NodeJS.ErrnoException).code;
    return { code: typeof code === 'string' && /^E[A-Z0-9_]+$/.test(code) ? code : fallbackCode, message: err.message };
  }
  return { code: fallbackCode, message: String(err) };
}

export function nsString(ns: bigint): string {
  return ns.toString();
}

export function rowData(row: StoreRow): PacketRow {
  return {
    number: row.number,
    time: nsString(row.tsNs),
    relativeSeconds: row.relativeSeconds,
    source: row.source,
    destination: row.destination,
    protocol: row.protocol,
    length: row.length,
    info: row.info,
    status: row.status,
  };
}

function fieldData(f: Field, full: boolean): PacketField {
  const out: PacketField = { abbrev: f.abbrev, label: f.label, text: f.text, value: null, type: 'none', offset: f.offset, length: f.length };
  const value = f.value;
  if (typeof value === 'bigint') {
    out.value = value.toString();
    out.type = 'integer64';
  } else if (Buffer.isBuffer(value)) {
    out.type = 'bytes';
    if (!full && value.length > CUT_BYTES) {
      // The text is hex (2 characters a byte) or, for some fields, the bytes as text: cut either at CUT_BYTES' worth.
      const keep = /^[0-9a-f]*$/i.test(f.text.slice(0, 64)) ? CUT_BYTES * 2 : CUT_BYTES;
      out.text = f.text.length > keep ? `${f.text.slice(0, keep)}…` : f.text;
      out.cut = true;
    } else out.value = Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64');
  } else if (typeof value === 'number') {
    out.value = value;
    out.type = 'number';
  } else if (typeof value === 'string') {
    out.value = value;
    out.type = 'string';
  } else if (typeof value === 'boolean') {
    out.value = value;
    out.type = 'boolean';
  }
  if (f.hidden) out.hidden = true;
  if (f.source === 'reassembled') out.reassembled = true;
  if (f.children && f.children.length > 0) out.children = f.children.map((c) => fieldData(c, full));
  return out;
}

function layerData(l: Layer, full: boolean): PacketLayer {
  return { protocol: l.protocol, title: l.title, offset: l.offset, length: l.length, status: l.status, problem: l.problem ?? null, fields: l.fields.map((f) => fieldData(f, full)) };
}

export interface PacketFacts {
  tsNs: bigint;
  firstTsNs: bigint;
  origLen: number;
  linkType: number;
  interfaceId: number;
  /** pcapng epb_flags direction bits. */
  flags: number;
}

/** `fullValues`: byte fields longer than CUT_BYTES whole (else cut: PacketField.cut). */
export function packetData(packet: DissectedPacket, data: Buffer, facts: PacketFacts, fullValues = false): PacketDetail {
  const s = packet.summary;
  const dir = facts.flags & 3;
  return {
    number: packet.number,
    time: nsString(facts.tsNs),
    relativeSeconds: Number(facts.tsNs - facts.firstTsNs) / 1e9,
    capturedLength: data.length,
    length: facts.origLen,
    linkType: facts.linkType,
    interfaceId: facts.interfaceId,
    direction: dir === 1 ? 'in' : dir === 2 ? 'out' : null,
    status: packet.status,
    summary: { source: s.source, destination: s.destination, protocol: s.protocol, length: s.length, info: s.info },
    layers: packet.layers.map((l) => layerData(l, fullValues)),
    bytes: data.toString('base64'),
  };
}

/**
 * A report's json() as plain data. Reports promise plain JSON already; this is the guard at the
 * boundary: bigint becomes a decimal string, bytes base64, a Map an object, a Set an array,
 * `undefined` properties are left out, and anything else that is not plain (a function, a class
 * instance) becomes its own plain fields.
 */
export function plainData(value: unknown, depth = 0): unknown {
  if (depth > 64) throw new EngineError('EENGINE', 'a report nests deeper than 64 levels');
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value === 'bigint') return value.toString();
  if (value === undefined || typeof value === 'function' || typeof value === 'symbol') return null;
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64');
  if (Array.isArray(value)) return value.map((x) => plainData(x, depth + 1));
  if (value instanceof Map) return plainData(Object.fromEntries(value), depth + 1);
  if (value instanceof Set) return plainData([...value], depth + 1);
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(value as Record<string, unknown>)) {
    if (x === undefined || typeof x === 'function') continue;
    out[k] = plainData(x, depth + 1);
  }
  return out;
}
