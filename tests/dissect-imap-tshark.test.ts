/**
 * IMAP (TCP 143) as tshark 4.0 shows it, on conversations this test builds: a greeting, LOGIN
 * (its user name and password), UID FETCH with a message literal spread over segments (put
 * together as lines and literals, the message as IMF), several FETCH literals in one reply cut
 * inside a literal (Wireshark splits the reassembly there), untagged lines only, a line cut
 * before its end, SELECT/COPY folders, responses matched to requests by tag, a LOGIN whose
 * password is too short (malformed), STARTTLS answered OK after which the connection is TLS, and
 * a connection whose first payload is already TLS (the IMAP dissector's heuristic). Compared
 * with tshark: -T fields of the IMAP fields, frame.protocols, Protocol and Info, -V, and -V with
 * -2 (responses' frames, split reassemblies).
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
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sievecap-imap-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

const ascii = (text: string): Buffer => Buffer.from(text, 'latin1');
const CLIENT_HELLO = Buffer.concat([Buffer.from([22, 3, 1, 0, 45, 1, 0, 0, 41, 3, 3]), Buffer.alloc(32, 0x33), Buffer.from([0, 0, 2, 0, 0x2f, 1, 0])]);

function message(from: string, subject: string, type: string | null, body: string): string {
  return `From: ${from}\r\nSubject: ${subject}\r\n${type === null ? '' : `Content-Type: ${type}\r\n`}\r\n${body}`;
}

function conversations(): TcpConversation[] {
  const out: TcpConversation[] = [];
  const a = new TcpConversation({ serverPort: 143, clientPort: 40001 }).handshake();
  a.send('server', ascii('* OK [CAPABILITY IMAP4rev1 STARTTLS] ready\r\n'));
  a.send('client', ascii('a1 LOGIN "bob" "secret"\r\n'));
  a.send('server', ascii('a1 OK LOGIN completed\r\n'));
  a.send('client', ascii('a2 SELECT INBOX\r\n'));
  a.send('client', ascii(`a2a SEARCH ${'SUBJECT "a long subject to search for" '.repeat(8)}\r\n`));
  a.send('server', ascii('* 3 EXISTS\r\n* 0 RECENT\r\n'));
  a.send('server', ascii('* FLAGS (\\Seen)\r\na2 OK [READ-WRITE] SELECT completed\r\n'), [4]);
  a.send('client', ascii('a3 UID FETCH 1 RFC822\r\n'));
  const m1 = message('a@example.com', 'hello', null, 'first line\r\nsecond line\r\n');
  a.send('server', ascii(`* 1 FETCH (UID 1 RFC822 {${m1.length}}\r\n${m1})\r\na3 OK FETCH completed\r\n`), [35, 50, 70]);
  // Three header literals in one reply, cut inside the first and the third.
  const h1 = message('c@example.com', 'one', 'text/plain; charset="us-ascii"', '');
  const h2 = message('d@example.com', 'two', 'text/plain', '');
  const h3 = message('e@example.com', 'three', 'text/plain; charset=utf-8', 'body\r\n');
  const reply = [h1, h2, h3].map((h, k) => `* ${k + 1} FETCH (BODY[HEADER] {${h.length}}\r\n${h})\r\n`).join('') + 'a4 OK FETCH completed\r\n';
  a.send('client', ascii('a4 FETCH 1:3 BODY[HEADER]\r\n'));
  a.send('server', ascii(reply), [20, reply.indexOf('three') + 1]);
  a.send('client', ascii('A5 COPY 1:3 Trash\r\na6 uid store 1 +FLAGS (\\Deleted)\r\n'));
  a.send('server', ascii('a5 OK COPY completed\r\na6 OK done\r\n'));
  a.send('client', ascii('a7 LOGIN bob x\r\n'));
  a.send('server', ascii('a7 NO bad\r\n'));
  a.send('client', ascii('a8 STARTTLS\r\n'));
  a.send('server', ascii('a8 OK Begin TLS negotiation now\r\n'));
  a.send('client', CLIENT_HELLO);
  out.push(a);

  // The capture starts after STARTTLS: the first payload is TLS, the next plain text is IMAP again.
  const b = new TcpConversation({ serverPort: 143, clientPort: 40002 }).handshake();
  b.send('client', CLIENT_HELLO);
  b.send('server', ascii('* BYE plain text\r\n'));
  out.push(b);
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

const IMAP_FIELDS = [
  'imap.isrequest', 'imap.line', 'imap.request', 'imap.response', 'imap.request_tag', 'imap.response_tag', 'imap.request.command',
  'imap.response.status', 'imap.response.command', 'imap.tag', 'imap.command', 'imap.request.folder', 'imap.request.username',
  'imap.request.password', 'imap.request.command.uid', 'imap.response_to', 'imap.response_in', 'imap.time', 'imf.from', 'imf.subject',
  'tcp.reassembled_in', 'tcp.segment', 'tcp.reassembled.length',
];

test('IMAP: requests, responses, FETCH literals over segments as IMF, STARTTLS and the TLS heuristic, as tshark', { skip: NO_TSHARK }, () => {
  const file = path.join(tmp, 'imap.pcap');
  writeConversations(file, conversations());
  const fields = ['-r', file, '-T', 'fields', '-E', 'separator=|', '-E', 'occurrence=a', '-e', 'frame.number', '-e', 'frame.protocols', '-e', '_ws.col.Protocol', '-e', '_ws.col.Info', ...IMAP_FIELDS.flatMap((f) => ['-e', f])];
  const theirs = run('tshark', fields).split('\n');
  const text = theirs.join('\n');
  assert.match(text, /\|IMAP\/IMF\/IMF\|/);
  assert.match(text, /Request: a7 LOGIN bob x\[Malformed Packet\]/);
  assert.match(text, /eth:ethertype:ip:tcp:imap:tls\|/);
  assert.match(text, /\|Response: \* BYE plain text\|/);
  assert.deepEqual(run('sievecap', fields).split('\n'), theirs);
  assert.deepEqual(frames(run('sievecap', ['-r', file, '-V'])), frames(run('tshark', ['-r', file, '-V'])));
  assert.deepEqual(frames(run('sievecap', ['-2', '-r', file, '-V'])), frames(run('tshark', ['-2', '-r', file, '-V'])));
});
