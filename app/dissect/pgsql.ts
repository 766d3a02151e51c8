/**
 * PostgreSQL's frontend/backend protocol v3 (TCP 5432) as tshark 4.0's packet-pgsql.c shows it:
 * messages of a type byte and a 4-byte length (the startup, SSL, GSS-encryption and cancel
 * requests have no type byte), put together over TCP segments (tcp_dissect_pdus with 5 fixed
 * bytes). Every call on a segment or a reassembled buffer writes '>' (frontend: to port 5432) or
 * '<' in the Info column and each message adds its type letter ('<R/S/S/K/Z'). The conversation
 * remembers an SSL request, whose one-byte answer shows no tree ('S' hands the connection to TLS,
 * as ssl_starttls_ack), and the authentication the server asked for, which names the client's
 * 'p' messages (password, SASL initial/response, GSS response).
 */
import { LayerBuilder, StopDissection, dissectSafely } from './builder';
import type { AppContext, AppDissector, AppResult, Layer, PduSplit } from './model';
import { asciiFieldText, formatText, namedTruncated } from './app-format';
import { bytesHex, bytesLabelHex } from './format';
import { lengthPrefixedPdus, ONE_MORE_SEGMENT } from './tcp-pdus';

export const PGSQL_PORT = 5432;

const SSL_REQUEST = 80877103;
const CANCEL_REQUEST = 80877102;
const GSS_ENCRYPT_REQUEST = 80877104;
const STARTUP_V3 = 196608;

type AuthState = 'none' | 'sasl requested' | 'sasl continue' | 'gssapi';

interface Conn {
  sslRequested: boolean;
  auth: AuthState;
}

const FRONTEND: Readonly<Record<string, string>> = {
  p: 'Authentication message', Q: 'Simple query', P: 'Parse', B: 'Bind', E: 'Execute', D: 'Describe', C: 'Close', H: 'Flush',
  S: 'Sync', F: 'Function call', d: 'Copy data', c: 'Copy completion', f: 'Copy failure', X: 'Termination',
};
const BACKEND: Readonly<Record<string, string>> = {
  R: 'Authentication request', K: 'Backend key data', S: 'Parameter status', '1': 'Parse completion', '2': 'Bind completion',
  '3': 'Close completion', C: 'Command completion', t: 'Parameter description', T: 'Row description', D: 'Data row',
  I: 'Empty query', n: 'No data', E: 'Error', N: 'Notice', s: 'Portal suspended', Z: 'Ready for query', A: 'Notification',
  V: 'Function call response', G: 'CopyIn response', H: 'CopyOut response', d: 'Copy data', c: 'Copy completion',
  v: 'Negotiate protocol version',
};
const AUTH_TYPES: readonly string[] = [
  'Success', 'Kerberos V4', 'Kerberos V5', 'Plaintext password', 'crypt()ed password', 'MD5 password', 'SCM credentials',
  'GSSAPI', 'GSSAPI/SSPI continue', 'SSPI', 'SASL', 'SASL continue', 'SASL complete',
];
const STATUS: Readonly<Record<number, string>> = { 0x49: 'Idle', 0x54: 'In a transaction', 0x45: 'In a failed transaction' };
const FORMATS: readonly string[] = ['Text', 'Binary'];
/** The fields of an ErrorResponse or NoticeResponse, by their code letter (others are pgsql.text). */
const ERROR_FIELDS: Readonly<Record<string, [string, string]>> = {
  S: ['pgsql.severity', 'Severity'], C: ['pgsql.code', 'Code'], M: ['pgsql.message', 'Message'], D: ['pgsql.detail', 'Detail'],
  H: ['pgsql.hint', 'Hint'], P: ['pgsql.position', 'Position'], p: ['pgsql.internal_position', 'Position (Internal)'],
  q: ['pgsql.internal_query', 'Query (Internal)'], W: ['pgsql.where', 'Context'], s: ['pgsql.schema_name', 'Schema'],
  t: ['pgsql.table_name', 'Table'], c: ['pgsql.column_name', 'Column'], d: ['pgsql.type_name', 'Type'],
  n: ['pgsql.constraint_name', 'Constraint'], F: ['pgsql.file', 'File'], L: ['pgsql.line', 'Line'], R: ['pgsql.routine', 'Routine'],
};

const connKey = (ctx: AppContext): string => {
  const a = `${ctx.src}:${ctx.srcPort}`;
  const b = `${ctx.dst}:${ctx.dstPort}`;
  return a < b ? `${a}|${b}` : `${b}|${a}`;
};

/** pgsql_length: the type byte (when not 0) and the length it gives. */
function pduLength(data: Buffer, at: number): number {
  return data[at] !== 0 ? 1 + data.readUInt32BE(at + 1) : data.readUInt32BE(at);
}

export function createPgsqlDissector(tls?: AppDissector): AppDissector {
  const conns = new Map<string, Conn>();
  /** Payloads read as the answer to an SSL request, by frame and offset: whether it was 'S'. */
  const sslAnswers = new Map<string, boolean>();
  /** The authentication state each message was first dissected in (a dissection run again reads the same). */
  const seen = new Map<string, AuthState>();

  const connOf = (ctx: AppContext): Conn => {
    const key = connKey(ctx);
    let conn = conns.get(key);
    if (conn === undefined) conns.set(key, (conn = { sslRequested: false, auth: 'none' }));
    return conn;
  };
  /** dissect_pgsql's first test: the payload after an SSL request is its one-byte answer, whole. */
  const sslAnswer = (data: Buffer, offset: number, end: number, ctx: AppContext): boolean | undefined => {
    const key = `${ctx.frameNumber}:${offset}`;
    const known = sslAnswers.get(key);
    if (known !== undefined) return known;
    const conn = connOf(ctx);
    if (!conn.sslRequested || offset >= end) return undefined;
    conn.sslRequested = false;
    const willing = data[offset] === 0x53;
    sslAnswers.set(key, willing);
    return willing;
  };

  return {
    protocol: 'pgsql',
    tcpPorts: [PGSQL_PORT],
    stateful: true,
    desegment: (data, offset, end, ctx): PduSplit => {
      const stop = Math.min(end, data.length);
      if (sslAnswer(data, offset, stop, ctx) !== undefined) return { pdus: [stop - offset], need: 0 };
      const split = lengthPrefixedPdus(data, offset, stop, 5, (at) => pduLength(data, at));
      let done = offset;
      for (const length of split.pdus) done += length;
      // Fewer bytes than the type and length: tcp_dissect_pdus asks for one more segment, all of
      // which then goes into the reassembled buffer (dissected in one call).
      if (split.need > 0 && stop - done < 5) split.need = ONE_MORE_SEGMENT;
      // dissect_pgsql writes its '>' or '<' before tcp_dissect_pdus finds that nothing is whole yet.
      if (split.pdus.length === 0 && split.need !== 0) return { ...split, info: ctx.dstPort === PGSQL_PORT ? '>' : '<', infoAlways: true };
      return split;
    },
    dissect: (data, offset, end, ctx): AppResult => {
      const dir = ctx.dstPort === PGSQL_PORT ? '>' : '<';
      const willing = sslAnswer(data, offset, end, ctx);
      if (willing !== undefined) {
        // The answer adds no tree (and so no pgsql in frame.protocols); 'S': TLS from the next segment on.
        if (willing && tls !== undefined && ctx.connection !== undefined) ctx.connection.heuristicApp = tls;
        return { layers: [], protocolColumn: 'PGSQL', info: dir };
      }
      const conn = connOf(ctx);
      const layers: Layer[] = [];
      let info = ctx.laterPdu === true ? '' : dir;
      let first = ctx.laterPdu !== true;
      let at = offset;
      while (at < end) {
        const message = new PgsqlMessage(conn, seen, data, at, end, ctx);
        const layer = message.dissect();
        layers.push(layer);
        if (message.typed) {
          info += `${first ? '' : '/'}${message.letter}`;
          first = false;
        }
        if (layer.status !== 'ok') info += layer.status === 'malformed' ? '[Malformed Packet]' : '[Packet size limited during capture]';
        if (message.length <= 0) break;
        at += message.length;
      }
      // pgsql once in frame.protocols, also for a call whose only layer is an exception's.
      return { layers, protocolColumn: 'PGSQL', info, chain: layers.map((_, k) => (k === 0 ? 'pgsql' : '')) };
    },
  };
}

/** One message (dissect_pgsql_msg), or the bytes tcp_dissect_pdus found no sound length in. */
class PgsqlMessage {
  private readonly b: LayerBuilder;
  private readonly stop: number;
  private readonly fe: boolean;
  /** The message's bytes (its length with the type byte), 0 when they could not be read. */
  length = 0;
  /** Whether its type letter made it into the Info column. */
  typed = false;
  letter = '';

  constructor(
    private readonly conn: Conn,
    private readonly seen: Map<string, AuthState>,
    private readonly data: Buffer,
    private readonly offset: number,
    end: number,
    private readonly ctx: AppContext,
  ) {
    this.fe = ctx.dstPort === PGSQL_PORT;
    const length = end - offset >= 5 && data.length - offset >= 5 ? pduLength(data, offset) : 0;
    this.length = length;
    // tcp_dissect_pdus: a PDU shorter than its 5 fixed bytes is a bounds error with no tree.
    const pduEnd = length >= 5 ? Math.min(offset + length, end) : end;
    this.b = new LayerBuilder(data, 'pgsql', '', offset, pduEnd, ctx.fields);
    this.stop = pduEnd;
  }

  dissect(): Layer {
    const b = this.b;
    if (this.length < 5) {
      const cut = this.stop - this.offset >= 5 && this.data.length < this.offset + 5;
      b.mark(cut ? 'truncated' : 'malformed', cut ? 'PostgreSQL message length was not captured' : 'PostgreSQL message shorter than its type and length');
      // No PostgreSQL item in the tree (a filter on pgsql does not find it), only the exception.
      b.layer.protocol = '';
      b.layer.problemProtocol = 'pgsql';
      this.length = 0;
      return b.layer;
    }
    return dissectSafely(b, () => this.body());
  }

  private body(): void {
    const b = this.b;
    const o = this.offset;
    const type = this.data[o]!;
    let n = type !== 0 ? 1 : 0;
    const length = this.data.readUInt32BE(o + n);
    const pduKey = `${this.ctx.frameNumber}:${o}`;
    const first = !this.seen.has(pduKey);
    if (first) this.seen.set(pduKey, this.conn.auth);
    const auth = this.seen.get(pduKey)!;
    const letter = String.fromCharCode(type);
    let typestr: string;
    if (this.fe) {
      if (type === 0) {
        const tag = b.u32(o + 4, 'PostgreSQL request code');
        if (length === 16 && tag === CANCEL_REQUEST) typestr = 'Cancel request';
        else if (length === 8 && tag === SSL_REQUEST) typestr = 'SSL request';
        else if (length === 8 && tag === GSS_ENCRYPT_REQUEST) typestr = 'GSS encrypt request';
        else if (tag === STARTUP_V3) typestr = 'Startup message';
        else typestr = 'Unknown';
      } else if (type === 0x70) {
        typestr = auth === 'sasl requested' ? 'SASLInitialResponse message' : auth === 'sasl continue' ? 'SASLResponse message' : auth === 'gssapi' ? 'GSSResponse message' : 'Password message';
      } else typestr = FRONTEND[letter] ?? 'Unknown';
    } else typestr = BACKEND[letter] ?? 'Unknown';
    // The type letter goes to the Info column (a NUL type adds nothing but the separator's place).
    this.typed = true;
    // The column is UTF-8: a type byte above 0x7f shows as U+FFFD.
    this.letter = type === 0 ? '' : type >= 0x80 ? '\ufffd' : letter;
    b.title('PostgreSQL');
    b.add('pgsql.type', () => `Type: ${typestr}`, typestr, o, n);
    b.add('pgsql.length', `Length: ${length}`, length, o + n, 4);
    b.add('pgsql.frontend', `Frontend: ${this.fe ? 'True' : 'False'}`, this.fe, o, 0).hidden = true;
    n += 4;
    if (this.fe) this.frontend(type, length, o + n, first);
    else this.backend(type, length, o + n, first);
  }

  // -- readers as the tvb functions packet-pgsql.c uses ---------------------------------------

  /** tvb_strsize: the string's bytes with its NUL; a string without one stops the dissection. */
  private strsize(at: number): number {
    const limit = Math.min(this.stop, this.data.length);
    const nul = at < limit ? this.data.indexOf(0, at) : -1;
    if (nul < 0 || nul >= limit) {
      // tvb_strsize finds no NUL: past the capture when it was cut there, else past the message.
      if (this.data.length < this.stop) throw new StopDissection('truncated', 'PostgreSQL string was not captured (snap length)');
      throw new StopDissection('malformed', 'PostgreSQL string runs past the end of its message');
    }
    return nul - at + 1;
  }
  private i32(at: number): number {
    this.b.need(at, 4, 'PostgreSQL integer');
    return this.data.readInt32BE(at);
  }
  private i16(at: number): number {
    this.b.need(at, 2, 'PostgreSQL integer');
    return this.data.readInt16BE(at);
  }
  /** A proto_tree_add_item length: -1 runs to the end, other negative ones are a bounds error. */
  private span(at: number, length: number): number {
    if (length === -1) return Math.max(0, this.stop - at);
    if (length < 0) throw new StopDissection('malformed', 'PostgreSQL length below zero');
    this.b.need(at, length, 'PostgreSQL field');
    return length;
  }

  private text(abbrev: string, name: string, at: number, size: number): void {
    this.b.need(at, size, name);
    const bytes = this.data.subarray(at, at + Math.max(0, size - 1));
    const nul = bytes.indexOf(0);
    const raw = nul < 0 ? bytes : bytes.subarray(0, nul);
    const value = raw.toString('latin1').replace(/[\x80-\xff]/g, '\ufffd');
    this.b.add(abbrev, () => namedTruncated(name, formatText(Buffer.from(value, 'utf8'))), value, at, size, () => asciiFieldText(raw));
  }
  /** A NUL-terminated string with its size (tvb_strsize + proto_tree_add_item). */
  private stringz(abbrev: string, name: string, at: number): number {
    const size = this.strsize(at);
    this.text(abbrev, name, at, size);
    return size;
  }
  private bytes(abbrev: string, name: string, at: number, length: number): void {
    const n = this.span(at, length);
    const data = this.data;
    this.b.addLazy(abbrev, () => `${name}: ${bytesLabelHex(data, at, n)}`, data.subarray(at, at + n), at, n, () => bytesHex(data, at, n));
  }
  private u32(abbrev: string, name: string, at: number, value?: (v: number) => string): number {
    const v = this.b.u32(at, name);
    this.b.add(abbrev, () => `${name}: ${value ? value(v) : v}`, v, at, 4);
    return v;
  }
  private int32(abbrev: string, name: string, at: number): number {
    const v = this.i32(at);
    this.b.add(abbrev, `${name}: ${v}`, v, at, 4);
    return v;
  }
  private format(at: number, length = 2): void {
    const v = length === 1 ? this.b.u8(at) : this.b.u16(at);
    this.b.add('pgsql.format', () => `Format: ${FORMATS[v] ?? 'Unknown'} (${v})`, v, at, length);
  }
  /** A text line "Name: count" whose children `each` adds (proto_tree_add_subtree_format). */
  private counted(name: string, at: number, each: (count: number) => void): void {
    const count = this.b.u16(at, name);
    this.b.group('', `${name}: ${count}`, null, at, 2, () => each(count));
  }
  /** Parameter values (Bind, Function call): each a length and, when above 0, its data. */
  private values(at: number): number {
    this.counted('Parameter values', at, (count) => {
      at += 2;
      for (let i = 0; i < count; i++) {
        const size = this.int32('pgsql.val.length', 'Column length', at);
        at += 4;
        if (size > 0) {
          this.bytes('pgsql.val.data', 'Data', at, size);
          at += size;
        }
      }
    });
    return at;
  }
  private formats(name: string, at: number): number {
    this.counted(name, at, (count) => {
      at += 2;
      for (let i = 0; i < count; i++, at += 2) this.format(at);
    });
    return at;
  }

  // -- messages ---------------------------------------------------------------------------------

  private frontend(type: number, length: number, n: number, first: boolean): void {
    const o = this.offset;
    switch (String.fromCharCode(type)) {
      case 'p':
        switch (this.seen.get(`${this.ctx.frameNumber}:${o}`)) {
          case 'sasl requested': {
            n += this.stringz('pgsql.auth.sasl.mech', 'SASL authentication mechanism', n);
            const size = this.int32('pgsql.auth.sasl.data.length', 'SASL authentication data length', n);
            n += 4;
            if (size) this.bytes('pgsql.auth.sasl.data', 'SASL authentication data', n, size);
            break;
          }
          case 'sasl continue':
            this.bytes('pgsql.auth.sasl.data', 'SASL authentication data', n, length - 4);
            break;
          case 'gssapi':
            this.bytes('pgsql.auth.gssapi_sspi.data', 'GSSAPI or SSPI data', n, length - 4);
            break;
          default:
            this.stringz('pgsql.password', 'Password', n);
        }
        break;
      case 'Q':
        this.stringz('pgsql.query', 'Query', n);
        break;
      case 'P':
        n += this.stringz('pgsql.statement', 'Statement', n);
        n += this.stringz('pgsql.query', 'Query', n);
        this.counted('Parameters', n, (count) => {
          n += 2;
          for (let i = 0; i < count; i++, n += 4) this.u32('pgsql.oid.type', 'Type OID', n);
        });
        break;
      case 'B':
        n += this.stringz('pgsql.portal', 'Portal', n);
        n += this.stringz('pgsql.statement', 'Statement', n);
        n = this.formats('Parameter formats', n);
        n = this.values(n);
        this.formats('Result formats', n);
        break;
      case 'E': {
        n += this.stringz('pgsql.portal', 'Portal', n);
        this.u32('pgsql.returns', 'Returns', n, (v) => (v === 0 ? 'all rows' : `${v | 0} rows`));
        break;
      }
      case 'D':
      case 'C': {
        const portal = this.b.u8(n) === 0x50;
        n += 1;
        this.stringz(portal ? 'pgsql.portal' : 'pgsql.statement', portal ? 'Portal' : 'Statement', n);
        break;
      }
      case '\0': {
        const code = this.b.u32(n, 'PostgreSQL request code');
        n += 4;
        let left = length - n + o;
        if (code === STARTUP_V3) {
          this.b.add('pgsql.version_major', `Protocol major version: ${this.data.readUInt16BE(n - 4)}`, this.data.readUInt16BE(n - 4), n - 4, 2);
          this.b.add('pgsql.version_minor', `Protocol minor version: ${this.data.readUInt16BE(n - 2)}`, this.data.readUInt16BE(n - 2), n - 2, 2);
          while (left > 0) {
            const size = this.strsize(n);
            left -= size;
            if (left <= 0) break;
            this.text('pgsql.parameter_name', 'Parameter name', n, size);
            const valueSize = this.strsize(n + size);
            this.text('pgsql.parameter_value', 'Parameter value', n + size, valueSize);
            left -= valueSize;
            n += size + valueSize;
            if (left === 1 && this.b.u8(n) === 0) break;
          }
        } else if (code === SSL_REQUEST) {
          // The next payload is the server's one-byte answer.
          if (first) this.conn.sslRequested = true;
        } else if (code === CANCEL_REQUEST) {
          this.u32('pgsql.pid', 'PID', n);
          this.u32('pgsql.key', 'Key', n + 4);
        }
        break;
      }
      case 'd':
        this.bytes('pgsql.copydata', 'Copy data', n, length - (n - o) + 1);
        break;
      case 'f':
        this.stringz('pgsql.error', 'Error', n);
        break;
      case 'F':
        this.u32('pgsql.oid', 'OID', n);
        n = this.formats('Parameter formats', n + 4);
        n = this.values(n);
        this.format(n);
        break;
    }
  }

  private backend(type: number, length: number, n: number, first: boolean): void {
    const o = this.offset;
    const b = this.b;
    const setAuth = (state: AuthState): void => {
      if (first) this.conn.auth = state;
    };
    switch (String.fromCharCode(type)) {
      case 'R': {
        const auth = this.u32('pgsql.authtype', 'Authentication type', n, (v) => `${AUTH_TYPES[v] ?? 'Unknown'} (${v})`);
        switch (auth) {
          case 4:
          case 5:
            n += 4;
            this.bytes('pgsql.salt', 'Salt value', n, auth === 4 ? 2 : 4);
            break;
          case 8:
            setAuth('gssapi');
            this.bytes('pgsql.auth.gssapi_sspi.data', 'GSSAPI or SSPI data', n, length - 8);
            break;
          case 10:
            setAuth('sasl requested');
            n += 4;
            while (n - o < length) n += this.stringz('pgsql.auth.sasl.mech', 'SASL authentication mechanism', n);
            break;
          case 11:
          case 12:
            setAuth('sasl continue');
            n += 4;
            if (n - o < length) this.bytes('pgsql.auth.sasl.data', 'SASL authentication data', n, length - 8);
            break;
        }
        break;
      }
      case 'K':
        this.u32('pgsql.pid', 'PID', n);
        this.u32('pgsql.key', 'Key', n + 4);
        break;
      case 'S':
        n += this.stringz('pgsql.parameter_name', 'Parameter name', n);
        this.stringz('pgsql.parameter_value', 'Parameter value', n);
        break;
      case 't':
        this.counted('Parameters', n, (count) => {
          n += 2;
          for (let i = 0; i < count; i++, n += 4) this.u32('pgsql.oid.type', 'Type OID', n);
        });
        break;
      case 'T': {
        const count = b.u16(n, 'Field count');
        b.group('pgsql.field.count', `Field count: ${count}`, count, n, 2, () => {
          n += 2;
          for (let i = 0; i < count; i++) {
            const size = this.strsize(n);
            this.b.need(n, size, 'Column name');
            const at = n;
            const name = this.data.toString('latin1', at, at + size - 1).replace(/[\x80-\xff]/g, '\ufffd');
            b.group('pgsql.col.name', () => namedTruncated('Column name', formatText(Buffer.from(name, 'utf8'))), name, at, size, () => {
              n += size;
              this.u32('pgsql.oid.table', 'Table OID', n);
              n += 4;
              const index = b.u16(n);
              b.add('pgsql.col.index', `Column index: ${index}`, index, n, 2);
              n += 2;
              this.u32('pgsql.oid.type', 'Type OID', n);
              n += 4;
              const width = this.i16(n);
              b.add('pgsql.val.length', `Column length: ${width}`, width, n, 2);
              n += 2;
              this.int32('pgsql.col.typemod', 'Type modifier', n);
              n += 4;
              this.format(n);
              n += 2;
            }, () => asciiFieldText(this.data.subarray(at, at + size - 1)));
          }
        });
        break;
      }
      case 'D': {
        const count = b.u16(n, 'Field count');
        b.group('pgsql.field.count', `Field count: ${count}`, count, n, 2, () => {
          n += 2;
          for (let i = 0; i < count; i++) {
            const size = this.int32('pgsql.val.length', 'Column length', n);
            n += 4;
            if (size > 0) {
              this.bytes('pgsql.val.data', 'Data', n, size);
              n += size;
            }
          }
        });
        break;
      }
      case 'C':
        this.stringz('pgsql.tag', 'Tag', n);
        break;
      case 'Z': {
        const status = b.u8(n);
        b.add('pgsql.status', () => `Status: ${STATUS[status] ?? 'Unknown'} (${status})`, status, n, 1);
        break;
      }
      case 'E':
      case 'N': {
        let left = length - 4;
        while (left > 0) {
          const code = b.u8(n);
          if (code === 0) break;
          const size = this.strsize(n + 1);
          const [abbrev, name] = ERROR_FIELDS[String.fromCharCode(code)] ?? ['pgsql.text', 'Text'];
          this.b.need(n + 1, size, name);
          const raw = this.data.subarray(n + 1, n + size);
          const value = raw.toString('latin1').replace(/[\x80-\xff]/g, '\ufffd');
          b.add(abbrev, () => namedTruncated(name, formatText(Buffer.from(value, 'utf8'))), value, n, size + 1, () => asciiFieldText(raw));
          left -= size + 1;
          n += size + 1;
        }
        break;
      }
      case 'A': {
        this.u32('pgsql.pid', 'PID', n);
        n += 4;
        n += this.stringz('pgsql.condition', 'Condition', n);
        const size = this.strsize(n);
        if (size > 1) this.text('pgsql.text', 'Text', n, size);
        break;
      }
      case 'G':
      case 'H':
        this.format(n, 1);
        n += 1;
        this.counted('Columns', n, (count) => {
          n += 2;
          for (let i = count; i-- > 2; n += 2) this.format(n);
        });
        break;
      case 'd':
        this.bytes('pgsql.copydata', 'Copy data', n, length - (n - o) + 1);
        break;
      case 'V': {
        const size = this.i32(n);
        b.add('pgsql.val.length', `Column length: ${size}`, size, n, 4);
        if (size > 0) this.bytes('pgsql.val.data', 'Data', n + 4, size);
        break;
      }
      case 'v': {
        this.u32('pgsql.version_supported_minor', 'Supported minor version', n);
        n += 4;
        let options = this.int32('pgsql.number_nonsupported_options', 'Number nonsupported options', n);
        n += 4;
        while (options-- > 0) n += this.stringz('pgsql.nonsupported_option', 'Nonsupported option', n);
        break;
      }
    }
  }
}
