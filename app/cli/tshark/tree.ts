/** `-V` output: tshark's text tree, one heading per layer and its field lines indented by four spaces. */
import type { DissectedPacket, Field, Layer } from '../../dissect/model';
import { hexDump } from './hex-dump';
import { displayLayers } from './nesting';

/**
 * `dataHex`: print the bytes of each Data layer in hex after its heading, as tshark -V does when
 * -x does not print the whole packet (epan/print.c's print_hex_for_data).
 */
export function formatTree(packet: DissectedPacket, dataHex = false, finalNewline = true): string {
  const lines: string[] = [];
  for (const { layer, inner, depths } of displayLayers(packet)) {
    if (layer.protocol === 'raw' && layer.fields.length === 0) {
      lines.push('Raw packet data');
      continue;
    }
    // A layer with neither title nor fields shows its tree elsewhere (ENIP's embedded CIP Class Generic).
    if (layer.title === '' && layer.fields.length === 0 && inner.length === 0) continue;
    addLayer(lines, layer, 0, dataHex);
    inner.forEach((nested, k) => addLayer(lines, nested, depths[k]!, dataHex));
    addFields(lines, layer.fields, 1, true);
    for (const f of layer.fields) {
      if (f.root !== true || f.hidden) continue;
      lines.push(f.label);
      if (f.children) addFields(lines, f.children, 1);
    }
  }
  return finalNewline ? lines.join('\n') + '\n' : lines.join('\n');
}

/** Four spaces per level, made once per depth. */
const INDENTS: string[] = [];
const indentOf = (depth: number): string => (INDENTS[depth] ??= '    '.repeat(depth));

function addLayer(lines: string[], layer: Layer, depth: number, dataHex: boolean): void {
  const indent = indentOf(depth);
  lines.push(indent + layer.title);
  if (dataHex && layer.protocol === 'data') {
    const bytes = layer.fields.find((f) => f.abbrev === 'data.data')?.value;
    if (Buffer.isBuffer(bytes) && bytes.length > 0) lines.push('', hexDump(bytes));
  }
  addFields(lines, layer.fields, depth + 1);
  if (layer.status !== 'ok') {
    lines.push(`${indent}    [${layer.status === 'truncated' ? 'Packet size limited during capture' : 'Malformed Packet'}: ${layer.problem ?? layer.protocol}]`);
  }
}

/** `trailing`: only the fields shown after the layer's nested layers (Field.trailing); else all but those. */
function addFields(lines: string[], fields: Field[], depth: number, trailing = false): void {
  const indent = indentOf(depth);
  for (const f of fields) {
    if (f.hidden || f.root === true || (f.trailing === true) !== trailing) continue;
    lines.push(indent + f.label);
    if (f.children) addFields(lines, f.children, depth + 1);
  }
}
