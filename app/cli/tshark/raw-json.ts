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

/**
 * `withValues`: tshark's -T json -x, each field's `NAME_raw` member followed by its -T json
 * member (`NAME: value`, `NAME_tree` or `NAME: {...}` for its subtree).
 */
export function rawJsonPacket(packet: DissectedPacket, frame: Buffer, filter?: ProtocolFilter, withValues = false): string {
  const lines: string[] = [];
  const date = withValues ? utcDate(packet) : packetDate(packet);
  lines.push('  {', `    "_index": "packets-${date}",`, '    "_type": "doc",', '    "_score": null,', '    "_source": {', '      "layers": {');
  const members: string[][] = [];
  new RawJsonWriter(filter, withValues).members(protoTree(packet, frame), 4, members);
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
  constructor(
    private filter: ProtocolFilter | undefined,
    private readonly withValues = false,
  ) {}

  /** write_json_proto_node_list, each node on its own (tshark's default: duplicate keys kept). */
  members(nodes: readonly ProtoNode[], depth: number, out: Member[], inExpert = false): void {
    const pad = '  '.repeat(depth);
    for (const node of nodes) {
      const key = node.abbrev !== '' ? node.abbrev : node.label;
      const filtered = this.filter !== undefined && !this.filter.names.includes(key);
      const hasValue = node.abbrev !== '' && displayValue(node) !== null;
      const text = node.abbrev === '';
      // -T json -x: raw bytes only for a field that has some (expert items have none).
      const expert = inExpert || node.abbrev === '_ws.expert';
      if (!text && (!this.withValues || (node.length > 0 && !expert))) {
        const first = node.bitmask !== 0n ? maskedValueHex(node) : hexValue(node);
        const items = [...(node.noBytes ? [] : [JSON.stringify(first)]), String(node.offset), String(node.length), String(node.bitmask), String(ftypeNumber(node.type))];
        out.push([`${pad}${JSON.stringify(key + '_raw')}: [`, ...items.map((v, i) => `${pad}  ${v}${i < items.length - 1 ? ',' : ''}`), `${pad}]`]);
      }
      // An expert message's text is the message as written ("\\r\\n" spelled out), not a string to unescape.
      if (this.withValues && hasValue) out.push([`${pad}${JSON.stringify(key)}: ${JSON.stringify(key === '_ws.expert.message' ? node.text : displayValue(node))}`]);
      if (node.children.length > 0) {
        const name = JSON.stringify(key + (hasValue ? '_tree' : ''));
        if (filtered) {
          out.push([`${pad}${name}: {`, `${pad}  "filtered": ${JSON.stringify(key)}`, `${pad}}`]);
        } else {
          const saved = this.filter;
          if (this.filter?.includeChildren) this.filter = undefined;
          const inner: Member[] = [];
          this.members(node.children, depth + 1, inner, expert);
          this.filter = saved;
          const member = [`${pad}${name}: {`];
          pushMembers(member, inner);
          member.push(`${pad}}`);
          out.push(member);
        }
      } else if (!hasValue && (text || this.withValues)) {
        out.push([`${pad}${JSON.stringify(key)}: ""`]);
      }
    }
  }
}

/** The day of the packet's time stamp in UTC, as -T json names the index. */
function utcDate(packet: DissectedPacket): string {
  const epoch = packet.layers[0]?.fields.find((f) => f.abbrev === 'frame.time_epoch')?.text ?? '0';
  const d = new Date(Number(epoch.split('.')[0]) * 1000);
  return `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}-${String(d.getUTCDate()).padStart(2, '0')}`;
}

/** The day of the packet's time stamp in local time, as tshark names the index ("packets-2006-12-16"). */
export function packetDate(packet: DissectedPacket): string {
  const epoch = packet.layers[0]?.fields.find((f) => f.abbrev === 'frame.time_epoch')?.text ?? '0';
  const d = new Date(Number(epoch.split('.')[0]) * 1000);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}
