/**
 * MySQL (TCP 3306) as tshark 4.0's packet-mysql.c shows it: PDUs of a 3-byte little-endian
 * length and a packet number, put together over TCP segments (tcp_dissect_pdus), and the same
 * conversation state machine: the server's greeting, the client's login (user, schema, auth
 * plugin; "Response: SSL Handshake" when the client asks for TLS, after which the connection is
 * TLS's), requests (command, statement, schema, table), and responses read by the state the last
 * request left (OK, ERR, EOF, column count, field and row packets, auth switch).
 * Info as the dissector writes it, column fences included ("Response TABULAR Response  OK ").
 * Left out: the compressed protocol, prepared statements' parameters and binary rows, binlog
 * events, MariaDB's extended metadata, session-tracking entries and connection attributes
 * (their bytes are skipped, not shown).
 */
import { LayerBuilder, dissectSafely } from './builder';
import type { AppContext, AppDissector, AppResult, PduSplit } from './model';
import { bitPicture, setText } from './format';
import { formatText } from './app-format';
import { MYSQL_COLLATIONS } from './mysql-collations';

export const MYSQL_PORT = 3306;

type State =
  | 'undefined' | 'login' | 'request' | 'response OK' | 'response message' | 'tabular response'
  | 'response to SHOW FIELDS' | 'field packet' | 'row packet' | 'response to PREPARE'
  | 'authentication switch request' | 'authentication switch response';

interface Conn {
  state: State;
  srvCaps: number;
  srvCapsExt: number;
  clntCaps: number;
  clntCapsExt: number;
  mariadbServer: boolean;
  mariadbClient: boolean;
  remainingFields: number;
  frameStartSsl: number;
}

/** The Info column of one frame with Wireshark's fence: set() replaces only what follows it. */
interface Column {
  frame: number;
  fenced: string;
  open: string;
  /** The column as each PDU of the frame found it: a PDU dissected again starts from the same text. */
  starts: Map<number, [string, string]>;
}

const CAPS_LP = 0x0001, CAPS_CD = 0x0008, CAPS_CU = 0x0200, CAPS_SL = 0x0800, CAPS_SC = 0x8000;
const EXT_PA = 0x0008, EXT_ST = 0x0080, EXT_DE = 0x0100, EXT_QA = 0x0800;
const STAT_SESSION_STATE_CHANGED = 0x4000;

const COMMANDS: readonly string[] = [
  'SLEEP', 'Quit', 'Use Database', 'Query', 'Show Fields', 'Create Database', 'Drop Database', 'Refresh',
  'Shutdown', 'Statistics', 'Process List', 'Connect', 'Kill Server Thread', 'Dump Debuginfo', 'Ping', 'Time',
  'Insert Delayed', 'Change User', 'Send Binlog', 'Send Table', 'Slave Connect', 'Register Slave',
  'Prepare Statement', 'Execute Statement', 'Send BLOB', 'Close Statement', 'Reset Statement', 'Set Option',
  'Fetch Data', 'Daemon', 'Send Binlog GTID', 'Reset Connection',
];
const commandName = (c: number): string | undefined => (c === 250 ? 'Execute Bulk Statement' : COMMANDS[c]);

const CAPS: readonly [string, string, number][] = [
  ['mysql.caps.lp', 'Long Password', 0x0001], ['mysql.caps.fr', 'Found Rows', 0x0002],
  ['mysql.caps.lf', 'Long Column Flags', 0x0004], ['mysql.caps.cd', 'Connect With Database', 0x0008],
  ['mysql.caps.ns', "Don't Allow database.table.column", 0x0010], ['mysql.caps.cp', 'Can use compression protocol', 0x0020],
  ['mysql.caps.ob', 'ODBC Client', 0x0040], ['mysql.caps.li', 'Can Use LOAD DATA LOCAL', 0x0080],
  ['mysql.caps.is', "Ignore Spaces before '('", 0x0100], ['mysql.caps.cu', 'Speaks 4.1 protocol (new flag)', 0x0200],
  ['mysql.caps.ia', 'Interactive Client', 0x0400], ['mysql.caps.sl', 'Switch to SSL after handshake', 0x0800],
  ['mysql.caps.ii', 'Ignore sigpipes', 0x1000], ['mysql.caps.ta', 'Knows about transactions', 0x2000],
  ['mysql.caps.rs', 'Speaks 4.1 protocol (old flag)', 0x4000], ['mysql.caps.sc', 'Can do 4.1 authentication', 0x8000],
];
const EXTCAPS: readonly [string, string, number][] = [
  ['mysql.caps.ms', 'Multiple statements', 0x0001], ['mysql.caps.mr', 'Multiple results', 0x0002],
  ['mysql.caps.pm', 'PS Multiple results', 0x0004], ['mysql.caps.pa', 'Plugin Auth', 0x0008],
  ['mysql.caps.ca', 'Connect attrs', 0x0010], ['mysql.caps.pm', 'Plugin Auth LENENC Client Data', 0x0020],
  ['mysql.caps.ep', 'Client can handle expired passwords', 0x0040], ['mysql.caps.session_track', 'Session variable tracking', 0x0080],
  ['mysql.caps.deprecate_eof', 'Deprecate EOF', 0x0100], ['mysql.caps.optional_metadata', 'Client can hanle optional resultset metadata', 0x0200],
  ['mysql.caps.compress_zsd', 'ZSTD Compression Algorithm', 0x0400], ['mysql.caps.query_attrs', 'Query Attributes', 0x0800],
  ['mysql.caps.mf_auth', 'Multifactor Authentication', 0x1000], ['mysql.caps.cap_ext', 'Capability Extension', 0x2000],
];
const STATUS: readonly [string, string, number][] = [
  ['mysql.stat.it', 'In transaction', 0x0001], ['mysql.stat.ac', 'AUTO_COMMIT', 0x0002],
  ['mysql.stat.mu', 'Multi query / Unused', 0x0004], ['mysql.stat.mr', 'More results', 0x0008],
  ['mysql.stat.bi', 'Bad index used', 0x0010], ['mysql.stat.ni', 'No index used', 0x0020],
  ['mysql.stat.cr', 'Cursor exists', 0x0040], ['mysql.stat.lr', 'Last row sent', 0x0080],
  ['mysql.stat.dr', 'Database dropped', 0x0100], ['mysql.stat.bs', 'No backslash escapes', 0x0200],
  ['mysql.stat.mc', 'Metadata changed', 0x0400], ['mysql.stat.query_was_slow', 'Query was slow', 0x0800],
  ['mysql.stat.ps_out_params', 'PS Out Params', 0x1000], ['mysql.stat.trans_readonly', 'In Trans Readonly', 0x2000],
  ['mysql.stat.session_state_changed', 'Session state changed', 0x4000],
];
const FIELD_FLAGS: readonly [string, string, number][] = [
  ['not_null', 'Not null', 0x0001], ['primary_key', 'Primary key', 0x0002], ['unique_key', 'Unique key', 0x0004],
  ['multiple_key', 'Multiple key', 0x0008], ['blob', 'Blob', 0x0010], ['unsigned', 'Unsigned', 0x0020],
  ['zero_fill', 'Zero fill', 0x0040], ['enum', 'Enum', 0x0100], ['auto_increment', 'Auto increment', 0x0200],
  ['timestamp', 'Timestamp', 0x0400], ['set', 'Set', 0x0800],
];
const FIELD_TYPES: ReadonlyMap<number, string> = new Map([
  [0x00, 'DECIMAL'], [0x01, 'TINY'], [0x02, 'SHORT'], [0x03, 'LONG'], [0x04, 'FLOAT'], [0x05, 'DOUBLE'], [0x06, 'NULL'],
  [0x07, 'TIMESTAMP'], [0x08, 'LONGLONG'], [0x09, 'INT24'], [0x0a, 'DATE'], [0x0b, 'TIME'], [0x0c, 'DATETIME'],
  [0x0d, 'YEAR'], [0x0e, 'NEWDATE'], [0x0f, 'VARCHAR'], [0x10, 'BIT'], [0xf6, 'NEWDECIMAL'], [0xf7, 'ENUM'],
  [0xf8, 'SET'], [0xf9, 'TINY_BLOB'], [0xfa, 'MEDIUM_BLOB'], [0xfb, 'LONG_BLOB'], [0xfc, 'BLOB'], [0xfd, 'VAR_STRING'],
  [0xfe, 'STRING'], [0xff, 'GEOMETRY'],
].map(([k, v]) => [k as number, `FIELD_TYPE_${v as string}`]));
const RESPONSE_CODES: ReadonlyMap<number, string> = new Map([[0x00, 'OK Packet'], [0xff, 'ERR Packet'], [0xfe, 'EOF Packet']]);

const hex = (v: number, digits: number): string => `0x${v.toString(16).padStart(digits, '0')}`;
const collation = (v: number): string => `${MYSQL_COLLATIONS.get(v) ?? 'Unknown'} (${v})`;

export function createMysqlDissector(tls?: AppDissector): AppDissector {
  const conns = new Map<string, Conn>();
  /** The state each PDU started in, by frame and offset (Wireshark's per-frame proto data): a dissection run again reads the same. */
  const seen = new Map<string, State>();
  const column: Column = { frame: -1, fenced: '', open: '', starts: new Map() };
  return {
    protocol: 'mysql',
    fieldPrefixes: ['mariadb'],
    tcpPorts: [MYSQL_PORT],
    stateful: true,
    desegment: (data, offset, end) => mysqlPdus(data, offset, Math.min(end, data.length)),
    dissect: (data, offset, end, ctx) => {
      const a = `${ctx.src}:${ctx.srcPort}`;
      const b = `${ctx.dst}:${ctx.dstPort}`;
      const key = a < b ? `${a}|${b}` : `${b}|${a}`;
      let conn = conns.get(key);
      if (conn === undefined) {
        conn = { state: 'undefined', srvCaps: 0, srvCapsExt: 0, clntCaps: 0, clntCapsExt: 0, mariadbServer: false, mariadbClient: false, remainingFields: 0, frameStartSsl: 0 };
        conns.set(key, conn);
      }
      if (column.frame !== ctx.frameNumber) Object.assign(column, { frame: ctx.frameNumber, fenced: '', open: '', starts: new Map() });
      const start = column.starts.get(offset);
      if (start === undefined) column.starts.set(offset, [column.fenced, column.open]);
      else [column.fenced, column.open] = start;
      const pduKey = `${ctx.frameNumber}:${offset}`;
      const first = !seen.has(pduKey);
      if (first) seen.set(pduKey, conn.state);
      const result = new MysqlPdu(conn, column, seen.get(pduKey)!, first, data, offset, end, ctx).dissect();
      if (tls !== undefined && conn.frameStartSsl === ctx.frameNumber && ctx.connection !== undefined) ctx.connection.heuristicApp = tls;
      return result;
    },
  };
}

/** tcp_dissect_pdus with a 3-byte fixed part: each PDU is 4 bytes of header and the length they give. */
export function mysqlPdus(data: Buffer, offset: number, end: number): PduSplit {
  const split: PduSplit = { pdus: [], need: 0, replaceInfo: true };
  let at = offset;
  while (at < end) {
    if (end - at < 3) {
      split.need = 3 - (end - at);
      return split;
    }
    const length = 4 + data.readUIntLE(at, 3);
    if (end - at < length) {
      split.need = length - (end - at);
      return split;
    }
    split.pdus.push(length);
    split.sizedPdus = split.pdus.length;
    at += length;
  }
  return split;
}

class MysqlPdu {
  private readonly b: LayerBuilder;
  private readonly stop: number;
  private title = 'MySQL Protocol';

  constructor(
    private readonly conn: Conn,
    private readonly col: Column,
    private readonly current: State,
    private readonly first: boolean,
    private readonly data: Buffer,
    private readonly offset: number,
    end: number,
    private readonly ctx: AppContext,
  ) {
    this.b = new LayerBuilder(data, 'mysql', 'MySQL Protocol', offset, end, ctx.fields);
    this.stop = Math.min(end, data.length);
  }

  dissect(): AppResult {
    const layer = dissectSafely(this.b, () => this.body());
    this.b.title(this.title);
    return { layers: [layer], protocolColumn: 'MySQL', info: this.col.fenced + this.col.open };
  }

  // Info column: col_set_str, col_append_str, col_set_fence.
  private set(text: string): void {
    this.col.open = text;
  }
  private append(text: string): void {
    this.col.open += text;
  }
  private fence(): void {
    this.col.fenced += this.col.open;
    this.col.open = '';
  }
  private setState(state: State): void {
    if (this.first) this.conn.state = state;
  }
  private appendTitle(state: string): void {
    this.title += ` - ${state}`;
  }

  private body(): void {
    const b = this.b;
    let at = this.offset;
    const length = this.le(at, 3);
    b.add('mysql.packet_length', `Packet Length: ${length}`, length, at, 3);
    at += 3;
    const number = b.u8(at);
    b.add('mysql.packet_number', `Packet Number: ${number}`, number, at, 1);
    at += 1;
    const response = this.ctx.dstPort !== MYSQL_PORT;
    if (response) {
      if (number === 0 && this.current === 'undefined') {
        this.set('Server Greeting ');
        at = this.greeting(at);
      } else {
        this.set('Response ');
        at = this.response(at);
      }
    } else if (this.current === 'login' && number === 1) {
      this.set('Login Request');
      at = this.login(at);
    } else {
      this.set('Request');
      at = this.request(at);
    }
    if (at < this.stop) b.add('mysql.payload', () => `Payload: ${this.data.toString('hex', at, this.stop)}`, this.data.subarray(at, this.stop), at, this.stop - at, () => this.data.toString('hex', at, this.stop));
  }

  private le(at: number, n: number): number {
    this.b.need(at, n, 'MySQL field');
    return this.data.readUIntLE(at, n);
  }

  /** tvb_strsize: up to and with the NUL; stops the dissection when there is none. */
  private strsize(at: number): number {
    const nul = this.data.indexOf(0, at);
    if (nul < 0 || nul >= this.stop) this.b.need(at, this.stop - at + 1, 'MySQL string');
    return nul - at + 1;
  }
  /** my_tvb_strsize: up to and with the NUL, or the rest of the PDU. */
  private mySize(at: number): number {
    const nul = this.data.indexOf(0, at);
    return nul < 0 || nul >= this.stop ? this.stop - at : nul - at + 1;
  }
  private str(at: number, n: number): string {
    const bytes = this.data.subarray(at, Math.min(at + n, this.stop));
    const nul = bytes.indexOf(0);
    return formatText(nul < 0 ? bytes : bytes.subarray(0, nul));
  }
  private addString(abbrev: string, name: string, at: number, n: number): string {
    this.b.need(at, n, name);
    const text = this.str(at, n);
    this.b.add(abbrev, () => `${name}: ${text}`, text, at, n);
    return text;
  }
  private addBytes(abbrev: string, name: string, at: number, n: number): void {
    this.b.need(at, n, name);
    const bytes = this.data.subarray(at, at + n);
    this.b.add(abbrev, () => `${name}: ${bytes.toString('hex')}`, bytes, at, n, () => bytes.toString('hex'));
  }
  private flags16(abbrev: string, name: string, at: number, flags: readonly [string, string, number][], unused?: number): number {
    const v = this.le(at, 2);
    this.b.group(abbrev, () => `${name}: ${hex(v, 4)}`, v, at, 2, () => {
      for (const [abbrev2, label, mask] of flags) this.b.add(abbrev2, () => `${bitPicture(v, mask, 16)} = ${label}: ${setText((v & mask) !== 0)}`, (v & mask) !== 0, at, 2, (v & mask) !== 0 ? '1' : '0');
      if (unused !== undefined) this.b.add('mysql.caps.unused', () => `${bitPicture(v, unused, 16)} = Unused: 0x${((v & unused) >>> 14).toString(16)}`, (v & unused) >>> 14, at, 2, hex((v & unused) >>> 14, 4));
    }, hex(v, 4));
    return v;
  }
  private serverStatus(at: number): number {
    return this.flags16('mysql.server_status', 'Server Status', at, STATUS);
  }

  /** tvb_get_fle: a length-encoded integer with its Prefix and Length items. */
  private fle(at: number): { value: number; size: number; isNull: boolean } {
    const prefix = this.b.u8(at);
    let size = 1;
    let lenLen = 1;
    let note = '';
    let isNull = false;
    if (prefix === 251) {
      this.b.add('mariadb.prefix', `Prefix: ${prefix}(NULL)`, prefix, at, 1);
      isNull = true;
    } else {
      if (prefix === 252) [size, lenLen, note] = [3, 2, ' Length in following 2 bytes'];
      else if (prefix === 253) [size, lenLen, note] = [4, 3, ' Length in following 3 bytes'];
      else if (prefix === 254) [size, lenLen, note] = [9, 8, ' Length in following 8 bytes'];
      this.b.add('mariadb.prefix', `Prefix: ${prefix}${note}`, prefix, at, 1);
    }
    if (isNull) return { value: 0, size: 1, isNull };
    const lenAt = size === 1 ? at : at + 1;
    const value = lenLen === 8 ? Number(this.leBig(lenAt)) : this.le(lenAt, lenLen);
    this.b.add('mariadb.length', `Length: ${value}`, value, lenAt, lenLen);
    return { value, size, isNull };
  }
  private leBig(at: number): bigint {
    this.b.need(at, 8, 'MySQL length');
    return this.data.readBigUInt64LE(at);
  }
  /** mysql_field_add_lestring: a subtree named after the field with the length and the string. */
  private lestring(abbrev: string, name: string, at: number): number {
    const start = at;
    const group = this.b.group('', name, null, at, 0, () => {
      const { value, size, isNull } = this.fle(at);
      at += size;
      if (isNull) this.b.add(abbrev, `${name}: NULL`, 'NULL', at, 0);
      else at += this.addStringLen(abbrev, name, at, value);
    });
    group.length = at - start;
    return at;
  }
  private addStringLen(abbrev: string, name: string, at: number, n: number): number {
    this.addString(abbrev, name, at, n);
    return n;
  }

  private greeting(at: number): number {
    const b = this.b;
    const conn = this.conn;
    const protocol = b.u8(at);
    if (protocol === 0xff) return this.error(at + 1);
    this.setState('login');
    b.group('mysql.server_greeting', 'Server Greeting', null, at, this.stop - at, () => {
      this.append(` proto=${protocol}`);
      b.add('mysql.protocol', `Protocol: ${protocol}`, protocol, at, 1);
      at += 1;
      let n = this.strsize(at);
      const version = this.str(at, n);
      if (n > 6 && version.startsWith('5.5.5-')) {
        conn.mariadbServer = true;
        this.append(` version=${version.slice(6)} `);
      } else this.append(` version=${version} `);
      this.fence();
      b.add('mysql.version', `Version: ${version}`, version, at, n);
      at += n;
      const thread = this.le(at, 4);
      b.add('mysql.thread_id', `Thread ID: ${thread}`, thread, at, 4);
      at += 4;
      n = this.strsize(at);
      this.addString('mysql.salt', 'Salt', at, n);
      at += n;
      if (at >= this.stop) return;
      conn.srvCaps = this.flags16('mysql.caps.server', 'Server Capabilities', at, CAPS);
      at += 2;
      if (!(conn.srvCaps & CAPS_LP)) conn.mariadbServer = true;
      if (at >= this.stop) return;
      const language = b.u8(at);
      b.add(conn.mariadbServer ? 'mariadb.server_language' : 'mysql.server_language', () => `Server Language: ${collation(language)}`, language, at, 1);
      at += 1;
      this.serverStatus(at);
      at += 2;
      conn.srvCapsExt = this.flags16('mysql.extcaps.server', 'Extended Server Capabilities', at, EXTCAPS, 0xc000);
      at += 2;
      const pluginLength = b.u8(at);
      b.add('mysql.auth_plugin.length', `Authentication Plugin Length: ${pluginLength}`, pluginLength, at, 1);
      at += 1;
      if (conn.mariadbServer) {
        this.addBytes('mysql.unused', 'Unused', at, 6);
        at += 6 + 4;
      } else {
        this.addBytes('mysql.unused', 'Unused', at, 10);
        at += 10;
      }
      if (at < this.stop) {
        n = this.strsize(at);
        this.addString('mysql.salt2', 'Salt', at, n);
        at += n;
      }
      if (at < this.stop) {
        n = this.strsize(at);
        this.addString('mysql.auth_plugin', 'Authentication Plugin', at, n);
        at += n;
      }
    });
    return at;
  }

  private login(at: number): number {
    const b = this.b;
    const conn = this.conn;
    if (conn.clntCaps & CAPS_SL) this.setState('login');
    else if (conn.clntCaps !== 0) this.setState('response OK');
    b.group('mysql.login_request', 'Login Request', null, at, this.stop - at, () => {
      conn.clntCaps = this.flags16('mysql.caps.client', 'Client Capabilities', at, CAPS);
      at += 2;
      if (!(conn.clntCaps & CAPS_LP)) conn.mariadbClient = true;
      if (!conn.frameStartSsl && conn.clntCaps & CAPS_SL) {
        this.set('Response: SSL Handshake');
        conn.frameStartSsl = this.ctx.frameNumber;
      }
      if (conn.clntCaps & CAPS_CU) {
        conn.clntCapsExt = this.flags16('mysql.extcaps.client', 'Extended Client Capabilities', at, EXTCAPS, 0xc000);
        at += 2;
        const max = this.le(at, 4);
        b.add('mysql.max_packet', `MAX Packet: ${max}`, max, at, 4);
        at += 4;
        const charset = b.u8(at);
        b.add(conn.mariadbServer ? 'mariadb.charset' : 'mysql.charset', () => `Charset: ${collation(charset)}`, charset, at, 1);
        at += 1;
        if (conn.mariadbClient) {
          this.addBytes('mysql.unused', 'Unused', at, 19);
          at += 19 + 4;
        } else {
          this.addBytes('mysql.unused', 'Unused', at, 23);
          at += 23;
        }
      } else {
        const max = this.le(at, 3);
        b.add('mysql.max_packet', `MAX Packet: ${max}`, max, at, 3);
        at += 3;
      }
      let n = this.mySize(at);
      const user = this.str(at, n);
      this.append(` user=${user} `);
      this.addString('mysql.user', 'Username', at, n);
      at += n;
      if (at >= this.stop) {
        this.fence();
        return;
      }
      if (conn.clntCaps & CAPS_SC) {
        n = b.u8(at);
        at += 1;
      } else n = this.mySize(at);
      if (n > 1) this.addBytes('mysql.passwd', 'Password', at, n);
      at += n;
      if (conn.clntCaps & CAPS_CD) {
        n = this.mySize(at);
        const schema = this.str(at, n);
        this.append(`db=${schema} `);
        this.fence();
        this.addString('mysql.schema', 'Schema', at, n);
        at += n;
      }
      if (conn.clntCapsExt & EXT_PA) {
        this.setState('authentication switch request');
        n = this.mySize(at);
        this.addString('mysql.client_auth_plugin', 'Client Auth Plugin', at, n);
        at += n;
      }
      // Connection attributes and the zstd level: skipped, not shown.
      at = this.stop;
    });
    return at;
  }

  private request(at: number): number {
    const b = this.b;
    const conn = this.conn;
    if (this.current === 'authentication switch response') return this.authSwitchResponse(at);
    const opcode = b.u8(at);
    const name = commandName(opcode);
    this.append(` ${name ?? `Unknown (${opcode}) `}`);
    b.group('mysql.request', `Request Command ${name ?? `Unknown (${opcode})`}`, null, at, this.stop - at, () => {
      b.add('mysql.command', `Command: ${name ?? 'Unknown'} (${opcode})`, opcode, at, 1);
      at += 1;
      let n: number;
      switch (opcode) {
        case 1:
          break;
        case 10:
          this.setState('tabular response');
          break;
        case 13:
        case 14:
          this.setState('response OK');
          break;
        case 9:
          this.setState('response message');
          break;
        case 2:
        case 5:
        case 6:
          n = this.mySize(at);
          this.addString('mysql.schema', 'Schema', at, n);
          at += n;
          this.setState('response OK');
          break;
        case 3:
          if (conn.clntCapsExt & EXT_QA && conn.srvCapsExt & EXT_QA) {
            // Query attributes: only their count (the attributes themselves are skipped).
            const count = b.u8(at);
            b.group('mysql.query_attributes', 'Query Attributes', null, at, 2, () => b.add('mysql.query_attributes.count', `Count: ${count}`, count, at, 1));
            at += 2;
            if (count > 0) {
              at = this.stop;
              break;
            }
          }
          n = this.mySize(at);
          this.addString('mysql.query', 'Statement', at, n);
          at += n;
          this.setState('tabular response');
          break;
        case 22:
          n = this.mySize(at);
          this.addString('mysql.query', 'Statement', at, n);
          at += n;
          this.setState('response to PREPARE');
          break;
        case 4:
          n = this.mySize(at);
          this.addString('mysql.table_name', 'Table Name', at, n);
          at += n;
          this.setState('response to SHOW FIELDS');
          break;
        case 17:
          n = this.strsize(at);
          this.addString('mysql.user', 'Username', at, n);
          at += n;
          at = this.stop;
          this.setState(conn.clntCapsExt & EXT_PA ? 'authentication switch request' : 'response OK');
          break;
        case 7:
        case 8:
        case 27:
        case 12:
        case 26:
          this.setState('response OK');
          at = this.stop;
          break;
        default:
          // Other commands (prepared statements, binlog): their bytes are not decoded here.
          at = this.stop;
          this.setState('request');
      }
    });
    return at;
  }

  private response(at: number): number {
    const b = this.b;
    const conn = this.conn;
    const current = this.current;
    const code = b.u8(at);
    const codeField = (): void => {
      b.add('mysql.response_code', () => `Response Code: ${RESPONSE_CODES.get(code) ?? 'Unknown'} (${hex(code, 2)})`, code, at, 1, hex(code, 2));
    };
    if (code === 0xff) {
      codeField();
      this.appendTitle('response ERROR');
      at = this.error(at + 1);
      this.setState('request');
      return at;
    }
    if (code === 0xfe) {
      codeField();
      b.add('mysql.eof', `EOF marker: ${code}`, code, at, 1);
      at += 1;
      const left = this.stop - at;
      if (left <= 5) {
        const warnings = this.le(at, 2);
        b.add('mysql.warnings', `Warnings: ${warnings}`, warnings, at, 2);
        this.serverStatus(at + 2);
        at = this.stop;
        if (current === 'field packet') {
          this.appendTitle('intermediate EOF');
          this.setState('row packet');
        } else {
          this.appendTitle('response EOF');
          this.setState('request');
        }
      } else if (current === 'authentication switch request') {
        this.appendTitle('authentication switch request');
        at = this.authSwitchRequest(at);
      } else {
        this.appendTitle('response OK');
        at = this.ok(at);
        this.setState('request');
      }
      return at;
    }
    if (code === 0x00) {
      codeField();
      at += 1;
      if (current === 'row packet' || current === 'response to PREPARE') {
        this.appendTitle(current);
        return this.stop;
      }
      this.appendTitle('response OK');
      return this.ok(at);
    }
    switch (current) {
      case 'response message': {
        const n = this.stop - at;
        if (n > 0) this.addString('mysql.message', 'Message', at, n);
        this.setState('request');
        return this.stop;
      }
      case 'tabular response':
      case 'request':
        this.appendTitle('column count');
        return this.resultHeader(at);
      case 'field packet':
      case 'response to SHOW FIELDS':
        this.appendTitle(current);
        at = this.field(at);
        conn.remainingFields--;
        if (conn.clntCapsExt & EXT_DE && conn.remainingFields === 0) this.setState('row packet');
        return at;
      case 'row packet':
        this.appendTitle(current);
        while (at < this.stop) at = this.lestring('mysql.row.text', 'text', at);
        return at;
      case 'authentication switch request':
        this.appendTitle('authentication switch request');
        return this.authSwitchRequest(at);
      default:
        this.setState('undefined');
        return at;
    }
  }

  private error(at: number): number {
    const b = this.b;
    const code = this.le(at, 2);
    this.append(` Error ${code} `);
    this.fence();
    b.add('mysql.error_code', `Error Code: ${code}`, code, at, 2);
    at += 2;
    if (b.u8(at) === 0x23) {
      at += 1;
      this.addString('mysql.sqlstate', 'SQL state', at, 5);
      at += 5;
    }
    this.addString('mysql.error.message', 'Error message', at, this.stop - at);
    return this.stop;
  }

  private ok(at: number): number {
    const b = this.b;
    const conn = this.conn;
    this.append(' OK ');
    this.fence();
    let f = this.fle(at);
    b.add('mysql.affected_rows', `Affected Rows: ${f.value}`, f.value, at, f.size);
    at += f.size;
    f = this.fle(at);
    if (f.value) b.add('mysql.insert_id', `Last INSERT ID: ${f.value}`, f.value, at, f.size);
    at += f.size;
    let status = 0;
    let lenstr = 0;
    if (at < this.stop) {
      status = this.serverStatus(at);
      at += 2;
      if (conn.clntCaps & conn.srvCaps & CAPS_CU) {
        const warnings = this.le(at, 2);
        b.add('mysql.warnings', `Warnings: ${warnings}`, warnings, at, 2);
        lenstr = this.data.readUInt16BE(at);
        at += 2;
      }
    }
    if (conn.clntCapsExt & EXT_ST) {
      if (at < this.stop) {
        f = this.fle(at);
        at += f.size;
        if (f.value) {
          this.addString('mysql.message', 'Message', at, f.value);
          at += f.value;
        }
        // Session-tracking entries: skipped, not shown.
        if (status & STAT_SESSION_STATE_CHANGED) at = this.stop;
      }
    } else if (at < this.stop) {
      const n = Math.min(lenstr, this.stop - at);
      this.addString('mysql.message', 'Message', at, n);
      at += n;
    }
    this.setState('request');
    return at;
  }

  private resultHeader(at: number): number {
    const b = this.b;
    const conn = this.conn;
    this.append('TABULAR ');
    this.fence();
    const f = this.fle(at);
    b.add('mysql.num_fields', `Number of fields: ${f.value}`, f.value, at, f.size);
    at += f.size;
    if (at < this.stop) {
      const e = this.fle(at);
      b.add('mysql.extra', `Extra data: ${e.value}`, e.value, at, e.size);
      at += e.size;
    }
    if (f.value) {
      this.setState('field packet');
      if (this.first) conn.remainingFields = f.value;
    } else this.setState('row packet');
    return at;
  }

  private field(at: number): number {
    const b = this.b;
    at = this.lestring('mysql.field.catalog', 'Catalog', at);
    if (at >= this.stop) return at;
    at = this.lestring('mysql.field.db', 'Database', at);
    at = this.lestring('mysql.field.table', 'Table', at);
    at = this.lestring('mysql.field.org_table', 'Original table', at);
    at = this.lestring('mysql.field.name', 'Name', at);
    at = this.lestring('mysql.field.org_name', 'Original name', at);
    at += 1;
    const charset = this.le(at, 2);
    b.add('mysql.field.charsetnr', () => `Charset number: ${collation(charset)}`, charset, at, 2);
    at += 2;
    const length = this.le(at, 4);
    b.add('mysql.field.length', `Length: ${length}`, length, at, 4);
    at += 4;
    const type = b.u8(at);
    b.add('mysql.field.type', () => `Type: ${FIELD_TYPES.get(type) ?? 'Unknown'} (${type})`, type, at, 1);
    at += 1;
    const flags = this.le(at, 2);
    b.group('mysql.field.flags', () => `Flags: ${hex(flags, 4)}`, flags, at, 2, () => {
      for (const [name, label, mask] of FIELD_FLAGS) b.add(`mysql.field.flags.${name}`, () => `${bitPicture(flags, mask, 16)} = ${label}: ${setText((flags & mask) !== 0)}`, (flags & mask) !== 0, at, 2, (flags & mask) !== 0 ? '1' : '0');
    }, hex(flags, 4));
    at += 2;
    const decimals = b.u8(at);
    b.add('mysql.field.decimals', `Decimals: ${decimals}`, decimals, at, 1);
    at += 1 + 2;
    if (at < this.stop) at = this.lestring('mysql.field.default', 'Default', at);
    return at;
  }

  private authSwitchRequest(at: number): number {
    this.set('Auth Switch Request ');
    this.fence();
    this.setState('authentication switch response');
    if (this.conn.clntCapsExt & EXT_PA) {
      let n = this.mySize(at);
      this.addString('mysql.auth_switch_request.name', 'Auth Method Name', at, n);
      at += n;
      n = this.mySize(at);
      if (n > 0) this.addBytes('mysql.auth_switch_request.data', 'Auth Method Data', at, n);
    } else {
      const status = this.b.u8(at);
      this.b.add('mysql.auth_switch_request.status', `Status: ${status}`, status, at, 1);
    }
    return this.stop;
  }

  private authSwitchResponse(at: number): number {
    this.set('Auth Switch Response ');
    this.fence();
    const n = this.mySize(at);
    if (n > 0) this.addBytes('mysql.auth_switch_response.data', 'Auth Method Data', at, n);
    return this.stop;
  }
}
