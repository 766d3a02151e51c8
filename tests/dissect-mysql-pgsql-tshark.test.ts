/**
 * MySQL (TCP 3306) as tshark 4.0 shows it, on conversations this test builds: the server's
 * greeting, a login, an auth switch, queries with a result set (column count, field packets,
 * EOFs, rows) spread over segments and several PDUs in one segment, an OK, an ERR, a statistics
 * message, and a login asking for TLS after which the connection is TLS's. Compared with tshark:
 * -T fields of the MySQL fields, frame.protocols, Protocol and Info, and -V.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { sievecap } from './support/sievecap';
import { TcpConversation, writeConversations } from './support/tcp-frames';

const NO_TSHARK = spawnSync('tshark', ['--version']).status !== 0 ? 'tshark is not installed (apt-get install tshark)' : false;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sievecap-mysql-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

const ascii = (text: string): Buffer => Buffer.from(text, 'latin1');
const z = (text: string): Buffer => Buffer.concat([ascii(text), Buffer.from([0])]);
const le = (v: number, n: number): Buffer => {
  const b = Buffer.alloc(n);
  b.writeUIntLE(v, 0, n);
  return b;
};
/** A length-encoded string (short). */
const les = (text: string): Buffer => Buffer.concat([Buffer.from([text.length]), ascii(text)]);

/** One MySQL packet: 3-byte length, packet number, payload. */
function my(number: number, payload: Buffer): Buffer {
  return Buffer.concat([le(payload.length, 3), Buffer.from([number]), payload]);
}

function greeting(version: string, extcaps: number): Buffer {
  return my(0, Buffer.concat([
    Buffer.from([10]), z(version), le(42, 4), z('abcdefgh'), le(0xf7ff, 2), Buffer.from([255]), le(0x0002, 2),
    le(extcaps, 2), Buffer.from([21]), Buffer.alloc(10), z('ijklmnopqrstu'), z('mysql_native_password'),
  ]));
}

function login(caps: number, extcaps: number, user: string, schema: string | null, plugin: string | null): Buffer {
  const parts = [le(caps, 2), le(extcaps, 2), le(16777216, 4), Buffer.from([33]), Buffer.alloc(23), z(user), Buffer.from([20]), Buffer.alloc(20, 0x11)];
  if (schema !== null) parts.push(z(schema));
  if (plugin !== null) parts.push(z(plugin));
  return my(1, Buffer.concat(parts));
}

function field(name: string): Buffer {
  return Buffer.concat([les('def'), les('test'), les('t'), les('t'), les(name), les(name), Buffer.from([0x0c]), le(33, 2), le(765, 4), Buffer.from([0xfd]), le(0x1003, 2), Buffer.from([0]), Buffer.alloc(2)]);
}

function conversations(): TcpConversation[] {
  const out: TcpConversation[] = [];
  // Plugin auth with an auth switch; a result set over segments; OK, ERR and a message.
  const a = new TcpConversation({ clientPort: 50001, serverPort: 3306 }).handshake();
  a.send('server', greeting('8.0.32', 0x81ff));
  a.send('client', login(0xa68d, 0x00bf, 'root', 'test', 'mysql_native_password'));
  a.send('server', my(2, Buffer.concat([Buffer.from([0xfe]), z('caching_sha2_password'), z('0123456789abcdefghij')])));
  a.send('client', my(3, Buffer.alloc(32, 0x22)));
  a.send('server', my(4, Buffer.from([0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00])));
  a.send('client', my(0, Buffer.concat([Buffer.from([3]), ascii('select name, value from t')])));
  const rows = Buffer.concat([
    my(1, Buffer.from([2])), my(2, field('name')), my(3, field('value')),
    my(4, Buffer.from([0xfe, 0, 0, 0x22, 0])),
    my(5, Buffer.concat([les('alpha'), les('1')])), my(6, Buffer.concat([les('beta'), les('two')])),
    my(7, Buffer.from([0xfe, 0, 0, 0x22, 0])),
  ]);
  a.send('server', rows.subarray(0, 50));
  a.send('server', rows.subarray(50, 120));
  a.send('server', rows.subarray(120));
  a.send('client', my(0, Buffer.concat([Buffer.from([2]), ascii('other')])));
  a.send('server', my(1, Buffer.concat([Buffer.from([0xff]), le(1049, 2), ascii('#42000Unknown database \'other\'')])));
  a.send('client', my(0, Buffer.concat([Buffer.from([3]), ascii('insert into t values (1)')])));
  a.send('server', my(1, Buffer.from([0x00, 0x01, 0x05, 0x02, 0x00, 0x00, 0x00])));
  a.send('client', my(0, Buffer.from([9])));
  a.send('server', my(1, ascii('Uptime: 10  Threads: 1  Questions: 5')));
  a.send('client', my(0, Buffer.from([14])));
  a.send('server', my(1, Buffer.from([0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00])));
  a.send('client', my(0, Buffer.from([1])));
  out.push(a);

  // A MariaDB server refusing the host in its greeting.
  const b = new TcpConversation({ clientPort: 50002, serverPort: 3306 }).handshake();
  b.send('server', my(0, Buffer.concat([Buffer.from([0xff]), le(1130, 2), ascii("Host '10.0.0.1' is not allowed to connect")])));
  out.push(b);

  // A login asking for TLS: the rest of the connection is TLS.
  const c = new TcpConversation({ clientPort: 50003, serverPort: 3306 }).handshake();
  c.send('server', greeting('5.7.40', 0x81ff));
  c.send('client', my(1, Buffer.concat([le(0xae0d, 2), le(0x0000, 2), le(16777216, 4), Buffer.from([8]), Buffer.alloc(23)])));
  const hello = Buffer.concat([Buffer.from([22, 3, 1, 0, 45, 1, 0, 0, 41, 3, 3]), Buffer.alloc(32, 0x33), Buffer.from([0, 0, 2, 0, 0x2f, 1, 0])]);
  c.send('client', hello);
  out.push(c);
  return out;
}

function run(tool: 'tshark' | 'sievecap', args: string[]): string {
  const r = tool === 'tshark' ? spawnSync('tshark', args, { encoding: 'utf8', maxBuffer: 64 << 20 }) : sievecap(args);
  assert.equal(r.status, 0, String(r.stderr));
  return r.stdout.toString();
}

function frames(text: string): string[] {
  return text.split(/^(?=Frame \d+:)/m);
}

const MYSQL_FIELDS = [
  'mysql.packet_length', 'mysql.packet_number', 'mysql.protocol', 'mysql.version', 'mysql.thread_id', 'mysql.caps.server',
  'mysql.extcaps.server', 'mysql.server_status', 'mysql.caps.client', 'mysql.user', 'mysql.schema', 'mysql.client_auth_plugin',
  'mysql.command', 'mysql.query', 'mysql.response_code', 'mysql.error_code', 'mysql.sqlstate', 'mysql.error.message',
  'mysql.affected_rows', 'mysql.insert_id', 'mysql.num_fields', 'mysql.field.name', 'mysql.field.type', 'mysql.row.text',
  'mysql.message', 'mysql.auth_switch_request.name', 'mysql.eof', 'mysql.warnings',
];

test('MySQL: greeting, login, auth switch, result sets over segments, OK, ERR and TLS after login, as tshark', { skip: NO_TSHARK }, () => {
  const file = path.join(tmp, 'mysql.pcap');
  writeConversations(file, conversations());
  const fields = ['-r', file, '-T', 'fields', '-E', 'separator=|', '-E', 'occurrence=a', '-e', 'frame.number', '-e', 'frame.protocols', '-e', '_ws.col.Protocol', '-e', '_ws.col.Info', ...MYSQL_FIELDS.flatMap((f) => ['-e', f])];
  const theirs = run('tshark', fields).split('\n');
  assert.match(theirs.join('\n'), /Response TABULAR /);
  assert.match(theirs.join('\n'), /Server Greeting  Error 1130 /);
  assert.match(theirs.join('\n'), /eth:ethertype:ip:tcp:tls\|/);
  assert.deepEqual(run('sievecap', fields).split('\n'), theirs);
  assert.deepEqual(frames(run('sievecap', ['-r', file, '-V'])), frames(run('tshark', ['-r', file, '-V'])));
});
