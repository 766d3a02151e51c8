/** `-V` output: tshark's text tree, one heading per layer and its field lines indented by four spaces. */
import type { DissectedPacket, Field } from '../../dissect/model';

export function formatTree(packet: DissectedPacket): string {
  const lines: string[] = [];
  for (const layer of packet.layers) {
    if (layer.protocol === 'raw' && layer.fields.length === 0) {
      lines.push('Raw packet data');
      continue;
    }
    lines.push(layer.title);
    addFields(lines, layer.fields, 1);
    if (layer.status !== 'ok') lines.push(`    [${layer.status === 'truncated' ? 'Packet size limited during capture' : 'Malformed Packet'}: ${layer.problem ?? layer.protocol}]`);
  }
  return lines.join('\n') + '\n';
}

function addFields(lines: string[], fields: Field[], depth: number): void {
  const indent = '    '.repeat(depth);
  for (const f of fields) {
    if (f.hidden) continue;
    lines.push(indent + f.label);
    if (f.children) addFields(lines, f.children, depth + 1);
  }
}
