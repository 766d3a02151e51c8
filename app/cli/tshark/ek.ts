/**
 * `-T ek`: tshark's newline-delimited JSON for Elasticsearch's bulk API (epan/print.c,
 * write_ek_proto_tree). Two lines per packet: an index line, then the packet, its fields
 * flattened under each protocol as `PROTOCOL_FIELD` (dots made underscores, e.g. ip_ip_src),
 * repeated fields of one parent grouped into an array, booleans as true/false.
 */
import type { DissectedPacket } from '../../dissect/model';
import { displayValue, hexValue, maskedValueHex, protoTree, type ProtoNode } from './proto-tree';
import type { ProtocolFilter } from './formats';
import { selectedFieldsEk } from './selected-fields';
import type { FieldsOptions } from './fields';

/** One packet's two lines; with `fields` (-e), only those fields' values. */
export function ekPacket(packet: DissectedPacket, frame: Buffer, filter?: ProtocolFilter, hex = false, fields?: { names: readonly string[]; occurrence: FieldsOptions['occurrence'] }): string {
  const epoch = packet.layers[0]?.fields.find((f) => f.abbrev === 'frame.time_epoch')?.text ?? '0';
  const [secs = '0', fraction = ''] = epoch.split('.');
  const index = `{"index":{"_index":"packets-${localDate(Number(secs))}","_type":"doc"}}\n`;
  let layers: string;
  if (fields) layers = selectedFieldsEk(packet, fields.names, fields.occurrence);
  else {
    const root: ProtoNode = { ...ROOT, children: protoTree(packet, frame) };
    layers = new EkWriter(filter, hex, root).object(root);
  }
  return `${index}{"timestamp":"${secs}${fraction.padEnd(3, '0').slice(0, 3)}","layers":${layers}}\n`;
}

const ROOT: ProtoNode = {
  abbrev: '', label: '', text: '', value: null, offset: 0, length: 0, hidden: false, type: 'FT_PROTOCOL', parent: '', bitmask: 0n, bytes: Buffer.alloc(0), children: [],
};

class EkWriter {
  constructor(private filter: ProtocolFilter | undefined, private readonly hex: boolean, private readonly root: ProtoNode) {}

  /** A protocol's object: its fields, subtrees flattened, grouped by parent and name (ek_fill_attr). */
  object(node: ProtoNode): string {
    const groups = new Map<string, ProtoNode[]>();
    this.collect(node, node === this.root, groups);
    const members: string[] = [];
    for (const instances of groups.values()) this.attribute(instances, members);
    return `{${members.join(',')}}`;
  }

  /** Groups are keyed by the tree parent's name and the node's (ek_fill_attr), so eth.addr under eth.src and under eth.dst are two. */
  private collect(node: ProtoNode, isRoot: boolean, groups: Map<string, ProtoNode[]>): void {
    for (const child of node.children) {
      const key = isRoot ? jsonKey(child) : `${jsonKey(node)}_${jsonKey(child)}`;
      const group = groups.get(key);
      if (group) group.push(child);
      else groups.set(key, [child]);
      if (child.type !== 'FT_PROTOCOL' && child.children.length > 0) {
        if (this.filter && !this.matches(jsonKey(child))) continue;
        const saved = this.filter;
        if (this.filter?.includeChildren) this.filter = undefined;
        this.collect(child, false, groups);
        this.filter = saved;
      }
    }
  }

  private attribute(instances: ProtoNode[], members: string[]): void {
    const first = instances[0]!;
    const name = ekName(first);
    if (this.hex && first.length > 0 && first.abbrev !== '') {
      const raws = instances.map((n) => JSON.stringify(n.bitmask !== 0n ? maskedValueHex(n) : hexValue(n)));
      members.push(`${JSON.stringify(name + '_raw')}:${raws.length > 1 ? `[${raws.join(',')}]` : raws[0]}`);
    }
    const values = instances.map((n) => this.value(n));
    members.push(`${JSON.stringify(name)}:${values.length > 1 ? `[${values.join(',')}]` : values[0]}`);
  }

  private value(node: ProtoNode): string {
    if (this.filter && !this.matches(jsonKey(node))) return `{"filtered":${JSON.stringify(jsonKey(node))}}`;
    if (node.type !== 'FT_PROTOCOL') return fieldValue(node);
    const saved = this.filter;
    if (this.filter?.includeChildren) this.filter = undefined;
    const text = this.object(node);
    this.filter = saved;
    return text;
  }

  /** ek_check_protocolfilter: a name matches as written or with its dots as underscores. */
  private matches(abbrev: string): boolean {
    const names = this.filter!.names;
    return names.includes(abbrev) || names.includes(abbrev.replace(/\./g, '_'));
  }
}

/** The name Wireshark groups a node under (hf_text_only's abbreviation is "text"). */
function jsonKey(node: ProtoNode): string {
  return node.abbrev === '' ? 'text' : node.abbrev;
}

/** ek_write_name: the parent protocol's abbreviation, '_', the field's; dots become underscores. */
function ekName(node: ProtoNode): string {
  const name = node.parent ? `${node.parent}_${node.abbrev}` : jsonKey(node);
  return name.replace(/\./g, '_');
}

function fieldValue(node: ProtoNode): string {
  if (node.abbrev === '') return JSON.stringify(node.label);
  switch (node.type) {
    case 'FT_NONE':
      return 'null';
    case 'FT_BOOLEAN':
      return node.value === true || (node.value !== false && node.text !== '0' && node.text !== '') ? 'true' : 'false';
    case 'FT_ABSOLUTE_TIME':
      return JSON.stringify(isoTime(node));
    default: {
      const shown = displayValue(node);
      return shown === null ? 'null' : JSON.stringify(shown);
    }
  }
}

/** tshark's "%FT%T.%09uZ": UTC, nine digits of nanoseconds (tshark 4.0.17 pads them). */
function isoTime(node: ProtoNode): string {
  const ns = typeof node.value === 'bigint' ? node.value : BigInt(Math.round(Number(node.value ?? 0) * 1e9));
  const secs = ns / 1_000_000_000n;
  const nanos = ns % 1_000_000_000n;
  const d = new Date(Number(secs) * 1000);
  return `${d.toISOString().slice(0, 19)}.${String(nanos).padStart(9, '0')}Z`;
}

/** strftime("%Y-%m-%d") of localtime(), as tshark names the index. */
function localDate(secs: number): string {
  const d = new Date(secs * 1000);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}
