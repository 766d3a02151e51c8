/**
 * IMF, the Internet Message Format (RFC 5322), as tshark 4.0 shows a message SMTP reassembled
 * from its DATA fragments (epan/dissectors/packet-imf.c): one field per header with Wireshark's
 * abbreviation (imf.from, imf.subject, imf.content.type, unknown headers as imf.extension), and
 * the Info column "from: …, subject: …, " in the order the headers come, followed by the media
 * types of the body tshark's media dissectors append (" (text/plain)", each part of a multipart
 * body). Address headers carry their items (display name, address) as packet-imf.c splits them;
 * a single-part body gets its media type's layer (line-based text for text/*). Left out: MIME
 * multipart bodies' parts (mime_multipart). A message without a Content-Type shows its body
 * as Message-Text lines, which tshark also appends to Info.
 *
 * The subject is also what `--export-objects imf` names the message's file after (imfSubject).
 */
import { LayerBuilder } from './builder';
import { namedTruncated, printable } from './app-format';
import type { Layer } from './model';
import { bodyLayers } from './http-body';

/** The headers tshark knows, by lowercase name: their field abbreviations and names (packet-imf.c's imf_fields). */
const HEADERS: Record<string, readonly [string, string]> = {
  'date': ['imf.date', 'Date'],
  'from': ['imf.from', 'From'],
  'sender': ['imf.sender', 'Sender'],
  'reply-to': ['imf.reply_to', 'Reply-To'],
  'to': ['imf.to', 'To'],
  'cc': ['imf.cc', 'Cc'],
  'bcc': ['imf.bcc', 'Bcc'],
  'message-id': ['imf.message_id', 'Message-ID'],
  'in-reply-to': ['imf.in_reply_to', 'In-Reply-To'],
  'references': ['imf.references', 'References'],
  'subject': ['imf.subject', 'Subject'],
  'comments': ['imf.comments', 'Comments'],
  'user-agent': ['imf.user_agent', 'User-Agent'],
  'keywords': ['imf.keywords', 'Keywords'],
  'resent-date': ['imf.resent.date', 'Resent-Date'],
  'resent-from': ['imf.resent.from', 'Resent-From'],
  'resent-sender': ['imf.resent.sender', 'Resent-Sender'],
  'resent-to': ['imf.resent.to', 'Resent-To'],
  'resent-cc': ['imf.resent.cc', 'Resent-Cc'],
  'resent-bcc': ['imf.resent.bcc', 'Resent-Bcc'],
  'resent-message-id': ['imf.resent.message_id', 'Resent-Message-ID'],
  'return-path': ['imf.return_path', 'Return-Path'],
  'received': ['imf.received', 'Received'],
  'content-type': ['imf.content.type', 'Content-Type'],
  'content-id': ['imf.content.id', 'Content-ID'],
  'content-description': ['imf.content.description', 'Content-Description'],
  'content-transfer-encoding': ['imf.content.transfer_encoding', 'Content-Transfer-Encoding'],
  'mime-version': ['imf.mime_version', 'MIME-Version'],
  'autoforwarded': ['imf.autoforwarded', 'Autoforwarded'],
  'autosubmitted': ['imf.autosubmitted', 'Autosubmitted'],
  'x400-content-identifier': ['imf.x400_content_identifier', 'X400-Content-Identifier'],
  'content-language': ['imf.content_language', 'Content-Language'],
  'conversion': ['imf.conversion', 'Conversion'],
  'conversion-with-loss': ['imf.conversion_with_loss', 'Conversion-With-Loss'],
  'delivery-date': ['imf.delivery_date', 'Delivery-Date'],
  'discarded-x400-ipms-extensions': ['imf.discarded_x400_ipms_extensions', 'Discarded-X400-IPMS-Extensions'],
  'discarded-x400-mts-extensions': ['imf.discarded_x400_mts_extensions', 'Discarded-X400-MTS-Extensions'],
  'dl-expansion-history': ['imf.dl_expansion_history', 'DL-Expansion-History'],
  'deferred-delivery': ['imf.deferred_delivery', 'Deferred-Delivery'],
  'expires': ['imf.expires', 'Expires'],
  'importance': ['imf.importance', 'Importance'],
  'incomplete-copy': ['imf.incomplete_copy', 'Incomplete-Copy'],
  'latest-delivery-time': ['imf.latest_delivery_time', 'Latest-Delivery-Time'],
  'message-type': ['imf.message_type', 'Message-Type'],
  'original-encoded-information-types': ['imf.original_encoded_information_types', 'Original-Encoded-Information-Types'],
  'originator-return-address': ['imf.originator_return_address', 'Originator-Return-Address'],
  'priority': ['imf.priority', 'Priority'],
  'reply-by': ['imf.reply_by', 'Reply-By'],
  'sensitivity': ['imf.sensitivity', 'Sensitivity'],
  'supersedes': ['imf.supersedes', 'Supersedes'],
  'x400-content-type': ['imf.x400_content_type', 'X400-Content-Type'],
  'x400-mts-identifier': ['imf.x400_mts_identifier', 'X400-MTS-Identifier'],
  'x400-originator': ['imf.x400_originator', 'X400-Originator'],
  'x400-received': ['imf.x400_received', 'X400-Received'],
  'x400-recipients': ['imf.x400_recipients', 'X400-Recipients'],
  'delivered-to': ['imf.delivered_to', 'Delivered-To'],
  'x-mailer': ['imf.ext.mailer', 'X-Mailer'],
  'thread-index': ['imf.thread-index', 'Thread-Index'],
  'lines': ['imf.lines', 'Lines'],
  'precedence': ['imf.precedence', 'Precedence'],
  'x-mimeole': ['imf.ext.mimeole', 'X-MimeOLE'],
  'expiry-date': ['imf.ext.expiry-date', 'Expiry-Date'],
  'x-ms-tnef-correlator': ['imf.ext.tnef-correlator', 'X-MS-TNEF-Correlator'],
  'x-uidl': ['imf.ext.uidl', 'X-UIDL'],
  'x-authentication-warning': ['imf.ext.authentication_warning', 'X-Authentication-Warning'],
  'x-virus-scanned': ['imf.ext.virus_scanned', 'X-Virus-Scanned'],
  'x-original-to': ['imf.ext.original-to', 'X-Original-To'],
  'sio-label': ['imf.siolabel', 'SIO-Label'],
};
/** Wireshark's Info column holds at most this many characters (COL_MAX_INFO_LEN - 1). */
const MAX_INFO = 4095;
/** The headers whose value the Info column shows (imf_fields' add_to_col_info), under these names. */
const INFO_HEADERS = new Set(['from', 'subject']);

interface Header {
  /** As written, and lowercase. */
  name: string;
  key: string;
  /** The value: after the colon and leading white space, up to the final CR LF (folds kept). */
  valueStart: number;
  valueEnd: number;
  start: number;
  /** After the header's last line, CR LF included. */
  next: number;
}

/**
 * The header section of message[start, stop) as packet-imf.c finds it: from where it stands, the
 * next colon ends a field's name (wherever it is), its value runs to the CR LF not followed by
 * white space (imf_find_field_end); an empty line after a field, or the end of the data right
 * after a CR LF, ends the fields and the body follows. Without a colon, or a field that does not
 * end, the search stops and the body is all of it (tshark then shows every byte as Message-Text).
 */
function headersOf(message: Buffer, start: number, stop: number): { headers: Header[]; body: number } {
  const headers: Header[] = [];
  let at = start;
  let end = -1;
  let lastField = false;
  while (!lastField) {
    const colon = message.indexOf(0x3a, at);
    if (colon < 0 || colon >= stop) {
      end = -1;
      break;
    }
    const name = message.toString('latin1', at, colon);
    const valueFrom = colon + 1;
    const found = fieldEnd(message, valueFrom, stop);
    end = found.end;
    if (end < 0) break;
    lastField = found.last;
    let valueStart = valueFrom;
    while (valueStart < end && isSpace(message[valueStart]!)) valueStart++;
    if (valueStart === end) valueStart = valueFrom;
    // tshark takes 2 bytes off the end for the CR LF.
    headers.push({ name, key: name.toLowerCase(), valueStart, valueEnd: Math.max(valueStart, end - 2), start: at, next: end });
    at = end;
  }
  if (lastField) end += 2;
  return { headers, body: end < 0 ? start : Math.min(end, stop) };
}

/** imf_find_field_end: past the CR LF that ends a field (-1 none); `last` when the fields end there. */
function fieldEnd(message: Buffer, offset: number, stop: number): { end: number; last: boolean } {
  while (offset < stop) {
    const cr = message.indexOf(0x0d, offset);
    if (cr < 0 || cr >= stop) break;
    offset = cr + 1;
    if (offset < stop && message[offset] === 0x0a) {
      offset++;
      if (offset >= stop) return { end: offset - 2, last: true };
      const c = message[offset];
      if (c === 0x0d) return { end: offset, last: offset + 1 < stop && message[offset + 1] === 0x0a };
      if (c !== 0x20 && c !== 0x09) return { end: offset, last: false };
    }
  }
  return { end: -1, last: false };
}

const isSpace = (c: number): boolean => c === 0x20 || (c >= 0x09 && c <= 0x0d);

function lineEnd(data: Buffer, at: number, stop: number): { textEnd: number; next: number } {
  const lf = data.indexOf(0x0a, at);
  if (lf < 0 || lf >= stop) return { textEnd: stop, next: stop };
  return { textEnd: lf > at && data[lf - 1] === 0x0d ? lf - 1 : lf, next: lf + 1 };
}

/** A Content-Type value's media type (lowercase) and its boundary parameter. */
function contentType(value: string): { type: string; boundary: string | null } {
  const type = value.split(';')[0]!.trim().toLowerCase();
  const m = /;\s*boundary\s*=\s*(?:"([^"]*)"|([^;\s]+))/i.exec(value);
  return { type, boundary: m ? (m[1] ?? m[2]!) : null };
}

/** The media types tshark's media dissectors append to Info for a body of this type: one per leaf part. */
function mediaTypes(message: Buffer, type: string, boundary: string | null, start: number, stop: number, depth = 0): string[] {
  if (!type.startsWith('multipart/')) return [type];
  if (boundary === null || depth > 8) return [];
  const delimiter = Buffer.from(`--${boundary}`, 'latin1');
  const out: string[] = [];
  let at = message.indexOf(delimiter, start);
  while (at >= 0 && at < stop) {
    const after = at + delimiter.length;
    if (message[after] === 0x2d && message[after + 1] === 0x2d) break;
    const partStart = lineEnd(message, after, stop).next;
    let next = message.indexOf(Buffer.concat([Buffer.from('\r\n'), delimiter]), partStart);
    if (next < 0 || next >= stop) next = stop;
    const { headers } = headersOf(message, partStart, next);
    const ct = headers.find((h) => h.key === 'content-type');
    if (ct) {
      const inner = contentType(message.toString('latin1', ct.valueStart, ct.valueEnd));
      const body = headersOf(message, partStart, next).body;
      out.push(...mediaTypes(message, inner.type, inner.boundary, body, next, depth + 1));
    }
    if (next >= stop) break;
    at = next + 2;
  }
  return out;
}

export interface ImfResult {
  layer: Layer;
  /** The body's layers (its media type's: data-text-lines for text), offsets in the message. */
  bodies: Layer[];
  info: string;
  /**
   * Where in `info` IMF fenced the column (col_set_fence before a Content-Type's media dissector):
   * a later message in the same frame clears only what follows it. Absent: no fence.
   */
  infoFence?: number;
}

/**
 * The IMF layer of a message SMTP reassembled (offsets are in `message`; the caller marks the
 * layer as reassembled), and tshark's Info for it.
 */
export function dissectImf(message: Buffer, selection?: ReadonlySet<string>): ImfResult {
  const b = new LayerBuilder(message, 'imf', 'Internet Message Format', 0, message.length, selection);
  const { headers, body } = headersOf(message, 0, message.length);
  let info = '';
  let media: { type: string; boundary: string | null } | null = null;
  for (const h of headers) {
    const raw = message.subarray(h.valueStart, h.valueEnd);
    const value = printable(raw);
    if (INFO_HEADERS.has(h.key)) info += `${h.key}: ${value}, `;
    // packet-imf.c takes a media type only from a Content-Type with parameters (it looks for ';').
    if (h.key === 'content-type' && raw.includes(0x3b)) media = contentType(raw.toString('latin1'));
    const known = HEADERS[h.key];
    const abbrev = known?.[0];
    // Labels carry the field's registered name (MIME-Version), not the header as written.
    const name = known?.[1] ?? h.name;
    const list = ADDRESS_HEADERS[h.key];
    if (abbrev !== undefined && list !== undefined) {
      // The value with its CR LF, as packet-imf.c hands it to the address parsers.
      // A list's line ends with its item count (one per comma, plus one).
      let count = 1;
      for (let i = h.valueStart; i < h.next; i++) if (message[i] === 0x2c) count++;
      const items = list === 'mailbox' ? '' : `, ${count} item${count === 1 ? '' : 's'}`;
      b.group(abbrev, () => namedTruncated(name, `${value}${items}`), raw.toString('latin1'), h.valueStart, h.valueEnd - h.valueStart, () => {
        if (list === 'mailbox') addMailbox(b, message, h.valueStart, h.next);
        else addList(b, message, h.valueStart, h.next, list);
      });
    } else if (h.key === 'content-type') {
      const text = raw.toString('latin1');
      const semicolon = text.indexOf(';');
      b.group(abbrev!, () => namedTruncated(name, value), text, h.valueStart, h.valueEnd - h.valueStart, () => {
        if (semicolon < 0) return;
        const type = semicolon < 0 ? text : text.slice(0, semicolon);
        b.add('imf.content.type.type', () => `Type: ${printable(Buffer.from(type, 'latin1'))}`, type, h.valueStart, type.length);
        if (semicolon >= 0) {
          const parameters = text.slice(semicolon + 1);
          b.add('imf.content.type.parameters', () => `Parameters: ${printable(Buffer.from(parameters, 'latin1'))}`, parameters, h.valueStart + semicolon + 1, parameters.length);
        }
      });
    } else if (abbrev !== undefined) {
      b.add(abbrev, () => namedTruncated(name, value), raw.toString('latin1'), h.valueStart, h.valueEnd - h.valueStart);
    } else {
      // The whole field without its CR LF, and Wireshark's note appended to the label when it fits.
      const whole = message.subarray(h.start, Math.max(h.start, h.next - 2));
      const wholeText = printable(whole);
      const note = ' (Contact Wireshark developers if you want this supported.)';
      const label = (): string => {
        const text = namedTruncated('Unknown-Extension', wholeText);
        return text.includes('[truncated]') ? text : namedTruncated('Unknown-Extension', wholeText + note);
      };
      b.group('imf.extension', label, whole.toString('latin1'), h.start, whole.length, () => {
        b.add('imf.extension.type', () => namedTruncated('Type', printable(Buffer.from(h.name, 'latin1'))), h.name, h.start, h.name.length);
        b.add('imf.extension.value', () => namedTruncated('Value', value), raw.toString('latin1'), h.valueStart, h.valueEnd - h.valueStart);
      });
    }
  }
  // The body goes to the dissector of its media type (HTTP's table: line-based text, media, …);
  // a multipart body only names its parts' types here (no mime_multipart layer).
  let bodies: Layer[] = [];
  const infoFence = media !== null ? info.length : undefined;
  if (media !== null && !media.type.startsWith('multipart/')) {
    const ct = headers.find((h) => h.key === 'content-type')!;
    const result = bodyLayers(message, body, message.length, message.toString('latin1', ct.valueStart, ct.valueEnd), false, selection);
    bodies = result.layers;
    // packet-imf.c hands the body to its media dissector with its own tree: inside IMF's.
    for (const layer of bodies) layer.nested = true;
    info += result.info;
  } else if (media !== null) {
    for (const type of mediaTypes(message, media.type, media.boundary, body, message.length)) info += ` (${type})`;
  } else {
    // No Content-Type: the body's lines as Message-Text, white space shown as spaces, each also
    // appended to Info after ", " (tshark's col_append_sep_str, after the ", " the headers left).
    b.group('imf.message_text', 'Message-Text', null, body, message.length - body, () => {
      for (let at = body; at < message.length; ) {
        // tvb_find_line_end: a line ends at LF, CR LF, or a CR alone.
        let next = at;
        while (next < message.length && message[next] !== 0x0a && message[next] !== 0x0d) next++;
        if (next < message.length) next += message[next] === 0x0d && message[next + 1] === 0x0a ? 2 : 1;
        const text = printable(Buffer.from(message.subarray(at, next).map((c) => (c === 0x09 || c === 0x0a || c === 0x0b || c === 0x0c || c === 0x0d ? 0x20 : c))));
        b.add('', text, null, at, next - at);
        // col_append_sep_str: no separator in an empty column (a message without headers).
        if (info.length < MAX_INFO) info += info ? `, ${text}` : text;
        at = next;
      }
    });
  }
  if (info.length > MAX_INFO) info = info.slice(0, MAX_INFO);
  return { layer: b.layer, bodies, info, infoFence };
}

/** The headers whose value packet-imf.c parses as addresses: a list of addresses, of mailboxes, or one mailbox. */
const ADDRESS_HEADERS: Record<string, 'address' | 'mailbox-list' | 'mailbox'> = {
  from: 'mailbox-list', sender: 'mailbox', 'reply-to': 'address', to: 'address', cc: 'address', bcc: 'address',
  'resent-from': 'mailbox-list', 'resent-sender': 'mailbox', 'resent-to': 'address', 'resent-cc': 'address', 'resent-bcc': 'address',
  'delivered-to': 'mailbox', 'x-original-to': 'address',
};

/**
 * dissect_imf_address_list / dissect_imf_mailbox_list: items at every comma (quotes are not
 * looked at), each an imf.address_list.item or imf.mailbox_list.item with its parts.
 */
function addList(b: LayerBuilder, message: Buffer, start: number, end: number, kind: 'address' | 'mailbox-list'): void {
  for (let at = start; ; ) {
    const comma = message.indexOf(0x2c, at);
    const itemEnd = comma < 0 || comma >= end ? end : comma;
    const text = message.subarray(at, itemEnd);
    const itemAt = at;
    b.group(kind === 'address' ? 'imf.address_list.item' : 'imf.mailbox_list.item', () => `Item: ${printable(text)}`, text.toString('latin1'), at, itemEnd - at, () => {
      if (kind === 'address') addAddress(b, message, itemAt, itemEnd);
      else addMailbox(b, message, itemAt, itemEnd);
    });
    if (itemEnd >= end) return;
    at = itemEnd + 1;
  }
}

/** dissect_imf_address: a group ("name: members;") or a mailbox. */
function addAddress(b: LayerBuilder, message: Buffer, start: number, end: number): void {
  const colon = message.indexOf(0x3a, start);
  if (colon < 0 || colon >= end) {
    addMailbox(b, message, start, end);
    return;
  }
  // tshark takes the group's name up to one byte before the colon; its members go under the name.
  let at = colon + 1;
  while (at < end && isSpace(message[at]!)) at++;
  const members = at < end && message[at] !== 0x3b;
  let count = 1;
  for (let i = at; members && i < end; i++) if (message[i] === 0x2c) count++;
  const name = message.subarray(start, Math.max(start, colon - 1));
  b.group('imf.display_name', () => `Display-Name: ${printable(name)}${members ? `, ${count} item${count === 1 ? '' : 's'}` : ''}`, name.toString('latin1'), start, name.length, () => {
    if (members) addList(b, message, at, end, 'mailbox-list');
  });
}

/** dissect_imf_mailbox: "Name <address>" (the name up to one byte before '<'), or an address alone. */
function addMailbox(b: LayerBuilder, message: Buffer, start: number, end: number): void {
  const open = message.indexOf(0x3c, start);
  if (open < 0 || open >= end) {
    addText(b, 'imf.address', 'Address', message, start, end);
    return;
  }
  let at = start;
  while (at < open && isSpace(message[at]!)) at++;
  if (at !== open) addText(b, 'imf.display_name', 'Display-Name', message, at, open - 1);
  const close = message.indexOf(0x3e, open + 1);
  if (close >= 0 && close < end) addText(b, 'imf.address', 'Address', message, open + 1, close);
}

function addText(b: LayerBuilder, abbrev: string, label: string, message: Buffer, start: number, end: number): void {
  const bytes = message.subarray(start, Math.max(start, end));
  b.add(abbrev, () => `${label}: ${printable(bytes)}`, bytes.toString('latin1'), start, bytes.length);
}

/**
 * The subject tshark's IMF export names a message's file after (`<subject>.eml`): the last
 * Subject header's value up to its final CR LF, as tvb_get_string_enc(ENC_ASCII) makes it (a
 * byte above 0x7f becomes U+FFFD, here its UTF-8 bytes as latin1 characters); '' without one.
 */
export function imfSubject(message: Buffer): string {
  let subject = '';
  for (const h of headersOf(message, 0, message.length).headers) {
    if (h.key !== 'subject') continue;
    // A NUL ends the C string the file name is printed from.
    const value = message.toString('latin1', h.valueStart, h.valueEnd);
    subject = value.slice(0, value.includes('\0') ? value.indexOf('\0') : value.length).replace(/[\x80-\xff]/g, '\xef\xbf\xbd');
  }
  return subject;
}
