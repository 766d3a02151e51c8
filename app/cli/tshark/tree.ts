/** `-V` output: tshark's text tree, one heading per layer and its field lines indented by four spaces. */
import type { DissectedPacket, Field, Layer } from '../../dissect/model';
import { writeHexDump } from './hex-dump';
import { displayLayers } from './nesting';
import { ByteOut } from '../byte-out';
import { exceptionName } from '../../dissect/short-names';
import { exceptionLayer } from '../../dissect/exception';

/**
 * `dataHex`: print the bytes of each Data layer in hex after its heading, as tshark -V does when
 * -x does not print the whole packet (epan/print.c's print_hex_for_data).
 */
export function formatTree(packet: DissectedPacket, dataHex = false, finalNewline = true): string {
  const out = new ByteOut(1 << 12);
  writeTree(out, packet, dataHex);
  if (finalNewline) out.byte(0x0a);
  return out.take();
}

/** formatTree's lines written into `out`, separated (not ended) by newlines. */
export function writeTree(out: ByteOut, packet: DissectedPacket, dataHex = false): void {
  const w = new TreeLines(out);
  for (const { layer, inner, depths } of displayLayers(packet)) {
    if (layer.protocol === 'raw' && layer.fields.length === 0) {
      w.line(0, 'Raw packet data');
      continue;
    }
    // A layer with neither title nor fields shows its tree elsewhere (ENIP's embedded CIP Class Generic).
    if (layer.title === '' && layer.fields.length === 0 && inner.length === 0) continue;
    addLayer(w, layer, 0, dataHex);
    inner.forEach((nested, k) => addLayer(w, nested, depths[k]!, dataHex));
    addFields(w, layer.fields, 1, true);
    for (const f of layer.fields) {
      if (f.root !== true || f.hidden) continue;
      w.line(0, f.label);
      if (f.children) addFields(w, f.children, 1);
    }
  }
  const failed = exceptionLayer(packet.layers);
  if (failed !== undefined) addException(w, failed);
}

class TreeLines {
  private first = true;
  constructor(private readonly out: ByteOut) {}

  /** hexDump's lines as the next lines (as line(0, hexDump(bytes)) writes them, without the string). */
  hexDump(bytes: Buffer): void {
    // An empty line() is the newline that ends the line before; the dump follows it.
    this.line(0, '');
    writeHexDump(this.out, bytes);
  }

  line(depth: number, text: string): void {
    const out = this.out;
    const spaces = depth * 4;
    const n = text.length;
    out.ensure(spaces + 1 + n);
    const buf = out.buf;
    let j = out.used;
    if (this.first) this.first = false;
    else buf[j++] = 0x0a;
    for (let i = 0; i < spaces; i++) buf[j++] = 0x20;
    // ASCII copied here; the first other character hands the rest of the line to the encoder.
    for (let i = 0; i < n; i++) {
      const c = text.charCodeAt(i);
      if (c >= 0x80) {
        out.used = j;
        out.text(text.slice(i));
        return;
      }
      buf[j++] = c;
    }
    out.used = j;
  }
}

function addLayer(w: TreeLines, layer: Layer, depth: number, dataHex: boolean): void {
  w.line(depth, layer.title);
  if (dataHex && layer.protocol === 'data') {
    const bytes = layer.fields.find((f) => f.abbrev === 'data.data')?.value;
    if (Buffer.isBuffer(bytes) && bytes.length > 0) {
      w.line(0, '');
      w.hexDump(bytes);
    }
  }
  addFields(w, layer.fields, depth + 1);
}

/**
 * Wireshark's show_exception, at the top of the tree after the layers: `[Packet size limited
 * during capture: DNS truncated]` for bytes the capture cut off, `[Malformed Packet: ARP/RARP]` and
 * its expert item for a packet that contradicts itself, the protocol named by its short name.
 */
function addException(w: TreeLines, layer: Layer): void {
  const name = exceptionName(layer);
  if (layer.status === 'truncated') {
    w.line(0, `[Packet size limited during capture: ${name} truncated]`);
    return;
  }
  w.line(0, `[Malformed Packet: ${name}]`);
  w.line(1, '[Expert Info (Error/Malformed): Malformed Packet (Exception occurred)]');
  w.line(2, '[Malformed Packet (Exception occurred)]');
  w.line(2, '[Severity level: Error]');
  w.line(2, '[Group: Malformed]');
}

/** `trailing`: only the fields shown after the layer's nested layers (Field.trailing); else all but those. */
function addFields(w: TreeLines, fields: Field[], depth: number, trailing = false): void {
  for (const f of fields) {
    if (f.hidden || f.root === true || (f.trailing === true) !== trailing) continue;
    w.line(depth, f.label);
    if (f.children) addFields(w, f.children, depth + 1);
  }
}
