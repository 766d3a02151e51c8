/**
 * `tshark --export-objects imf,DIR` and `tftp,DIR`: the objects tshark's IMF and TFTP export taps
 * collect, taken from the packets as Sievecap's dissectors show them (the same dissection as
 * `sievecap -r F`), written as tshark writes them (export-objects.ts writeObjectFiles).
 *
 * IMF (packet-imf.c imf_eo_packet): each message SMTP put together from its DATA fragments (the
 * IMF layer's bytes, as they were sent, up to the "." line), named `<Subject>.eml`.
 *
 * TFTP (packet-tftp.c tftp_eo_packet): tshark reads the file twice when it exports objects, and
 * the tap sees the second pass with the sequence state the first one left. A transfer's file is
 * written when its request was seen (the file name), no block was missing and a last block (one
 * shorter than the block size) came; its bytes are the blocks from block 1 on, each at (n - 1) ×
 * block size, in a buffer as long as the blocks the first pass found in sequence. The name is the
 * request's file name after its last '/'.
 */
import { Dissector } from '../dissect/dissector';
import type { DissectedPacket, Field, Layer } from '../dissect/model';
import { imfSubject } from '../dissect/imf';
import { CaptureReader } from '../pcap/reader';
import { basename, writeObjectFiles } from './export-objects';

export type DissectedObjectKind = 'imf' | 'tftp';

export interface DissectedObject {
  /** The frame whose dissection completed the object (tshark's packet number for it). */
  frame: number;
  /** The name before escaping and duplicate numbers. */
  name: string;
  payload: Buffer;
}

export interface DissectedExportResult {
  /** The files written, in order, and their objects. */
  files: { file: string; object: DissectedObject }[];
  readError: string | null;
}

const TFTP_FIELDS = new Set([
  'tftp.opcode', 'tftp.block.full', 'tftp.request_frame', 'tftp.destination_file', 'tftp.option.name', 'tftp.option.value', 'data.data',
]);

/** IMF: the SMTP and IMF layers, whose message bytes the export reads (no field). */
const IMF_FIELDS = new Set(['smtp', 'imf']);

/** Every packet of the capture, dissected with the fields the kind reads. */
function dissectCapture(capturePath: string, kind: DissectedObjectKind, each: (p: DissectedPacket) => void): string | null {
  const reader = CaptureReader.open(capturePath);
  try {
    const dissector = new Dissector();
    const fields = kind === 'tftp' ? TFTP_FIELDS : IMF_FIELDS;
    let number = 0;
    for (let p = reader.next(); p !== null; p = reader.next()) {
      number++;
      each(dissector.dissect({ number, tsNs: p.tsNs, data: p.data, origLen: p.origLen, linkType: p.linkType, flags: p.flags }, { fields, columns: false }));
    }
    return reader.error?.message ?? null;
  } finally {
    reader.close();
  }
}

/** The messages of the IMF layers, in frame order. */
export function imfObjects(packets: Iterable<DissectedPacket>): DissectedObject[] {
  const out: DissectedObject[] = [];
  for (const p of packets) {
    for (const layer of p.layers) {
      if (layer.protocol !== 'imf' || !layer.data) continue;
      out.push({ frame: p.number, name: `${imfSubject(layer.data)}.eml`, payload: layer.data });
    }
  }
  return out;
}

/** One TFTP packet as the export reads it. */
export interface TftpPacket {
  frame: number;
  opcode: number;
  /** The request that opened the packet's transfer (its own frame for a request), 0 when none was seen. */
  requestFrame: number;
  /** The transfer's file name (tshark's source or destination file), null before a request. */
  file: string | null;
  /** DATA and ACK: the block number with its wraps. */
  block: number;
  /** DATA: the block's bytes. */
  bytes: Buffer;
  /** OACK: the block size it sets (8 to 65464), else null. */
  blockSize: number | null;
}

const firstField = (fields: readonly Field[], abbrev: string): Field | undefined => {
  for (const f of fields) {
    if (f.abbrev === abbrev) return f;
    const inner = f.children ? firstField(f.children, abbrev) : undefined;
    if (inner) return inner;
  }
  return undefined;
};

const allFields = (fields: readonly Field[], abbrev: string, out: Field[] = []): Field[] => {
  for (const f of fields) {
    if (f.abbrev === abbrev) out.push(f);
    if (f.children) allFields(f.children, abbrev, out);
  }
  return out;
};

/** A dissected packet's TFTP message, or null. */
export function tftpPacketOf(p: DissectedPacket): TftpPacket | null {
  const at = p.layers.findIndex((l) => l.protocol === 'tftp');
  if (at < 0) return null;
  const tftp = p.layers[at]!;
  const opcode = firstField(tftp.fields, 'tftp.opcode')?.value;
  if (typeof opcode !== 'number') return null;
  const request = opcode === 1 || opcode === 2;
  const requestFrame = request ? p.number : Number(firstField(tftp.fields, 'tftp.request_frame')?.value ?? 0);
  // tshark's generated tftp.destination_file names the transfer's file on every later packet.
  const file = requestFrame === 0 ? null : String(firstField(tftp.fields, 'tftp.destination_file')?.value ?? '');
  const data: Layer | undefined = p.layers[at + 1]?.protocol === 'data' ? p.layers[at + 1] : undefined;
  const bytes = data ? firstField(data.fields, 'data.data')?.value : undefined;
  let blockSize: number | null = null;
  if (opcode === 6) {
    const names = allFields(tftp.fields, 'tftp.option.name');
    const values = allFields(tftp.fields, 'tftp.option.value');
    names.forEach((name, k) => {
      if (String(name.value).toLowerCase() !== 'blksize') return;
      const size = parseInt(String(values[k]?.value ?? ''), 10);
      if (size >= 8 && size <= 65464) blockSize = size;
    });
  }
  return {
    frame: p.number, opcode, requestFrame, file, block: Number(firstField(tftp.fields, 'tftp.block.full')?.value ?? 0),
    bytes: Buffer.isBuffer(bytes) ? bytes : Buffer.alloc(0), blockSize,
  };
}

/** The files tshark's TFTP export writes from these packets (in capture order), in the order it writes them. */
export function tftpObjects(packets: readonly TftpPacket[]): DissectedObject[] {
  interface Transfer {
    blockSize: number;
    nextBlock: number;
    blocksMissing: boolean;
    fileLength: number;
    lastAvailable: boolean;
  }
  const transfers = new Map<number, Transfer>();
  const transferOf = (p: TftpPacket): Transfer => {
    let t = transfers.get(p.requestFrame);
    if (!t) transfers.set(p.requestFrame, (t = { blockSize: 512, nextBlock: 1, blocksMissing: false, fileLength: 0, lastAvailable: false }));
    return t;
  };
  // The first pass: block sizes and the sequence state, which the second pass starts from.
  for (const p of packets) {
    if (p.requestFrame === 0) continue;
    const t = transferOf(p);
    if (p.blockSize !== null) t.blockSize = p.blockSize;
    if (p.opcode !== 3) continue;
    t.lastAvailable ||= p.bytes.length < t.blockSize;
    if (p.block > t.nextBlock) {
      t.nextBlock = p.block + 1;
      t.blocksMissing = true;
    } else if (p.block === t.nextBlock) {
      t.nextBlock++;
      t.fileLength += p.bytes.length;
    }
  }
  // The second pass, which the tap sees.
  const out: DissectedObject[] = [];
  const building = new Map<number, { nextBlock: number; payload: Buffer | null }>();
  for (const p of packets) {
    if (p.requestFrame === 0 || p.file === null) continue;
    const t = transferOf(p);
    if (p.blockSize !== null) t.blockSize = p.blockSize;
    if (p.opcode !== 3 || t.blocksMissing || !t.lastAvailable) continue;
    let b = building.get(p.requestFrame);
    if (!b) building.set(p.requestFrame, (b = { nextBlock: 1, payload: null }));
    // g_try_malloc(0) gives no buffer: an empty file is not exported.
    if (p.block === 1 && b.payload === null && t.fileLength > 0) b.payload = Buffer.alloc(t.fileLength);
    if (b.payload === null || p.block !== b.nextBlock) continue;
    p.bytes.copy(b.payload, (b.nextBlock - 1) * t.blockSize);
    b.nextBlock++;
    if (p.bytes.length < t.blockSize) {
      out.push({ frame: p.frame, name: basename(p.file), payload: b.payload });
      b.nextBlock = 1;
      b.payload = null;
    }
  }
  return out;
}

/** `tshark -r capturePath --export-objects KIND,dir` for imf and tftp. */
export function exportDissectedObjects(kind: DissectedObjectKind, capturePath: string, dir: string): DissectedExportResult {
  const packets: DissectedPacket[] = [];
  const tftp: TftpPacket[] = [];
  const readError = dissectCapture(capturePath, kind, (p) => {
    if (kind === 'imf') {
      if (p.layers.some((l) => l.protocol === 'imf')) packets.push(p);
    } else {
      const t = tftpPacketOf(p);
      if (t) tftp.push(t);
    }
  });
  const objects = kind === 'imf' ? imfObjects(packets) : tftpObjects(tftp);
  const files = writeObjectFiles(objects, dir);
  return { files: objects.map((object, k) => ({ file: files[k]!, object })), readError };
}
