/**
 * PostgreSQL (TCP 5432) as tshark 4.0 shows it, on conversations this test builds: an SSL request
 * refused, a startup message, MD5 and SASL authentication, parameter status, backend key data,
 * simple and extended queries (Parse, Bind, Describe, Execute, Sync, Close, Flush), row
 * descriptions and data rows spread over segments and several messages in one segment, errors and
 * notices with every field, notifications, function calls, COPY, a cancel and a GSS encryption
 * request, lengths too short for a message and strings without their NUL (malformed), and an SSL
 * request accepted, after which the connection is TLS's. Compared with tshark: -T fields of the
 * pgsql fields, frame.protocols, Protocol and Info, and -V.
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
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sievecap-pgsql-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

const a = (text: string): Buffer => Buffer.from(text, 'latin1');
const z = (text: string): Buffer => Buffer.concat([a(text), Buffer.from([0])]);
const u32 = (v: number): Buffer => {
  const b = Buffer.alloc(4);
  b.writeInt32BE(v);
  return b;
};
const u16 = (v: number): Buffer => {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(v);
  return b;
};
/** A message: its type letter, a length that counts itself, the body. */
const msg = (type: string, ...body: Buffer[]): Buffer => {
  const b = Buffer.concat(body);
  return Buffer.concat([a(type), u32(b.length + 4), b]);
};
/** A message without a type byte (startup, SSL, GSS encryption and cancel requests). */
const untyped = (...body: Buffer[]): Buffer => {
  const b = Buffer.concat(body);
  return Buffer.concat([u32(b.length + 4), b]);
};

function conversations(): TcpConversation[] {
  const out: TcpConversation[] = [];
  const c = new TcpConversation({ clientPort: 50001, serverPort: 5432 }).handshake();
  c.send('client', untyped(u32(80877103)));
  c.send('server', a('N'));
  c.send('client', untyped(u32(196608), z('user'), z('postgres'), z('database'), z('test'), z('application_name'), z('psql'), Buffer.from([0])));
  c.send('server', msg('R', u32(5), Buffer.from([1, 2, 3, 4])));
  c.send('client', msg('p', z('md5abcdef0123456789')));
  c.send('server', Buffer.concat([msg('R', u32(0)), msg('S', z('client_encoding'), z('UTF8')), msg('S', z('server_version'), z('15.2')), msg('K', u32(4242), u32(-559038737)), msg('Z', a('I'))]));
  const rows = Buffer.concat([msg('T', u16(2), z('name'), u32(16384), u16(1), u32(25), u16(0xffff), u32(-1), u16(0), z('value'), u32(16384), u16(2), u32(23), u16(4), u32(-1), u16(0)),
    msg('D', u16(2), u32(300), Buffer.alloc(300, 0x61), u32(-1)), msg('D', u16(2), u32(3), a('abc'), u32(1), a('7')), msg('C', z('SELECT 2')), msg('Z', a('I'))]);
  c.send('client', msg('Q', z('select name, value from t;')));
  // The rows over five segments: a data row put together from four of them.
  c.send('server', rows, [100, 200, 330, 340]);
  c.send('client', Buffer.concat([msg('P', z(''), z('select $1::int'), u16(1), u32(23)), msg('B', z(''), z(''), u16(1), u16(0), u16(2), u32(1), a('5'), u32(-1), u16(1), u16(1)), msg('D', a('P'), z('')), msg('E', z(''), u32(0)), msg('S')]));
  c.send('server', Buffer.concat([msg('1'), msg('2'), msg('T', u16(1), z('int4'), u32(0), u16(0), u32(23), u16(4), u32(-1), u16(1)), msg('D', u16(1), u32(4), u32(5)), msg('C', z('SELECT 1')), msg('Z', a('I'))]));
  c.send('client', Buffer.concat([msg('P', z('s1'), z('select 1'), u16(0)), msg('D', a('S'), z('s1')), msg('E', z('p1'), u32(10)), msg('C', a('S'), z('s1')), msg('H')]));
  c.send('server', Buffer.concat([msg('t', u16(1), u32(23)), msg('n'), msg('s'), msg('3'), msg('I')]));
  c.send('client', msg('Q', z('select * from nope;')));
  c.send('server', Buffer.concat([msg('N', a('S'), z('NOTICE'), a('V'), z('NOTICE'), a('C'), z('00000'), a('M'), z('a notice'), Buffer.from([0])),
    msg('E', a('S'), z('ERROR'), a('V'), z('ERROR'), a('C'), z('42P01'), a('M'), z('relation "nope" does not exist'), a('D'), z('detail'), a('H'), z('hint'), a('P'), z('15'), a('p'), z('3'), a('q'), z('iq'), a('W'), z('where'), a('s'), z('public'), a('t'), z('nope'), a('c'), z('col'), a('d'), z('typ'), a('n'), z('cons'), a('F'), z('parse_relation.c'), a('L'), z('1392'), a('R'), z('parserOpenTable'), a('Y'), z('other'), Buffer.from([0])),
    msg('Z', a('E'))]));
  c.send('server', msg('A', u32(77), z('chan'), z('payload')));
  c.send('client', msg('F', u32(1234), u16(1), u16(1), u16(1), u32(2), a('hi'), u16(0)));
  c.send('server', msg('V', u32(2), a('ok')));
  c.send('client', msg('Q', z('copy t from stdin;')));
  c.send('server', msg('G', Buffer.from([0]), u16(2), u16(0), u16(0)));
  c.send('client', Buffer.concat([msg('d', a('1\tx\n')), msg('c')]));
  c.send('client', msg('f', z('oops')));
  c.send('server', msg('H', Buffer.from([1]), u16(3), u16(1), u16(1), u16(1)));
  c.send('server', msg('v', u32(0), u32(1), z('_pq_.x')));
  c.send('client', msg('X'));
  out.push(c);
  // SCRAM authentication (SASL, SASL continue, SASL complete).
  const s = new TcpConversation({ clientPort: 50002, serverPort: 5432 }).handshake();
  s.send('client', untyped(u32(196608), z('user'), z('u'), Buffer.from([0])));
  s.send('server', msg('R', u32(10), z('SCRAM-SHA-256-PLUS'), z('SCRAM-SHA-256'), Buffer.from([0])));
  s.send('client', msg('p', z('SCRAM-SHA-256'), u32(8), a('n,,n=,r=')));
  s.send('server', msg('R', u32(11), a('r=abc,s=xyz,i=4096')));
  s.send('client', msg('p', a('c=biws,r=abc,p=xyz')));
  s.send('server', Buffer.concat([msg('R', u32(12), a('v=signature')), msg('R', u32(0)), msg('Z', a('T'))]));
  // A query, then one whose type and length span two segments and whose text lacks its NUL.
  s.send('client', Buffer.concat([msg('Q', z('select 1;')), Buffer.from([0x51, 0, 0])]));
  s.send('client', Buffer.from([0, 10]));
  s.send('client', a('select'));
  out.push(s);
  // A cancel request; a GSS encryption request, GSSAPI authentication and malformed messages; an SSL request accepted.
  const k = new TcpConversation({ clientPort: 50003, serverPort: 5432 }).handshake();
  k.send('client', untyped(u32(80877102), u32(4242), u32(99)));
  out.push(k);
  const g = new TcpConversation({ clientPort: 50004, serverPort: 5432 }).handshake();
  g.send('client', untyped(u32(80877104)));
  // A length of 1: shorter than the type and length (tcp_dissect_pdus's bounds error, no tree).
  g.send('server', Buffer.concat([a('Z'), u32(1)]));
  g.send('server', Buffer.concat([msg('R', u32(8), a('gssdata')), a('Z'), u32(1)]));
  g.send('client', msg('p', a('gssresp')));
  // An error whose length (20) ends inside its message text: the string has no NUL (malformed).
  g.send('server', msg('E', a('S'), z('INFO'), a('M'), z('Test Error'), Buffer.from([0])).fill(0x14, 4, 5));
  // An untyped request with an unknown code.
  g.send('client', untyped(u32(12345)));
  out.push(g);
  const t = new TcpConversation({ clientPort: 50005, serverPort: 5432 }).handshake();
  t.send('client', untyped(u32(80877103)));
  t.send('server', a('S'));
  const hello = Buffer.concat([Buffer.from([22, 3, 1, 0, 45, 1, 0, 0, 41, 3, 3]), Buffer.alloc(32, 0x33), Buffer.from([0, 0, 2, 0, 0x2f, 1, 0])]);
  t.send('client', hello);
  out.push(t);
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

const PGSQL_FIELDS = [
  'tcp.pdu.size', 'pgsql.type', 'pgsql.length', 'pgsql.frontend', 'pgsql.query', 'pgsql.parameter_name', 'pgsql.parameter_value',
  'pgsql.salt', 'pgsql.password', 'pgsql.authtype', 'pgsql.auth.sasl.mech', 'pgsql.auth.sasl.data', 'pgsql.auth.sasl.data.length',
  'pgsql.auth.gssapi_sspi.data', 'pgsql.pid', 'pgsql.key', 'pgsql.status', 'pgsql.field.count', 'pgsql.col.name', 'pgsql.oid.table',
  'pgsql.col.index', 'pgsql.oid.type', 'pgsql.col.typemod', 'pgsql.format', 'pgsql.val.length', 'pgsql.val.data', 'pgsql.tag',
  'pgsql.statement', 'pgsql.portal', 'pgsql.returns', 'pgsql.severity', 'pgsql.code', 'pgsql.message', 'pgsql.detail', 'pgsql.hint',
  'pgsql.position', 'pgsql.where', 'pgsql.file', 'pgsql.line', 'pgsql.routine', 'pgsql.text', 'pgsql.condition', 'pgsql.oid',
  'pgsql.copydata', 'pgsql.error', 'pgsql.version_major', 'pgsql.version_minor', 'pgsql.nonsupported_option',
];

test('PostgreSQL: startup, authentication, simple and extended queries, rows over segments, errors and TLS after SSL, as tshark', { skip: NO_TSHARK }, () => {
  const file = path.join(tmp, 'pgsql.pcap');
  writeConversations(file, conversations());
  const fields = ['-r', file, '-T', 'fields', '-E', 'separator=|', '-E', 'occurrence=a', '-e', 'frame.number', '-e', 'frame.protocols', '-e', '_ws.col.Protocol', '-e', '_ws.col.Info', ...PGSQL_FIELDS.flatMap((f) => ['-e', f])];
  const theirs = run('tshark', fields).split('\n');
  const joined = theirs.join('\n');
  assert.match(joined, /\|<D<D\/C\/Z\|/);
  assert.match(joined, /\|> \[TCP segment of a reassembled PDU\]\|/);
  assert.match(joined, /\|<E\[Malformed Packet\]\|/);
  assert.match(joined, /eth:ethertype:ip:tcp\|PGSQL\|<\|/);
  assert.match(joined, /eth:ethertype:ip:tcp:tls\|/);
  assert.deepEqual(run('sievecap', fields).split('\n'), theirs);
  assert.deepEqual(frames(run('sievecap', ['-r', file, '-V'])), frames(run('tshark', ['-r', file, '-V'])));
});

test('PostgreSQL: display filters on pgsql fields select the frames tshark selects', { skip: NO_TSHARK }, () => {
  const file = path.join(tmp, 'pgsql-filters.pcap');
  writeConversations(file, conversations());
  for (const filter of ['pgsql', 'pgsql.type == "Simple query"', 'pgsql.frontend == 0', 'pgsql.code == "42P01"', 'pgsql.query contains "nope"', 'pgsql.val.length == -1', 'pgsql.authtype == 10', '_ws.malformed && pgsql']) {
    const args = ['-r', file, '-Y', filter, '-T', 'fields', '-e', 'frame.number'];
    assert.deepEqual(run('sievecap', args), run('tshark', args), filter);
  }
});
