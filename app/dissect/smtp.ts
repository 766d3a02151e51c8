/**
 * SMTP (RFC 5321; TCP 25 and 587), segment by segment as tshark 4.0 shows it: command lines
 * (smtp.command_line, smtp.req.command, smtp.req.parameter), responses (smtp.response,
 * smtp.response.code, a smtp.rsp.parameter per line) with Info "C: …" / "S: …" joining a segment's
 * lines with " | ", and after DATA and the server's 354 the client's message as "DATA fragment"
 * segments of line-based text. The segment that ends the message (its "." line, found as tshark
 * finds it) shows "C: ." (smtp.eom), the fragments it was put together from (smtp.data.fragment)
 * and the message itself as IMF (imf.ts): tshark's SMTP/IMF row. Left out: AUTH's decoded user
 * names, BDAT.
 */
import { conversationKey } from './dissector';
import { dissectSafely, LayerBuilder } from './builder';
import { formatText, printable } from './app-format';
import type { AppContext, AppDissector, AppResult, Field, Layer } from './model';
import { dissectImf } from './imf';
import { textLines } from './http-body';
import { ONE_MORE_SEGMENT } from './tcp-pdus';

export const SMTP_PORTS = [25, 587];

/** Wireshark's names of SMTP reply codes. */
const RESPONSES: Record<number, string> = {
  211: 'System status, or system help reply', 214: 'Help message', 220: '<domain> Service ready',
  221: '<domain> Service closing transmission channel', 235: 'Authentication successful', 250: 'Requested mail action okay, completed',
  251: 'User not local; will forward to <forward-path>', 252: 'Cannot VRFY user, but will accept message and attempt delivery',
  334: 'AUTH input', 354: 'Start mail input; end with <CRLF>.<CRLF>', 421: '<domain> Service not available, closing transmission channel',
  432: 'A password transition is needed', 450: 'Requested mail action not taken: mailbox unavailable',
  451: 'Requested action aborted: local error in processing', 452: 'Requested action not taken: insufficient system storage',
  454: 'Temporary authentication failed', 500: 'Syntax error, command unrecognized', 501: 'Syntax error in parameters or arguments',
  502: 'Command not implemented', 503: 'Bad sequence of commands', 504: 'Command parameter not implemented',
  530: 'Authentication required', 534: 'Authentication mechanism is too weak', 535: 'Authentication credentials invalid',
  538: 'Encryption required for requested authentication mechanism', 550: 'Requested action not taken: mailbox unavailable',
  551: 'User not local; please try <forward-path>', 552: 'Requested mail action aborted: exceeded storage allocation',
  553: 'Requested action not taken: mailbox name not allowed', 554: 'Transaction failed',
};

interface Conversation {
  /** The client said DATA and the server has not answered it yet. */
  dataAsked: boolean;
  /** Between the server's 354 and the client's "." line: the client sends the message. */
  readingData: boolean;
  /** tshark's crlf_seen: the last message segment ended with CR LF (a "." line after it ends the message). */
  crlfSeen: boolean;
  /** The message so far: its DATA fragments (frame and bytes), in order. */
  fragments: { frame: number; bytes: Buffer }[];
  /** The last frame this conversation's state moved on (a frame dissected again changes nothing). */
  lastFrame: number;
  /** Per frame that ended a message: the message and its fragments, for dissecting it again. */
  ended: Map<number, { frame: number; bytes: Buffer }[]>;
  /**
   * packet-smtp.c's smtp_state outside a message: 'start' until an AUTH command or the end of a
   * message, 'starttls' after STARTTLS until the server answers it.
   */
  state: 'start' | 'commands' | 'starttls';
  /** tshark's data_seen: a DATA command was sent (a client line that is no command is then message data). */
  dataSeen: boolean;
  /** Client segments outside a message that packet-smtp.c takes for message data (frame numbers). */
  messageFrames: Set<number>;
  /** The last frame clientMessage() moved the state on for. */
  lastDecided: number;
  /** The last server frame dissected (its STARTTLS answer is taken once). */
  lastResponse: number;
}

/** Commands of other than four letters that packet-smtp.c knows (line_is_smtp_command). */
const LONG_COMMANDS = new Set(['STARTTLS', 'X-EXPS', 'X-LINK2STATE', 'XEXCH50']);

function isCommand(word: string): boolean {
  return /^[A-Za-z]{4}$/.test(word) || LONG_COMMANDS.has(word.toUpperCase());
}

/** `tls`: the dissector a connection goes to after STARTTLS and the server's 220. */
export function createSmtpDissector(tls?: AppDissector): AppDissector {
  const conversations = new Map<string, Conversation>();
  return {
    protocol: 'smtp',
    tcpPorts: SMTP_PORTS,
    stateful: true,
    dissect: (data, offset, end, ctx) => {
      const key = conversationKey(ctx.src, ctx.srcPort, ctx.dst, ctx.dstPort);
      let conv = conversations.get(key);
      if (conv === undefined) {
        conv = { dataAsked: false, readingData: false, crlfSeen: false, fragments: [], lastFrame: 0, ended: new Map(), state: 'start', dataSeen: false, messageFrames: new Set(), lastDecided: 0, lastResponse: 0 };
        conversations.set(key, conv);
      }
      return dissectSmtp(conv, data, offset, end, ctx, tls);
    },
    // packet-smtp.c asks for one more segment while the payload's first line has no end.
    desegment: (data, offset, end) => {
      const stop = Math.min(end, data.length);
      for (let i = offset; i < stop; i++) {
        const c = data[i];
        if (c === 0x0a || (c === 0x0d && i + 1 < stop)) return { pdus: [stop - offset], need: 0 };
      }
      return { pdus: [], need: ONE_MORE_SEGMENT };
    },
  };
}

interface Line {
  start: number;
  /** Before CR LF. */
  textEnd: number;
  next: number;
}

function lines(data: Buffer, offset: number, stop: number): Line[] {
  const out: Line[] = [];
  for (let at = offset; at < stop; ) {
    const newline = data.indexOf(0x0a, at);
    const next = newline < 0 || newline >= stop ? stop : newline + 1;
    let textEnd = next;
    while (textEnd > at && (data[textEnd - 1] === 0x0a || data[textEnd - 1] === 0x0d)) textEnd--;
    out.push({ start: at, textEnd, next });
    at = next;
  }
  return out;
}

/**
 * Whether a client segment outside a message is message data to packet-smtp.c: its last line is no
 * command, and a DATA was sent before or the session has not left its start (a capture that
 * begins inside a message). Moves the session's state on as the segment's commands do.
 */
function clientMessage(conv: Conversation, data: Buffer, offset: number, stop: number, frame: number): boolean {
  if (frame <= conv.lastDecided) return conv.messageFrames.has(frame);
  conv.lastDecided = frame;
  let message = false;
  for (const line of lines(data, offset, stop)) {
    const text = data.toString('latin1', line.start, line.textEnd);
    const space = text.indexOf(' ');
    const word = space < 0 ? text : text.slice(0, space);
    if (!isCommand(word)) {
      message = conv.dataSeen || conv.state === 'start';
      continue;
    }
    message = false;
    const upper = text.toUpperCase();
    if (upper.startsWith('DATA')) conv.dataSeen = true;
    else if (upper.startsWith('AUTH LOGIN') || upper.startsWith('AUTH PLAIN') || (upper.startsWith('AUTH NTLM') && text.length > 10)) conv.state = 'commands';
    else if (upper.startsWith('STARTTLS')) conv.state = 'starttls';
  }
  if (message) conv.messageFrames.add(frame);
  return message;
}

function dissectSmtp(conv: Conversation, data: Buffer, offset: number, end: number, ctx: AppContext, tls?: AppDissector): AppResult {
  const request = SMTP_PORTS.includes(ctx.dstPort);
  const stop = Math.min(end, data.length);
  const b = new LayerBuilder(data, 'smtp', 'Simple Mail Transfer Protocol', offset, end, ctx.fields);
  const extra: Layer[] = [];
  let info = '';
  let protocolColumn = 'SMTP';
  dissectSafely(b, () => {
    const ended = conv.ended.get(ctx.frameNumber);
    const asMessage = ended === undefined && request && !conv.readingData && clientMessage(conv, data, offset, stop, ctx.frameNumber);
    if (ended !== undefined || (request && conv.readingData) || asMessage) {
      const eom = ended !== undefined || asMessage ? -1 : endOfMessage(conv, data, offset, stop);
      const fresh = ctx.frameNumber > conv.lastFrame;
      if (fresh) conv.lastFrame = ctx.frameNumber;
      if (ended === undefined && eom < 0) {
        // The message itself: shown as line-based text, kept for the segment that ends it.
        if (fresh) conv.fragments.push({ frame: ctx.frameNumber, bytes: Buffer.from(data.subarray(offset, stop)) });
        info = `C: DATA fragment, ${stop - offset} bytes`;
        // Shown inside SMTP's tree, as tshark shows it; -2 knows the frame the message ends in.
        const text = new LayerBuilder(data, 'data-text-lines', `Line-based text data (${lines(data, offset, stop).length} lines)`, offset, stop, ctx.fields);
        textLines(text, data, offset, stop).nested = true;
        extra.push(text.layer);
        const later = ctx.hindsight?.later('smtp.data.reassembled.in', ctx.frameNumber);
        if (later !== undefined) b.add('smtp.data.reassembled.in', () => `[Reassembled DATA in frame: ${later}]`, later, offset, 0).trailing = true;
        return;
      }
      let fragments = ended;
      if (fragments === undefined) {
        // The bytes before the "." line are the message's last fragment.
        fragments = eom > offset ? [...conv.fragments, { frame: ctx.frameNumber, bytes: Buffer.from(data.subarray(offset, eom)) }] : conv.fragments;
        conv.ended.set(ctx.frameNumber, fragments);
        conv.fragments = [];
        conv.readingData = false;
        conv.state = 'commands';
      }
      info = 'C: .';
      b.add('smtp.eom', 'C: .', null, Math.max(offset, eom), 3);
      if (fragments.length === 0) return;
      const message = Buffer.concat(fragments.map((f) => f.bytes));
      for (const f of fragments) if (f.frame !== ctx.frameNumber) ctx.hindsight?.link('smtp.data.reassembled.in', f.frame, ctx.frameNumber);
      fragmentTree(b, fragments, message.length);
      const imf = dissectImf(message, ctx.fields);
      for (const layer of [imf.layer, ...imf.bodies]) {
        layer.source = 'reassembled';
        layer.data = message;
        markReassembled(layer.fields);
        extra.push(layer);
      }
      info = imf.info;
      protocolColumn = 'SMTP/IMF';
      return;
    }
    const parts: string[] = [];
    /** The previous response line said more lines of its reply follow ("250-…"). */
    let continued = false;
    let response: Field | undefined;
    lines(data, offset, stop).forEach((line, k) => {
      const text = data.toString('latin1', line.start, line.textEnd);
      const raw = printable(data.subarray(line.start, line.next));
      if (request) {
        b.add('smtp.req', 'Request: True', true, line.start, 0, '1').hidden = true;
        parts.push(formatText(data.subarray(line.start, line.textEnd)));
        // packet-smtp.c: the command is the line's first four characters, the parameter what
        // follows the fifth ("STARTTLS" is "STAR" and "TLS").
        const command = text.slice(0, 4);
        // State first: a dissection that builds no fields must follow the session all the same.
        if (command.toUpperCase() === 'DATA') conv.dataAsked = true;
        b.group('smtp.command_line', () => `Command Line: ${raw}`, data.toString('latin1', line.start, line.next), line.start, line.next - line.start, () => {
          b.add('smtp.req.command', () => `Command: ${command}`, command, line.start, command.length);
          if (text.length > 5) {
            const parameter = text.slice(5);
            b.add('smtp.req.parameter', () => `Request parameter: ${parameter}`, parameter, line.start + 5, parameter.length);
          }
        }, raw);
      } else {
        if (k === 0) b.add('smtp.rsp', 'Response: True', true, line.start, 0, '1').hidden = true;
        const code = /^\d{3}/.test(text) ? Number(text.slice(0, 3)) : -1;
        const parameter = text.length > 4 ? text.slice(4) : '';
        // A reply's first line shows whole; the further lines of a multi-line reply only their text.
        const first = !continued;
        continued = text[3] === '-';
        // packet-smtp.c's Info shows a line only when it starts with a three-digit code.
        parts.push(code < 0 ? '' : formatText(data.subarray(first ? line.start : Math.min(line.start + 4, line.textEnd), line.textEnd)));
        const add = (): void => {
          if (first && code >= 0) b.add('smtp.response.code', () => `Response code: ${RESPONSES[code] ?? 'Unknown'} (${code})`, code, line.start, 3);
          if (parameter) b.add('smtp.rsp.parameter', () => `Response parameter: ${parameter}`, parameter, line.start + 4, parameter.length);
        };
        // The further lines' parameters go under the first line's item, as in tshark's tree; a
        // line without a reply code gets no item.
        if (code < 0) continued = false;
        else if (first) response = b.group('smtp.response', () => `Response: ${raw}`, data.toString('latin1', line.start, line.next), line.start, line.next - line.start, add, raw);
        else if (response?.children) b.into(response.children, add);
        else add();
        if (code >= 0 && conv.state === 'starttls' && ctx.frameNumber > conv.lastResponse) {
          // STARTTLS answered: after a 220 the connection is TLS's (ssl_starttls_ack).
          conv.state = 'commands';
          if (code === 220 && tls !== undefined && ctx.connection !== undefined) ctx.connection.heuristicApp = tls;
        }
        if (code === 354 && conv.dataAsked) {
          conv.readingData = true;
          conv.dataAsked = false;
        }
      }
    });
    if (!request && ctx.frameNumber > conv.lastResponse) conv.lastResponse = ctx.frameNumber;
    info = `${request ? 'C' : 'S'}: ${parts.join(' | ')}`;
  });
  return { layers: [b.layer, ...extra], protocolColumn, info };
}

/**
 * Where the "." line that ends the message starts in this segment, or -1 (tshark's test, line by
 * line: ".\r\n" after a CR LF that ended the previous line or segment, or "\r\n.\r\n").
 */
function endOfMessage(conv: Conversation, data: Buffer, offset: number, stop: number): number {
  const endsWithCrlf = stop - offset >= 2 && data[stop - 2] === 0x0d && data[stop - 1] === 0x0a;
  for (const line of lines(data, offset, stop)) {
    if ((conv.crlfSeen && data.toString('latin1', line.start, line.start + 3) === '.\r\n') || data.toString('latin1', line.start, line.start + 5) === '\r\n.\r\n') return line.start;
    conv.crlfSeen = endsWithCrlf;
  }
  return -1;
}

/** tshark's "[N DATA fragments (L bytes): #F(n), …]" subtree. */
function fragmentTree(b: LayerBuilder, fragments: readonly { frame: number; bytes: Buffer }[], length: number): void {
  const list = fragments.map((f) => `#${f.frame}(${f.bytes.length})`).join(', ');
  const count = fragments.length;
  // A generated item's label holds at most 239 characters (ITEM_LABEL_LENGTH); the brackets come after.
  const summary = `${count} DATA fragment${count === 1 ? '' : 's'} (${length} bytes): ${list}`.slice(0, 239);
  b.group('smtp.data.fragments', () => `[${summary}]`, null, b.layer.offset, 0, () => {
    let at = 0;
    for (const f of fragments) {
      const from = at;
      at += f.bytes.length;
      b.add('smtp.data.fragment', () => `[Frame: ${f.frame}, payload: ${from}-${at - 1} (${f.bytes.length} bytes)]`, f.frame, b.layer.offset, 0);
    }
    b.add('smtp.data.fragment.count', () => `[DATA fragment count: ${count}]`, count, b.layer.offset, 0);
    b.add('smtp.data.reassembled.length', () => `[Reassembled DATA length: ${length}]`, length, b.layer.offset, 0);
  });
}

function markReassembled(fields: readonly Field[]): void {
  for (const f of fields) {
    f.source = 'reassembled';
    if (f.children) markReassembled(f.children);
  }
}
