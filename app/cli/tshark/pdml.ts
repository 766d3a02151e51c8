/**
 * `-T pdml` and `-T psml`: tshark's XML outputs (epan/print.c). PDML is the whole tree of every
 * packet, each field with its name, tree line, value, bytes and place; PSML the summary columns.
 */
import type { DissectedPacket } from '../../dissect/model';
import { exceptionLayer } from '../../dissect/exception';
import { exceptionName } from '../../dissect/short-names';
import { displayValue, hexValue, maskedValueHex, protoTree, type ProtoNode } from './proto-tree';
import { summaryColumns } from './summary';
import type { ProtocolFilter } from './formats';
import { selectedFieldsPdml } from './selected-fields';
import type { FieldsOptions } from './fields';

/** The version tshark 4.0 names itself with in the XML outputs. */
const CREATOR = 'wireshark/4.0.17';

export function pdmlPreamble(file: string | undefined, now = new Date()): string {
  return (
    '<?xml version="1.0" encoding="utf-8"?>\n' +
    '<?xml-stylesheet type="text/xsl" href="pdml2html.xsl"?>\n' +
    '<!-- You can find pdml2html.xsl in /usr/share/wireshark or at https://gitlab.com/wireshark/wireshark/-/raw/master/pdml2html.xsl. -->\n' +
    `<pdml version="0" creator="${CREATOR}" time="${asctime(now)}" capture_file="${xml(file ?? '')}">\n`
  );
}

export const PDML_FINALE = '</pdml>\n';

/** One packet's element; with `fields` (-e), geninfo and those fields' values only. */
export function pdmlPacket(packet: DissectedPacket, frame: Buffer, filter?: ProtocolFilter, fields?: { names: readonly string[]; occurrence: FieldsOptions['occurrence'] }): string {
  const out: string[] = ['<packet>\n'];
  geninfo(out, packet);
  if (fields) return `${out.join('')}${selectedFieldsPdml(packet, fields.names, fields.occurrence)}</packet>\n\n`;
  let filterNow = filter;
  const write = (item: ProtoNode, level: number, parent?: ProtoNode): void => {
    // A text item Wireshark adds to the packet's tree (ARP's "[Duplicate IP address detected for
    // …]": a layer named by its text, as JSON names it) is a text line here.
    const node = level === 0 && item.type === 'FT_PROTOCOL' && item.abbrev === item.label && item.abbrev.includes(' ') ? { ...item, abbrev: '', type: 'FT_NONE' } : item;
    // Fields (and Data) at the top are wrapped in a protocol, as PDML has only protocols there.
    const wrap = (node.type !== 'FT_PROTOCOL' || node.abbrev === 'data') && level === 0;
    let indent = '  '.repeat(level + 1);
    if (wrap) {
      out.push(`${indent}<proto name="fake-field-wrapper">\n`);
      level++;
      indent = '  '.repeat(level + 1);
    }
    // Offsets are absolute in their buffer (tshark adds a parent's start to tvb-relative ones).
    // A node without bytes sits at its parent's start (print.c: a start before the parent's is
    // taken as relative to it).
    const pos = node.noBytes ? (parent?.offset ?? 0) : node.offset;
    const hasChildren = node.children.length > 0;
    if (node.abbrev === '') {
      let line = `${indent}<field name="" show="${xml(node.label)}" size="${node.length}" pos="${pos}"`;
      if (node.length > 0) line += ` value="${hexValue(node)}"`;
      out.push(line + (hasChildren ? '>\n' : '/>\n'));
    } else if (node.abbrev === 'data' && node.type === 'FT_PROTOCOL') {
      out.push(`${indent}<field name="data" value="${hexValue(node)}">\n`);
    } else {
      // The expert item is a protocol written as a field (print.c: proto_expert).
      const tag = node.type === 'FT_PROTOCOL' && node.abbrev !== '_ws.expert' ? 'proto' : 'field';
      let line = `${indent}<${tag} name="${xml(node.abbrev)}" showname="${xml(node.label)}"`;
      if (node.hidden) line += ' hide="yes"';
      line += ` size="${node.length}" pos="${pos}"`;
      if (node.type === 'FT_NONE') line += ' show="" value=""';
      else if (node.type !== 'FT_PROTOCOL') {
        const show = displayValue(node);
        if (show !== null) line += ` show="${xml(show)}"`;
        if (node.length > 0) line += node.bitmask !== 0n ? ` value="${maskedValueHex(node)}" unmaskedvalue="${hexValue(node)}"` : ` value="${hexValue(node)}"`;
      }
      out.push(line + (hasChildren ? '>\n' : '/>\n'));
    }
    if (hasChildren) {
      // A text-only line's name in the filter is "text", as Wireshark's hf_text_only abbreviation.
      const name = node.abbrev || 'text';
      if (filterNow === undefined || filterNow.names.includes(name)) {
        const saved = filterNow;
        if (filterNow?.includeChildren) filterNow = undefined;
        for (const child of node.children) write(child, level + 1, node);
        filterNow = saved;
      } else {
        out.push(`${'  '.repeat(level + 2)}<field name="filtered" value="${xml(name)}" />\n`);
      }
      // tshark closes a field it wrapped at the wrapper's indentation.
      out.push(`${wrap ? '  '.repeat(level) : indent}</${node.type === 'FT_PROTOCOL' && node.abbrev !== 'data' && node.abbrev !== '_ws.expert' ? 'proto' : 'field'}>\n`);
    }
    if (wrap) out.push(`${'  '.repeat(level)}</proto>\n`);
  };
  for (const node of protoTree(packet, frame)) write(node, 0);
  exception(out, packet);
  out.push('</packet>\n\n');
  return out.join('');
}

/**
 * Wireshark's show_exception item after the protocols (tree.ts addException): `_ws.short` at 0, or
 * `_ws.malformed` with its expert item where the link layer's payload starts (the dissector that
 * caught the exception: 14 after an Ethernet header).
 */
function exception(out: string[], packet: DissectedPacket): void {
  const failed = exceptionLayer(packet.layers);
  if (failed === undefined) return;
  const name = exceptionName(failed);
  if (failed.status === 'truncated') {
    out.push(`  <proto name="_ws.short" showname="${xml(`[Packet size limited during capture: ${name} truncated]`)}" size="0" pos="0"/>\n`);
    return;
  }
  // FDDI and its LLC catch nothing: the frame's dissector shows the exception, at 0.
  const pos = packet.layers[1]?.protocol === 'fddi' ? 0 : packet.layers[2]?.offset ?? 0;
  out.push(
    `  <proto name="_ws.malformed" showname="${xml(`[Malformed Packet: ${name}]`)}" size="0" pos="${pos}">\n` +
      `    <field name="_ws.expert" showname="Expert Info (Error/Malformed): Malformed Packet (Exception occurred)" size="0" pos="${pos}">\n` +
      '      <field name="_ws.malformed.expert" showname="Malformed Packet (Exception occurred)" size="0" pos="0" show="" value=""/>\n' +
      '      <field name="_ws.expert.message" showname="Message: Malformed Packet (Exception occurred)" hide="yes" size="0" pos="0" show="Malformed Packet (Exception occurred)"/>\n' +
      '      <field name="_ws.expert.severity" showname="Severity level: Error" size="0" pos="0" show="8388608"/>\n' +
      '      <field name="_ws.expert.group" showname="Group: Malformed" size="0" pos="0" show="117440512"/>\n' +
      '    </field>\n' +
      `    <proto name="_ws.malformed" showname="Malformed Packet" hide="yes" size="0" pos="${pos}"/>\n` +
      '  </proto>\n',
  );
}

/** PDML's "geninfo" protocol: number, lengths and time, from the frame's fields. */
function geninfo(out: string[], packet: DissectedPacket): void {
  const frame = packet.layers[0];
  const field = (name: string) => frame?.fields.find((f) => f.abbrev === name)?.text ?? '';
  const size = frame?.length ?? 0;
  const num = packet.number;
  const len = Number(field('frame.len') || 0);
  const caplen = Number(field('frame.cap_len') || 0);
  out.push(`  <proto name="geninfo" pos="0" showname="General information" size="${size}">\n`);
  out.push(`    <field name="num" pos="0" show="${num}" showname="Number" value="${num.toString(16)}" size="${size}"/>\n`);
  out.push(`    <field name="len" pos="0" show="${len}" showname="Frame Length" value="${len.toString(16)}" size="${size}"/>\n`);
  out.push(`    <field name="caplen" pos="0" show="${caplen}" showname="Captured Length" value="${caplen.toString(16)}" size="${size}"/>\n`);
  out.push(`    <field name="timestamp" pos="0" show="${xml(field('frame.time'))}" showname="Captured Time" value="${field('frame.time_epoch')}" size="${size}"/>\n`);
  out.push('  </proto>\n');
}

// ---- PSML ----------------------------------------------------------------------------------------

const PSML_COLUMNS = ['No.', 'Time', 'Source', 'Destination', 'Protocol', 'Length', 'Info'];

export function psmlPreamble(): string {
  return `<?xml version="1.0" encoding="utf-8"?>\n<psml version="0" creator="${CREATOR}">\n<structure>\n${PSML_COLUMNS.map((c) => `<section>${xml(c)}</section>\n`).join('')}</structure>\n\n`;
}

export function psmlPacket(packet: DissectedPacket): string {
  return `<packet>\n${summaryColumns(packet).map((c) => `<section>${xml(c)}</section>\n`).join('')}</packet>\n\n`;
}

export const PSML_FINALE = '</psml>\n';

/**
 * print.c's print_escaped_xml as tshark 4.0 has it: the five XML entities, ASCII control
 * characters other than tab, CR and LF as `\x` and their hex digits (`\x1a`, `\xb`); anything
 * else as it is (UTF-8 such as PSML's '→', and line ends inside a value).
 */
export function xml(text: string): string {
  return text.replace(/[&<>"'\x01-\x08\x0b\x0c\x0e-\x1f\x7f]/g, (c) => XML_ENTITIES[c] ?? `\\x${c.charCodeAt(0).toString(16)}`);
}

const XML_ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#x27;' };

/** C's asctime() without its newline, in local time: "Fri Dec  4 18:04:55 2026". */
function asctime(d: Date): string {
  const days = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const two = (n: number) => String(n).padStart(2, '0');
  return `${days[d.getDay()]} ${months[d.getMonth()]} ${String(d.getDate()).padStart(2, ' ')} ${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())} ${d.getFullYear()}`;
}
