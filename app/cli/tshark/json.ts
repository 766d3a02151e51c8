/**
 * `-T json` output in tshark's layout: [{"_index", "_type", "_score", "_source": {"layers": {...}}}],
 * a layer per protocol; a field with children is written as `abbrev: text` plus `abbrev_tree: {...}`
 * (or `abbrev: {...}` when it has no value), a text-only line as `"its text": {...}` (DNS's
 * "Queries" and "Answers"); repeated keys are repeated, as tshark writes them.
 */
import type { DissectedPacket, Field } from '../../dissect/model';
import { displayLayers } from './nesting';
import type { ProtocolFilter } from './formats';
import { asciiFieldText } from '../../dissect/app-format';
import { colonHex } from '../../dissect/format';

/** A JSON string as tshark's json_dumper writes it: JSON's escapes, and "</" as "<\/". */
function jsonString(text: string): string {
  const json = JSON.stringify(text);
  return json.includes('</') ? json.replace(/<\//g, '<\\/') : json;
}

/**
 * A field's value as -T json writes it. -T fields writes a string's CR, LF and tab as \r, \n, \t
 * (the field's text); JSON has the string itself, with JSON's own escapes. A text that is exactly
 * its string value (or, for a string read from bytes, those bytes) so escaped is written raw.
 */
function jsonText(f: Field): string {
  const text = f.text;
  // Bytes: -T fields writes them as plain hex, -T json with a colon between bytes.
  if (Buffer.isBuffer(f.value) && text.length === f.value.length * 2 && text === f.value.toString('hex')) return colonHex(f.value);
  if (!text.includes('\\')) return text;
  const raw = text.replace(/\\[rnt]/g, (e) => (e === '\\r' ? '\r' : e === '\\n' ? '\n' : '\t'));
  if (raw === text) return text;
  if (typeof f.value === 'string' && f.value === raw) return raw;
  if (Buffer.isBuffer(f.value) && asciiFieldText(f.value) === text) return raw;
  return text;
}

export function toJson(packets: readonly DissectedPacket[], indent = '  '): string {
  const out: string[] = ['['];
  packets.forEach((packet, i) => {
    out.push(packetJson(packet, indent, 1) + (i < packets.length - 1 ? ',' : ''));
  });
  out.push(']');
  return out.join('\n') + '\n';
}

/**
 * One packet's JSON object (tshark prints these separated by ',' inside one array). With -j/-J
 * (filter), a subtree whose name is not listed is written as {"filtered": NAME}; -J keeps all of a
 * listed one.
 */
/** Indentation strings by indent unit and depth, made once. */
const PADS = new Map<string, string[]>();

/** A field name as a JSON string (names repeat in every packet: quoted once). */
const QUOTED = new Map<string, string>();
function quoted(name: string): string {
  let q = QUOTED.get(name);
  if (q === undefined) {
    q = JSON.stringify(name);
    if (QUOTED.size < 50_000) QUOTED.set(name, q);
  }
  return q;
}

export function packetJson(packet: DissectedPacket, indent = '  ', depth = 1, filter?: ProtocolFilter): string {
  let pads = PADS.get(indent);
  if (!pads) PADS.set(indent, (pads = []));
  const pad = (n: number): string => (pads[n] ??= indent.repeat(n));
  const date = packetDate(packet);
  const lines: string[] = [];
  lines.push(`${pad(depth)}{`);
  lines.push(`${pad(depth + 1)}"_index": "packets-${date}",`);
  lines.push(`${pad(depth + 1)}"_type": "doc",`);
  lines.push(`${pad(depth + 1)}"_score": null,`);
  lines.push(`${pad(depth + 1)}"_source": {`);
  lines.push(`${pad(depth + 2)}"layers": {`);
  const layers = displayLayers(packet).filter((d) => d.layer.fields.length > 0 || d.inner.length > 0 || d.layer.title !== '');
  layers.forEach(({ layer, inner, depths }, i) => {
    const roots = layer.fields.filter((f) => f.root === true);
    const more = i < layers.length - 1;
    if (layer.fields.length === roots.length && inner.length === 0) {
      // A protocol with nothing in its tree is its label (JSON's FT_PROTOCOL leaf).
      lines.push(`${pad(depth + 3)}${JSON.stringify(layer.protocol)}: ${JSON.stringify(layer.title)}${more || roots.length > 0 ? ',' : ''}`);
      if (roots.length > 0) {
        writeFields(lines, roots, depth + 3, pad);
        if (more) lines[lines.length - 1] += ',';
      }
      return;
    }
    lines.push(`${pad(depth + 3)}${JSON.stringify(layer.protocol)}: {`);
    if (filter && !filter.names.includes(layer.protocol)) {
      lines.push(`${pad(depth + 4)}"filtered": ${JSON.stringify(layer.protocol)}`, `${pad(depth + 3)}}${i < layers.length - 1 ? ',' : ''}`);
      return;
    }
    // Layers tshark shows inside this one's tree become objects among its fields.
    const fields: Field[] = layer.fields.filter((f) => f.trailing !== true && f.root !== true);
    inner.forEach((nested, k) => {
      const field: Field = { abbrev: nested.protocol, label: nested.title, value: null, text: '', offset: nested.offset, length: nested.length, children: nested.fields };
      const parent = depths[k] === 2 ? fields[fields.length - 1] : undefined;
      if (parent) parent.children = [...(parent.children ?? []), field];
      else fields.push(field);
    });
    for (const f of layer.fields) if (f.trailing === true && f.root !== true) fields.push(f);
    writeFields(lines, fields, depth + 4, pad, filter?.includeChildren ? undefined : filter);
    // Fields tshark adds to the top-level tree are members of "layers" after this one.
    lines.push(`${pad(depth + 3)}}${more || roots.length > 0 ? ',' : ''}`);
    if (roots.length > 0) {
      writeFields(lines, roots, depth + 3, pad);
      if (more) lines[lines.length - 1] += ',';
    }
  });
  lines.push(`${pad(depth + 2)}}`);
  lines.push(`${pad(depth + 1)}}`);
  lines.push(`${pad(depth)}}`);
  return lines.join('\n');
}

function writeFields(lines: string[], fields: Field[], depth: number, pad: (n: number) => string, filter?: ProtocolFilter): void {
  // Written straight into `lines`; an entry after the first puts a comma after the one before it.
  let written = 0;
  const next = (): void => {
    if (written++ > 0) lines[lines.length - 1] += ',';
  };
  for (const f of fields) {
    if (!f.abbrev) {
      // A text-only line is keyed by its text ("Queries", "Timestamps" without a generated
      // line's brackets), its children an object under it or "" when it has none, as in tshark.
      // One without a text (nothing in the tree) lends its children to the enclosing object.
      if (f.label === '') {
        if (f.children) {
          const inner: string[] = [];
          writeFields(inner, f.children, depth, pad, filter);
          if (inner.length) {
            next();
            for (const line of inner) lines.push(line);
          }
        }
        continue;
      }
      const text = /^\[.*\]$/s.test(f.label) ? f.label.slice(1, -1) : f.label;
      const key = jsonString(text);
      next();
      if (f.children && f.children.length) {
        lines.push(`${pad(depth)}${key}: {`);
        // -j filters a text line's subtree by its text, as any other key.
        if (filter && !filter.names.includes(text)) lines.push(`${pad(depth + 1)}"filtered": ${key}`);
        else writeFields(lines, f.children, depth + 1, pad, filter?.includeChildren ? undefined : filter);
        lines.push(`${pad(depth)}}`);
      } else lines.push(`${pad(depth)}${key}: ""`);
      continue;
    }
    next();
    const hasValue = f.value !== null || f.text !== '';
    if (f.children && f.children.length) {
      const key = hasValue ? `${f.abbrev}_tree` : f.abbrev;
      if (hasValue) lines.push(`${pad(depth)}${quoted(f.abbrev)}: ${jsonString(jsonText(f))},`);
      lines.push(`${pad(depth)}${quoted(key)}: {`);
      if (filter && !filter.names.includes(f.abbrev)) lines.push(`${pad(depth + 1)}"filtered": ${quoted(f.abbrev)}`);
      else writeFields(lines, f.children, depth + 1, pad, filter?.includeChildren ? undefined : filter);
      lines.push(`${pad(depth)}}`);
    } else {
      lines.push(`${pad(depth)}${quoted(f.abbrev)}: ${jsonString(jsonText(f))}`);
    }
  }
}

function packetDate(packet: DissectedPacket): string {
  const epoch = packet.layers[0]?.fields.find((f) => f.abbrev === 'frame.time_epoch')?.text ?? '0';
  const d = new Date(Number(epoch.split('.')[0]) * 1000);
  return `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}-${String(d.getUTCDate()).padStart(2, '0')}`;
}
