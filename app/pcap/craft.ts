/**
 * Builders for hand-made capture files in either byte order, for tests and fuzzing: every block
 * type and option the readers handle, including ones our writers never produce (big-endian,
 * if_tsresol powers of 2, if_tsoffset, SPB, OPB, several sections).
 */

export class Bytes {
  private readonly parts: Buffer[] = [];
  constructor(readonly littleEndian: boolean) {}
  u8(v: number): this { this.parts.push(Buffer.from([v & 0xff])); return this; }
  u16(v: number): this { const b = Buffer.alloc(2); this.littleEndian ? b.writeUInt16LE(v) : b.writeUInt16BE(v); this.parts.push(b); return this; }
  u32(v: number): this { const b = Buffer.alloc(4); this.littleEndian ? b.writeUInt32LE(v >>> 0) : b.writeUInt32BE(v >>> 0); this.parts.push(b); return this; }
  i64(v: bigint): this { const b = Buffer.alloc(8); this.littleEndian ? b.writeBigInt64LE(v) : b.writeBigInt64BE(v); this.parts.push(b); return this; }
  raw(b: Uint8Array): this { this.parts.push(Buffer.from(b)); return this; }
  pad4(): this { const n = this.length % 4; if (n) this.parts.push(Buffer.alloc(4 - n)); return this; }
  get length(): number { return this.parts.reduce((n, p) => n + p.length, 0); }
  build(): Buffer { return Buffer.concat(this.parts); }
}

export type CraftOption = [code: number, value: Buffer];

export function option(code: number, value: string | Buffer): CraftOption {
  return [code, typeof value === 'string' ? Buffer.from(value, 'utf8') : value];
}

function options(le: boolean, opts: CraftOption[]): Buffer {
  if (opts.length === 0) return Buffer.alloc(0);
  const b = new Bytes(le);
  for (const [code, value] of opts) b.u16(code).u16(value.length).raw(value).pad4();
  return b.u16(0).u16(0).build();
}

export function block(le: boolean, type: number, body: Buffer, opts: CraftOption[] = []): Buffer {
  const o = options(le, opts);
  const padded = new Bytes(le).raw(body).pad4().build();
  const total = 12 + padded.length + o.length;
  return new Bytes(le).u32(type).u32(total).raw(padded).raw(o).u32(total).build();
}

export function shb(le: boolean, opts: CraftOption[] = [], version: [number, number] = [1, 0]): Buffer {
  return block(le, 0x0a0d0d0a, new Bytes(le).u32(0x1a2b3c4d).u16(version[0]).u16(version[1]).i64(-1n).build(), opts);
}

export function idb(le: boolean, linkType: number, snapLen: number, opts: CraftOption[] = []): Buffer {
  return block(le, 1, new Bytes(le).u16(linkType).u16(0).u32(snapLen).build(), opts);
}

export function epb(le: boolean, iface: number, ts: bigint, data: Buffer, origLen = data.length, opts: CraftOption[] = []): Buffer {
  const body = new Bytes(le).u32(iface).u32(Number(ts >> 32n)).u32(Number(ts & 0xffffffffn)).u32(data.length).u32(origLen).raw(data).build();
  return block(le, 6, body, opts);
}

export function opb(le: boolean, iface: number, ts: bigint, data: Buffer, origLen = data.length): Buffer {
  const body = new Bytes(le).u16(iface).u16(0).u32(Number(ts >> 32n)).u32(Number(ts & 0xffffffffn)).u32(data.length).u32(origLen).raw(data).build();
  return block(le, 2, body);
}

export function spb(le: boolean, data: Buffer, origLen = data.length): Buffer {
  return block(le, 3, new Bytes(le).u32(origLen).raw(data).build());
}

/** u32 option value in the given byte order (epb_flags). */
export function u32Value(le: boolean, v: number): Buffer {
  return new Bytes(le).u32(v).build();
}

export function i64Value(le: boolean, v: bigint): Buffer {
  return new Bytes(le).i64(v).build();
}

export function pcapHeader(le: boolean, nanosecond: boolean, linkType: number, snapLen = 65535, version: [number, number] = [2, 4]): Buffer {
  return new Bytes(le).u32(nanosecond ? 0xa1b23c4d : 0xa1b2c3d4).u16(version[0]).u16(version[1]).u32(0).u32(0).u32(snapLen).u32(linkType).build();
}

export function pcapRecord(le: boolean, sec: number, frac: number, data: Buffer, origLen = data.length): Buffer {
  return new Bytes(le).u32(sec).u32(frac).u32(data.length).u32(origLen).raw(data).build();
}

/** Ethernet frame with an IPv4/UDP header, `size` bytes long. */
export function sampleFrame(seq: number, size = 60): Buffer {
  const f = Buffer.alloc(Math.max(size, 42));
  f.writeUInt16BE(0x0800, 12);
  f[14] = 0x45;
  f.writeUInt16BE(f.length - 14, 16);
  f.writeUInt16BE(seq & 0xffff, 18);
  f[22] = 64;
  f[23] = 17;
  for (let i = 42; i < f.length; i++) f[i] = (seq * 7 + i) & 0xff;
  return f;
}
