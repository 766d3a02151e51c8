/**
 * `-T jsonraw`: tshark's JSON layout (as -T json) with each field's bytes instead of its value
 * (epan/print.c, write_json_proto_tree with hex only): `NAME_raw: [hex, position, length, bitmask,
 * type]`, subtrees under NAME (or NAME_tree when the node has a value), text-only lines under
 * their text.
 */
import type { DissectedPacket } from '../../dissect/model';
import { ftypeNumber } from '../../filter/glossary';
import { displayValue, hexValue, maskedValueHex, protoTree, type ProtoNode } from './proto-tree';
import type { ProtocolFilter } from './formats';

export function rawJsonPacket(packet: DissectedPacket, frame: Buffer, filter?: ProtocolFilter): string {
  const lines: string[] = [];
  const date = packetDate(packet);
  lines.push('  {', `    "_index": "packets-${date}",`, '    "_type": "doc",', '    "_score": null,', '    "_source": {', '      "layers": {');
  const members: string[][] = [];
  new RawJsonWriter(filter).members(protoTree(packet, frame), 4, members);
  pushMembers(lines, members);
  lines.push('      }', '    }', '  }');
  return lines.join('\n');
}

/** One member of an object: its lines, the last without the comma that separates members. */
type Member = string[];

function pushMembers(lines: string[], members: Member[]): void {
  members.forEach((m, i) => {
    if (i < members.length - 1) m[m.length - 1] += ',';
    lines.push(...m);
  });
}

class RawJsonWriter {
  constructor(private filter: ProtocolFilter | undefined) {}

  /** write_json_proto_node_list, each node on its own (tshark's default: duplicate keys kept). */
  members(nodes: readonly ProtoNode[], depth: number, out: Member[]): void {
    const pad = '  '.repeat(depth);
    for (const node of nodes) {
      const key = node.abbrev !== '' ? node.abbrev : node.label;
      const filtered = this.filter !== undefined && !this.filter.names.includes(key);
      const hasValue = node.abbrev !== '' && displayValue(node) !== null;
      const text = node.abbrev === '';
      if (!text) {
        const first = node.bitmask !== 0n ? maskedValueHex(node) : hexValue(node);
        const items = [JSON.stringify(first), String(node.offset), String(node.length), String(node.bitmask), String(ftypeNumber(node.type))];
        out.push([`${pad}${JSON.stringify(key + '_raw')}: [`, ...items.map((v, i) => `${pad}  ${v}${i < items.length - 1 ? ',' : ''}`), `${pad}]`]);
      }
      if (node.children.length > 0) {
        const name = JSON.stringify(key + (hasValue ? '_tree' : ''));
        if (filtered) {
          out.push([`${pad}${name}: {`, `${pad}  "filtered": ${JSON.stringify(key)}`, `${pad}}`]);
        } else {
          const saved = this.filter;
          if (this.filter?.includeChildren) this.filter = undefined;
          const inner: Member[] = [];
          this.members(node.children, depth + 1, inner);
          this.filter = saved;
          const member = [`${pad}${name}: {`];
          pushMembers(member, inner);
          member.push(`${pad}}`);
          out.push(member);
        }
      } else if (!hasValue && text) {
        out.push([`${pad}${JSON.stringify(key)}: ""`]);
      }
    }
  }
}

/** The day of the packet's time stamp in local time, as tshark names the index ("packets-2006-12-16"). */
export function packetDate(packet: DissectedPacket): string {
  const epoch = packet.layers[0]?.fields.find((f) => f.abbrev === 'frame.time_epoch')?.text ?? '0';
  const d = new Date(Number(epoch.split('.')[0]) * 1000);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}
