/**
 * `-T json` output in tshark's layout: [{"_index", "_type", "_score", "_source": {"layers": {...}}}],
 * a layer per protocol; a field with children is written as `abbrev: text` plus `abbrev_tree: {...}`
 * (or `abbrev: {...}` when it has no value), a text-only line as `"its text": {...}` (DNS's
 * "Queries" and "Answers"); repeated keys are repeated, as tshark writes them.
 */
import type { DissectedPacket, Field } from '../../dissect/model';
import { displayLayers } from './nesting';
import { exceptionLayer } from '../../dissect/exception';
import { exceptionName } from '../../dissect/short-names';
import type { ProtocolFilter } from './formats';
import { asciiFieldText } from '../../dissect/app-format';
import { colonHex, HEX_DIGITS } from '../../dissect/format';
import { ByteOut } from '../byte-out';

/** A JSON string as tshark's json_dumper writes it: JSON's escapes, and "</" as "<\/". */
function jsonString(text: string): string {
  const json = JSON.stringify(text);
  return json.includes('</') ? json.replace(/<\//g, '<\\/') : json;
}

/**
 * A field's value as -T json writes it. -T fields writes a string's CR, LF and tab as \r, \n, \t
 * (and, in some fields, backspace and form feed as \b, \f)
 * (the field's text); JSON has the string itself, with JSON's own escapes. A text that is exactly
 * its string value (or, for a string read from bytes, those bytes) so escaped is written raw.
 */
function jsonText(f: Field): string {
  // A protocol item among fields (the hidden "Malformed Packet"): JSON shows its label, -T fields its name.
  if (f.abbrev === '_ws.malformed') return 'Malformed Packet';
  const text = f.text;
  // Bytes: -T fields writes them as plain hex, -T json with a colon between bytes.
  if (Buffer.isBuffer(f.value) && isPlainHexOf(text, f.value)) return colonHex(f.value);
  // No bytes: tshark's -T fields says <none>, its JSON "".
  if (Buffer.isBuffer(f.value) && f.value.length === 0 && text === '<none>') return '';
  if (!text.includes('\\')) return text;
  if (typeof f.value === 'string') {
    const raw = text.replace(/\\[rntbf]/g, (e) => JSON_UNESCAPES[e]!);
    if (f.value === raw) return raw;
  }
  // (asciiFieldText escapes CR, LF and tab only.)
  // The string itself: the bytes up to the first NUL, bytes above 0x7f as U+FFFD (a backslash in
  // the bytes stays one: undoing the escapes in the text would turn its "\\t" into a tab).
  if (Buffer.isBuffer(f.value) && asciiFieldText(f.value) === text) return asciiString(f.value);
  return text;
}

function asciiString(bytes: Buffer): string {
  const nul = bytes.indexOf(0);
  return bytes.toString('latin1', 0, nul < 0 ? bytes.length : nul).replace(/[\x80-\xff]/g, '\ufffd');
}

const JSON_UNESCAPES: Record<string, string> = { '\\r': '\r', '\\n': '\n', '\\t': '\t', '\\b': '\b', '\\f': '\f' };

/**
 * One packet's JSON object (tshark prints these separated by ',' inside one array). With -j/-J
 * (filter), a subtree whose name is not listed is written as {"filtered": NAME}; -J keeps all of a
 * listed one.
 */
export function packetJson(packet: DissectedPacket, indent = '  ', depth = 1, filter?: ProtocolFilter): string {
  const out = new ByteOut(1 << 12);
  writePacketJson(out, packet, indent, depth, filter);
  return out.take();
}

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

/** Writes jsonString(s): ASCII without escapes copied as it is, anything else through jsonString. */
function writeJsonString(out: ByteOut, s: string): void {
  const n = s.length;
  out.ensure(n + 2);
  const buf = out.buf;
  const start = out.used;
  let j = start;
  buf[j++] = 0x22;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c === 0x22 || c === 0x5c || c >= 0x80 || (c === 0x2f && i > 0 && s.charCodeAt(i - 1) === 0x3c)) {
      out.used = start;
      out.text(jsonString(s));
      return;
    }
    buf[j++] = c;
  }
  buf[j++] = 0x22;
  out.used = j;
}

/** Whether text is the bytes in plain lower-case hex (read without making that hex string). */
function isPlainHexOf(text: string, bytes: Buffer): boolean {
  if (text.length !== bytes.length * 2) return false;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (text.charCodeAt(2 * i) !== HEX_DIGITS[b >> 4] || text.charCodeAt(2 * i + 1) !== HEX_DIGITS[b & 15]) return false;
  }
  return true;
}

/** A field's value as jsonString(jsonText(f)) makes it; bytes as colon hex written straight from the bytes. */
function writeFieldValue(out: ByteOut, f: Field): void {
  const value = f.value;
  if (Buffer.isBuffer(value) && value.length > 16 && isPlainHexOf(f.text, value)) {
    const n = value.length;
    out.ensure(n * 3 + 2);
    const buf = out.buf;
    let j = out.used;
    buf[j++] = 0x22;
    for (let i = 0; i < n; i++) {
      const b = value[i]!;
      if (i > 0) buf[j++] = 0x3a;
      buf[j++] = HEX_DIGITS[b >> 4]!;
      buf[j++] = HEX_DIGITS[b & 15]!;
    }
    buf[j++] = 0x22;
    out.used = j;
    return;
  }
  writeJsonString(out, jsonText(f));
}

/**
 * packetJson written into `out` (the text it returns, byte for byte). Lines are separated, not
 * ended, by newlines, so that an entry's comma can follow the entry written last.
 */
export function writePacketJson(out: ByteOut, packet: DissectedPacket, indent = '  ', depth = 1, filter?: ProtocolFilter): void {
  let pads = PADS.get(indent);
  if (!pads) PADS.set(indent, (pads = []));
  const pad = (n: number): string => (pads[n] ??= indent.repeat(n));
  let first = true;
  /** Starts a line at depth d. */
  const line = (d: number): void => {
    if (first) first = false;
    else out.byte(0x0a);
    out.text(pad(d));
  };
  const comma = (): void => out.byte(0x2c);

  /** Entries at one depth share `level`: each after the first puts a comma after the one before. */
  const writeFields = (fields: Field[], d: number, filter: ProtocolFilter | undefined, level = { written: 0 }): void => {
    for (const f of fields) {
      if (!f.abbrev) {
        // A text-only line is keyed by its text ("Queries", "Timestamps" without a generated
        // line's brackets), its children an object under it or "" when it has none, as in tshark.
        // One without a text (nothing in the tree) lends its children to the enclosing object.
        if (f.label === '') {
          if (f.children) writeFields(f.children, d, filter, level);
          continue;
        }
        const text = /^\[.*\]$/s.test(f.label) ? f.label.slice(1, -1) : f.label;
        const key = jsonString(text);
        if (level.written++ > 0) comma();
        line(d);
        out.text(key);
        if (f.children && f.children.length) {
          out.text(': {');
          // -j filters a text line's subtree by its text, as any other key.
          if (filter && !filter.names.includes(text)) {
            line(d + 1);
            out.text('"filtered": ');
            out.text(key);
          } else writeFields(f.children, d + 1, filter?.includeChildren ? undefined : filter);
          line(d);
          out.byte(0x7d);
        } else out.text(': ""');
        continue;
      }
      if (level.written++ > 0) comma();
      const hasValue = f.value !== null || f.text !== '';
      if (f.children && f.children.length) {
        if (hasValue) {
          line(d);
          out.text(quoted(f.abbrev));
          out.text(': ');
          writeFieldValue(out, f);
          comma();
        }
        line(d);
        out.text(quoted(hasValue ? `${f.abbrev}_tree` : f.abbrev));
        out.text(': {');
        if (filter && !filter.names.includes(f.abbrev)) {
          line(d + 1);
          out.text('"filtered": ');
          out.text(quoted(f.abbrev));
        } else writeFields(f.children, d + 1, filter?.includeChildren ? undefined : filter);
        line(d);
        out.byte(0x7d);
      } else {
        line(d);
        out.text(quoted(f.abbrev));
        out.text(': ');
        writeFieldValue(out, f);
      }
    }
  };

  line(depth);
  out.byte(0x7b);
  line(depth + 1);
  out.text(`"_index": "packets-${packetDate(packet)}",`);
  line(depth + 1);
  out.text('"_type": "doc",');
  line(depth + 1);
  out.text('"_score": null,');
  line(depth + 1);
  out.text('"_source": {');
  line(depth + 2);
  out.text('"layers": {');
  const layers = displayLayers(packet).filter((d) => d.layer.fields.length > 0 || d.inner.length > 0 || d.layer.title !== '');
  const failed = exceptionLayer(packet.layers);
  layers.forEach(({ layer, inner, depths }, i) => {
    const roots = layer.fields.filter((f) => f.root === true);
    const more = i < layers.length - 1 || failed !== undefined;
    if (layer.fields.length === roots.length && inner.length === 0) {
      // A protocol with nothing in its tree is its label (JSON's FT_PROTOCOL leaf).
      line(depth + 3);
      out.text(JSON.stringify(layer.protocol));
      out.text(': ');
      out.text(JSON.stringify(layer.title));
      if (more || roots.length > 0) comma();
      if (roots.length > 0) {
        writeFields(roots, depth + 3, undefined);
        if (more) comma();
      }
      return;
    }
    line(depth + 3);
    out.text(JSON.stringify(layer.protocol));
    out.text(': {');
    if (filter && !filter.names.includes(layer.protocol)) {
      line(depth + 4);
      out.text('"filtered": ');
      out.text(JSON.stringify(layer.protocol));
      line(depth + 3);
      out.byte(0x7d);
      if (more) comma();
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
    writeFields(fields, depth + 4, filter?.includeChildren ? undefined : filter);
    // Fields tshark adds to the top-level tree are members of "layers" after this one.
    line(depth + 3);
    out.byte(0x7d);
    if (more || roots.length > 0) comma();
    if (roots.length > 0) {
      writeFields(roots, depth + 3, undefined);
      if (more) comma();
    }
  });
  if (failed !== undefined) {
    // Wireshark's show_exception item, a member of "layers" after the protocols (tree.ts addException).
    const name = exceptionName(failed);
    line(depth + 3);
    if (failed.status === 'truncated') out.text(`"_ws.short": ${JSON.stringify(`[Packet size limited during capture: ${name} truncated]`)}`);
    else {
      out.text('"_ws.malformed": {');
      line(depth + 4);
      out.text('"_ws.expert": {');
      for (const [k, member] of ['"_ws.malformed.expert": ""', '"_ws.expert.message": "Malformed Packet (Exception occurred)"', '"_ws.expert.severity": "8388608"', '"_ws.expert.group": "117440512"'].entries()) {
        line(depth + 5);
        out.text(member);
        if (k < 3) comma();
      }
      line(depth + 4);
      out.text('},');
      line(depth + 4);
      out.text('"_ws.malformed": "Malformed Packet"');
      line(depth + 3);
      out.byte(0x7d);
    }
  }
  line(depth + 2);
  out.byte(0x7d);
  line(depth + 1);
  out.byte(0x7d);
  line(depth);
  out.byte(0x7d);
}

function packetDate(packet: DissectedPacket): string {
  const epoch = packet.layers[0]?.fields.find((f) => f.abbrev === 'frame.time_epoch')?.text ?? '0';
  const d = new Date(Number(epoch.split('.')[0]) * 1000);
  return `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}-${String(d.getUTCDate()).padStart(2, '0')}`;
}
