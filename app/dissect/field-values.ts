/**
 * The values of named fields in a dissected packet as `tshark -T fields` prints them (each
 * occurrence's text, in tree order), and the `_ws.col.*` summary columns: what -T fields and -e
 * print (app/cli/tshark/fields.ts) and what the window's columns added with Apply as Column show.
 */
import { fieldKind } from '../filter/fields';
import { exceptionLayer } from './exception';
import { exceptionName } from './short-names';
import type { DissectedPacket, Field } from './model';

/** All values of each requested field, in tree order (tshark's occurrence order). */
export function collectFields(packet: DissectedPacket, names: readonly string[]): Map<string, string[]> {
  const wanted = new Map<string, string[]>();
  for (const n of names) wanted.set(n, []);
  // Depth-first, preserving tree order.
  const visit = (fields: Field[]) => {
    for (const f of fields) {
      const out = wanted.get(f.abbrev);
      if (out) out.push(f.text === '' ? presentText(f) : f.text);
      if (f.children) visit(f.children);
    }
  };
  for (const layer of packet.layers) {
    // A protocol's own name (`-e udp`): its title, as tshark prints an FT_PROTOCOL field.
    if (layer.chainOnly !== true) wanted.get(layer.protocol)?.push(layer.title);
    visit(layer.fields);
  }
  // Wireshark's show_exception: its item after the layers (tree.ts addException), which -T fields
  // prints by its text ("[Packet size limited during capture: DNS truncated]"), and a malformed
  // packet's expert item under it, whose own field prints its name.
  if (wanted.has('_ws.short') || wanted.has('_ws.malformed')) {
    const failed = exceptionLayer(packet.layers);
    const name = failed && exceptionName(failed);
    if (failed?.status === 'truncated') wanted.get('_ws.short')?.push(`[Packet size limited during capture: ${name} truncated]`);
    else if (failed?.status === 'malformed') wanted.get('_ws.malformed')?.push(`[Malformed Packet: ${name}]`, '_ws.malformed');
  }
  if (wanted.has('_ws.expert') || wanted.has('_ws.expert.message') || wanted.has('_ws.expert.severity') || wanted.has('_ws.expert.group')) {
    const failed = exceptionLayer(packet.layers);
    if (failed !== undefined && failed.status === 'malformed') {
      wanted.get('_ws.expert')?.push('Expert Info (Error/Malformed): Malformed Packet (Exception occurred)');
      wanted.get('_ws.expert.message')?.push('Malformed Packet (Exception occurred)');
      wanted.get('_ws.expert.severity')?.push('8388608');
      wanted.get('_ws.expert.group')?.push('117440512');
    }
  }
  for (const n of names) if (n.startsWith('_ws.col.')) wanted.set(n, [columnValue(packet, n)]);
  return wanted;
}

/**
 * A field without a value, present: tshark's print.c prints "1" for an FT_NONE field (so that
 * -T fields can test for it: tcp.analysis.retransmission, http.chat) and the text of an
 * FT_PROTOCOL one (_ws.expert: "Expert Info (Note/Sequence): …", without the brackets).
 */
function presentText(f: Field): string {
  if (f.abbrev === '_ws.expert') return (typeof f.label === 'string' ? f.label : '').replace(/^\[(.*)\]$/, '$1');
  return fieldKind(f.abbrev) === 'none' ? '1' : '';
}

function columnValue(packet: DissectedPacket, name: string): string {
  const s = packet.summary;
  switch (name) {
    case '_ws.col.No.':
    case '_ws.col.number':
      return String(packet.number);
    case '_ws.col.Source':
    case '_ws.col.def_src':
      return s.source;
    case '_ws.col.Destination':
    case '_ws.col.def_dst':
      return s.destination;
    case '_ws.col.Protocol':
    case '_ws.col.protocol':
      return s.protocol;
    case '_ws.col.Length':
    case '_ws.col.packet_length':
      return String(s.length);
    case '_ws.col.Info':
    case '_ws.col.info':
      return s.info;
    default:
      return '';
  }
}

