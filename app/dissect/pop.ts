/**
 * POP3 (RFC 1939; TCP 110) as tshark 4.0's packet-pop.c shows it, segment by segment: a request's
 * or response's first line (pop.request / pop.response, its command or +OK/-ERR indicator and the
 * rest as parameter or description), the further lines as data (pop.request.data,
 * pop.response.data), Info "C: …" / "S: …". A server segment that does not start with +OK or
 * -ERR is a "DATA fragment": after RETR or TOP answered "+OK <octets> …" the fragments are put
 * together until that many bytes came (counted from the first fragment, as tshark counts), and
 * the message is IMF on the segment that ends it (pop.data.fragment list; pop.data.reassembled.in
 * with -2); a fragment when no length is pending is a message of its own. STLS answered by
 * "+OK " hands the connection to TLS after that frame.
 */
import { conversationKey } from './dissector';
import { dissectSafely, LayerBuilder } from './builder';
import { asciiFieldText, formatText, namedTruncated, truncatedLabel } from './app-format';
import { addExpert } from './expert';
import { dissectImf } from './imf';
import type { AppContext, AppDissector, Field, Layer } from './model';

export const POP_PORT = 110;

interface Fragment {
  frame: number;
  bytes: Buffer;
}

interface Conversation {
  msgRequest: boolean;
  /** msg_read_len / msg_tot_len: bytes of the RETR/TOP message read so far and announced. */
  readLength: number;
  totalLength: number;
  stlsRequest: boolean;
  /** The message being put together (fragment_add_seq_next's fragments). */
  fragments: Fragment[];
  /** The last frame that moved the state on (a frame dissected again changes nothing). */
  lastFrame: number;
  /** Per fragment frame: whether more fragments follow it (frame_data_p->more_frags). */
  moreFragments: Map<number, boolean>;
  /** Per frame that ended a message: its fragments, for dissecting it again. */
  ended: Map<number, Fragment[]>;
  /** Responses to RETR/TOP whose length was no number (their expert, when dissected again). */
  invalidFrames: Set<number>;
  /** The frame whose "+OK " answered STLS (0 none). */
  tlsFrame: number;
}

export function createPopDissector(tls?: AppDissector): AppDissector {
  const conversations = new Map<string, Conversation>();
  return {
    protocol: 'pop',
    tcpPorts: [POP_PORT],
    stateful: true,
    dissect: (data, offset, end, ctx) => {
      const key = conversationKey(ctx.src, ctx.srcPort, ctx.dst, ctx.dstPort);
      let conv = conversations.get(key);
      if (conv === undefined) {
        conv = { msgRequest: false, readLength: 0, totalLength: 0, stlsRequest: false, fragments: [], lastFrame: 0, moreFragments: new Map(), ended: new Map(), invalidFrames: new Set(), tlsFrame: 0 };
        conversations.set(key, conv);
      }
      const result = dissectPop(conv, data, offset, end, ctx);
      if (result.startTls && tls !== undefined && ctx.connection !== undefined) ctx.connection.heuristicApp = tls;
      return result;
    },
  };
}

/** An ENC_ASCII string as tshark reads it: up to a NUL, bytes past 0x7f as U+FFFD. */
function ascii(data: Buffer, start: number, end: number): string {
  let text = '';
  for (let i = start; i < end; i++) {
    const c = data[i]!;
    if (c === 0) break;
    text += c < 0x80 ? String.fromCharCode(c) : '\ufffd';
  }
  return text;
}

/** tvb_find_line_end without desegmentation: [linelen, next offset]. */
function lineEnd(data: Buffer, offset: number, stop: number): [number, number] {
  for (let i = offset; i < stop; i++) {
    const c = data[i]!;
    if (c === 0x0a) return [i - offset, i + 1];
    if (c === 0x0d) return [i - offset, i + 1 < stop && data[i + 1] === 0x0a ? i + 2 : i + 1];
  }
  return [stop - offset, stop];
}

/** The first line as packet-pop.c copies it: a C string (strncmp and sscanf stop at a NUL). */
function cString(data: Buffer, start: number, end: number): string {
  const nul = data.indexOf(0, start);
  return data.toString('latin1', start, nul >= 0 && nul < end ? nul : end);
}

/** sscanf(line, "%*s %u %*s") == 1: the number after the first word (a %u conversion), or null. */
function announcedLength(line: string): number | null {
  const m = /^\s*\S+\s*([+-]?)(\d+)/.exec(line);
  if (m === null) return null;
  // strtoul's wrap-around for a negative or too large number.
  let value = Number(BigInt(m[2]!) & 0xffffffffn);
  if (BigInt(m[2]!) > 0xffffffffn) value = 0xffffffff;
  if (m[1] === '-') value = (0x100000000 - value) % 0x100000000;
  return value;
}

function dissectPop(conv: Conversation, data: Buffer, offset: number, end: number, ctx: AppContext): { layers: Layer[]; protocolColumn: string; info: string; startTls: boolean } {
  const stop = Math.min(end, data.length);
  const request = ctx.dstPort === POP_PORT;
  const b = new LayerBuilder(data, 'pop', 'Post Office Protocol', offset, end, ctx.fields);
  const first = ctx.frameNumber > conv.lastFrame;
  if (first) conv.lastFrame = ctx.frameNumber;
  const [firstLength, firstNext] = lineEnd(data, offset, stop);
  const line = cString(data, offset, offset + firstLength);
  const continuation = !request && !line.startsWith('+OK') && !line.startsWith('-ERR');
  let info = continuation ? `S: DATA fragment, ${end - offset} byte${end - offset === 1 ? '' : 's'}` : `${request ? 'C' : 'S'}: ${formatText(data.subarray(offset, offset + firstLength))}`;
  let protocolColumn = 'POP';
  const extra: Layer[] = [];
  let startTls = false;
  dissectSafely(b, () => {
    if (continuation) {
      let fragments = conv.ended.get(ctx.frameNumber);
      if (fragments === undefined) {
        let more = conv.moreFragments.get(ctx.frameNumber);
        if (more === undefined && first) {
          conv.readLength += end - offset;
          more = conv.readLength < conv.totalLength;
          conv.moreFragments.set(ctx.frameNumber, more);
          conv.fragments.push({ frame: ctx.frameNumber, bytes: Buffer.from(data.subarray(offset, stop)) });
          if (!more) {
            conv.ended.set(ctx.frameNumber, conv.fragments);
            fragments = conv.fragments;
            conv.fragments = [];
            // Everything read: the next message starts afresh.
            conv.readLength = 0;
            conv.totalLength = 0;
          }
        }
      }
      if (fragments === undefined) {
        // A fragment of a message still being put together: the frame that ends it, with -2.
        const later = ctx.hindsight?.later('pop.data.reassembled.in', ctx.frameNumber);
        if (later !== undefined) b.add('pop.data.reassembled.in', () => `[Reassembled DATA in frame: ${later}]`, later, offset, 0);
        return;
      }
      for (const f of fragments) if (f.frame !== ctx.frameNumber) ctx.hindsight?.link('pop.data.reassembled.in', f.frame, ctx.frameNumber);
      const single = fragments.length === 1;
      const message = single ? data.subarray(offset, stop) : Buffer.concat(fragments.map((f) => f.bytes));
      if (!single) fragmentTree(b, fragments, message.length);
      const imf = dissectImf(message, ctx.fields);
      for (const layer of [imf.layer, ...imf.bodies]) {
        if (single) {
          if (layer.data === undefined) shift(layer, offset);
        } else if (layer.data === undefined) {
          layer.source = 'reassembled';
          layer.data = message;
          markReassembled(layer.fields);
        }
        extra.push(layer);
      }
      protocolColumn = 'POP/IMF';
      info = imf.info;
      return;
    }
    const firstLine = formatText(data.subarray(offset, firstNext));
    b.group(request ? 'pop.request' : 'pop.response', () => truncatedLabel(firstLine), '', offset, firstNext - offset, () => {
      // get_token_len: up to a space, CR or LF; the spaces after it skipped.
      let tokenEnd = 0;
      while (tokenEnd < line.length && line[tokenEnd] !== ' ' && line[tokenEnd] !== '\r' && line[tokenEnd] !== '\n') tokenEnd++;
      let next = tokenEnd;
      while (next < firstLength && data[offset + next] === 0x20) next++;
      let at = offset;
      let rest = firstLength;
      if (tokenEnd !== 0) {
        addString(b, request ? 'pop.request.command' : 'pop.response.indicator', request ? 'Request command' : 'Response indicator', data, offset, tokenEnd);
        const upper = line.toUpperCase();
        if (request) {
          if (first && (upper.startsWith('RETR') || upper.startsWith('TOP'))) conv.msgRequest = true;
          if (first && upper.startsWith('STLS')) conv.stlsRequest = true;
        } else {
          if ((first && conv.msgRequest) || conv.invalidFrames.has(ctx.frameNumber)) {
            // A response to RETR or TOP: "+OK <octets> …" tells the message's length.
            if (upper.startsWith('+OK ') && firstLength > 4) {
              const length = announcedLength(line);
              if (first) {
                conv.readLength = 0;
                conv.totalLength = length ?? 0;
                if (length === null) conv.invalidFrames.add(ctx.frameNumber);
              }
              // expert_add_info on the line's item: after the indicator, in the line's subtree.
              if (length === null) addExpert(b, 'pop.response.tot_len.invalid', 'Error', 'Malformed', 'Length must be a string containing an integer', offset, firstNext - offset);
            }
            if (first) conv.msgRequest = false;
          }
          if ((first && conv.stlsRequest) || conv.tlsFrame === ctx.frameNumber) {
            if (upper.startsWith('+OK ')) {
              // ssl_starttls_ack: the frames after this one are TLS.
              startTls = true;
              if (first) conv.tlsFrame = ctx.frameNumber;
            }
            if (first) conv.stlsRequest = false;
          }
        }
        at = offset + next;
        rest = firstLength - next;
      }
      if (rest !== 0) addString(b, request ? 'pop.request.parameter' : 'pop.response.description', request ? 'Request parameter' : 'Response description', data, at, rest);
    }, '');
    for (let at = firstNext; at < stop; ) {
      const [, next] = lineEnd(data, at, stop);
      const text = formatText(data.subarray(at, next));
      b.add(request ? 'pop.request.data' : 'pop.response.data', () => truncatedLabel(text), '', at, next - at, '');
      at = next;
    }
  });
  return { layers: [b.layer, ...extra], protocolColumn, info, startTls };
}

function addString(b: LayerBuilder, abbrev: string, name: string, data: Buffer, at: number, length: number): Field {
  const value = ascii(data, at, at + length);
  return b.add(abbrev, () => namedTruncated(name, formatText(Buffer.from(value))), value, at, length, () => asciiFieldText(data.subarray(at, at + length)));
}

/** tshark's "[N DATA fragments (L bytes): #F(n), …]" subtree. */
function fragmentTree(b: LayerBuilder, fragments: readonly Fragment[], length: number): void {
  const list = fragments.map((f) => `#${f.frame}(${f.bytes.length})`).join(', ');
  const count = fragments.length;
  // A generated item's label holds at most 239 characters (ITEM_LABEL_LENGTH); the brackets come after.
  const summary = `${count} DATA fragment${count === 1 ? '' : 's'} (${length} bytes): ${list}`.slice(0, 239);
  b.group('pop.data.fragments', () => `[${summary}]`, null, b.layer.offset, 0, () => {
    let at = 0;
    for (const f of fragments) {
      const from = at;
      at += f.bytes.length;
      b.add('pop.data.fragment', () => `[Frame: ${f.frame}, payload: ${from}-${at - 1} (${f.bytes.length} bytes)]`, f.frame, b.layer.offset, 0);
    }
    b.add('pop.data.fragment.count', () => `[DATA fragment count: ${count}]`, count, b.layer.offset, 0);
    b.add('pop.data.reassembled.length', () => `[Reassembled DATA length: ${length}]`, length, b.layer.offset, 0);
  });
}

/** Moves a layer's offsets (made in a slice of the payload) to the payload's. */
function shift(layer: Layer, base: number): void {
  layer.offset += base;
  const walk = (fields: readonly Field[]): void => {
    for (const f of fields) {
      f.offset += base;
      if (f.children) walk(f.children);
    }
  };
  walk(layer.fields);
}

function markReassembled(fields: readonly Field[]): void {
  for (const f of fields) {
    f.source = 'reassembled';
    if (f.children) markReassembled(f.children);
  }
}
