/**
 * Conversations that change protocol midway, as tshark 4.0 shows them, on captures this test
 * builds: HTTP CONNECT tunnels through a proxy (TLS to :443 with records over segments, SMTP to :25
 * with packet-http.c's choice of sides, a port HTTP owns, a URI without a port), responses with no
 * body to wait for (HEAD with a Content-Length, 204 and 304 with one) on kept-alive connections,
 * SMTP's STARTTLS (TLS after the 220), a server that refuses it, text on a TLS port (HTTP on 443),
 * and SMTP lines over segments, lines without a reply code and client lines that are no command.
 * Compared with tshark: frame.protocols, Protocol and Info of every frame, and the fields below.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { sievecap } from './support/sievecap';
import { TcpConversation, writeConversations } from './support/tcp-frames';
import { clientHello, serverHello, tlsRecord } from './support/desegment-traffic';

const NO_TSHARK = spawnSync('tshark', ['--version']).status !== 0 ? 'tshark is not installed (apt-get install tshark)' : false;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sievecap-connect-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

const ascii = (text: string): Buffer => Buffer.from(text, 'latin1');

const FIELDS = [
  'frame.protocols', '_ws.col.Protocol', '_ws.col.Info', 'http.proxy_connect_host', 'http.proxy_connect_port',
  'http.request.method', 'http.response.code', 'http.content_length_header', 'tls.record.content_type', 'tls.handshake.type',
  'tls.handshake.extensions_server_name', 'smtp.req.command', 'smtp.response.code', 'tcp.reassembled_in', 'data.len',
];

function conversations(): TcpConversation[] {
  const out: TcpConversation[] = [];
  const connect = (uri: string): Buffer => ascii(`CONNECT ${uri} HTTP/1.1\r\nHost: ${uri}\r\nUser-Agent: test\r\n\r\n`);
  const established = ascii('HTTP/1.1 200 Connection established\r\n\r\n');
  // TLS through the proxy: a ClientHello cut in two, a flight of records over three segments.
  const flight = Buffer.concat([serverHello(), tlsRecord(20, Buffer.from([1])), tlsRecord(23, Buffer.alloc(2500, 0x5a))]);
  out.push(new TcpConversation({ serverPort: 3128, clientPort: 41001 }).handshake()
    .send('client', connect('secure.example.test:443'))
    .send('server', established)
    .send('client', clientHello('secure.example.test'), [40])
    .send('server', flight, [900, 2000], true)
    .send('client', Buffer.concat([tlsRecord(23, Buffer.alloc(300, 1)), tlsRecord(23, Buffer.alloc(50, 2))]), [320])
    .fin('client').fin('server'));
  // SMTP through the proxy, the server speaking first: packet-http.c takes the side that sent the
  // tunnel's first payload for the client, so SMTP sees the greeting as a client's line.
  out.push(new TcpConversation({ serverPort: 8080, clientPort: 41002 }).handshake()
    .send('client', connect('mail.example.test:25'))
    .send('server', ascii('HTTP/1.0 200 Connection established\r\n\r\n'))
    .send('server', ascii('220 mail.example.test ESMTP ready\r\n'))
    .send('client', ascii('EHLO client.example.test\r\n'))
    .send('server', ascii('250-mail.example.test\r\n250 PIPELINING\r\n'))
    .send('client', ascii('QUIT\r\n'))
    .fin('server').fin('client'));
  // A tunnel to a port HTTP owns (its bytes are data), and a CONNECT whose URI has no port.
  out.push(new TcpConversation({ serverPort: 3128, clientPort: 41003 }).handshake()
    .send('client', connect('www.example.test:80'))
    .send('server', established)
    .send('client', ascii('\x00\x01binary\x02'))
    .send('server', ascii('\x10\x11reply'))
    .fin('client').fin('server'));
  out.push(new TcpConversation({ serverPort: 3128, clientPort: 41004 }).handshake()
    .send('client', connect('noport.example.test'))
    .send('server', established)
    .send('client', ascii('\x00\x01\x02\x03 raw bytes'))
    .fin('client').fin('server'));
  // A refused CONNECT stays HTTP.
  out.push(new TcpConversation({ serverPort: 3128, clientPort: 41005 }).handshake()
    .send('client', connect('denied.example.test:443'))
    .send('server', ascii('HTTP/1.1 403 Forbidden\r\nContent-Length: 6\r\n\r\ndenied'))
    .send('client', ascii('GET http://www.example.test/ HTTP/1.1\r\nHost: www.example.test\r\n\r\n'))
    .send('server', ascii('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok'))
    .fin('client').fin('server'));
  // Responses with no body to wait for, each followed by another request on the connection.
  out.push(new TcpConversation({ serverPort: 80, clientPort: 41006 }).handshake()
    .send('client', ascii('HEAD /big HTTP/1.1\r\nHost: h\r\n\r\n'))
    .send('server', ascii('HTTP/1.1 200 OK\r\nContent-Length: 100000\r\nContent-Type: text/plain\r\n\r\n'))
    .send('client', ascii('GET /small HTTP/1.1\r\nHost: h\r\n\r\n'))
    .send('server', ascii('HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Type: text/plain\r\n\r\nhello'))
    .send('client', ascii('GET /gone HTTP/1.1\r\nHost: h\r\n\r\n'))
    .send('server', ascii('HTTP/1.1 204 No Content\r\nContent-Length: 40\r\n\r\n'))
    .send('client', ascii('GET /same HTTP/1.1\r\nHost: h\r\nIf-None-Match: "x"\r\n\r\n'))
    .send('server', ascii('HTTP/1.1 304 Not Modified\r\nContent-Length: 12\r\n\r\n'))
    .send('client', ascii('GET /last HTTP/1.1\r\nHost: h\r\n\r\n'))
    .send('server', ascii('HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nend'))
    .fin('client').fin('server'));
  // HTTP in plain text on 443: TLS declines it, HTTP's heuristic takes the connection.
  out.push(new TcpConversation({ serverPort: 443, clientPort: 41007 }).handshake()
    .send('client', ascii('GET /plain HTTP/1.1\r\nHost: h\r\n\r\n'))
    .send('server', ascii(`HTTP/1.1 200 OK\r\nContent-Length: 1800\r\nContent-Type: text/plain\r\n\r\n${'t'.repeat(1800)}`), [600, 1300])
    .fin('client').fin('server'));
  // SMTP with STARTTLS accepted: TLS after the 220.
  out.push(new TcpConversation({ serverPort: 25, clientPort: 41008 }).handshake()
    .send('server', ascii('220 mx.example.test ESMTP\r\n'))
    .send('client', ascii('EHLO c.example.test\r\n'))
    .send('server', ascii('250-mx.example.test\r\n250-STARTTLS\r\n250 8BITMIME\r\n'))
    .send('client', ascii('STARTTLS\r\n'))
    .send('server', ascii('220 2.0.0 Ready to start TLS\r\n'))
    .send('client', clientHello('mx.example.test'), [60])
    .send('server', Buffer.concat([serverHello(), tlsRecord(20, Buffer.from([1]))]))
    .fin('client').fin('server'));
  // STARTTLS refused; a line over two segments; a reply line without a code; a client line that
  // is no command before any DATA (message data to packet-smtp.c), then a whole message.
  out.push(new TcpConversation({ serverPort: 587, clientPort: 41009 }).handshake()
    .send('server', ascii('220 mx.example.test ESMTP\r\n'))
    .send('client', ascii('STARTTLS\r\n'))
    .send('server', ascii('454 4.7.0 TLS not available\r\n'))
    .send('client', ascii('EHLO split.example.test\r\n'), [7])
    .send('server', ascii('250 ok\r\nno code here\r\n'))
    .send('client', ascii('hello there, not a command\r\n'))
    .send('server', ascii('500 5.5.1 Command unrecognized\r\n'))
    .send('client', ascii('MAIL FROM:<a@example.test>\r\n'))
    .send('server', ascii('250 2.1.0 Ok\r\n'))
    .send('client', ascii('RCPT TO:<b@example.test>\r\n'))
    .send('server', ascii('250 2.1.5 Ok\r\n'))
    .send('client', ascii('DATA\r\n'))
    .send('server', ascii('354 End data with <CR><LF>.<CR><LF>\r\n'))
    .send('client', ascii('Subject: t\r\n\r\nbody line\r\n.\r\n'))
    .send('server', ascii('250 2.0.0 Ok: queued\r\n'))
    .send('client', ascii('QUIT\r\n'))
    .send('server', ascii('221 2.0.0 Bye\r\n'))
    .fin('client').fin('server'));
  return out;
}

function tshark(file: string, args: string[]): string {
  const r = spawnSync('tshark', ['-n', '-r', file, ...args], { encoding: 'utf8', maxBuffer: 64 << 20 });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

test('HTTP CONNECT tunnels, bodiless responses, TLS declining text and SMTP STARTTLS as tshark shows them: every frame\'s protocols, columns and fields', { skip: NO_TSHARK }, () => {
  const file = path.join(tmp, 'switches.pcap');
  writeConversations(file, conversations());
  const args = ['-T', 'fields', '-E', 'occurrence=a', ...FIELDS.flatMap((f) => ['-e', f])];
  const theirs = tshark(file, args).split('\n');
  const ours = sievecap(['-n', '-r', file, ...args]).stdout.toString().split('\n');
  assert.equal(ours.length, theirs.length, 'frame count');
  const problems: string[] = [];
  theirs.forEach((line, i) => {
    if (ours[i] !== line) problems.push(`frame ${i + 1}:\n  tshark:   ${line}\n  sievecap: ${ours[i]}`);
  });
  assert.deepEqual(problems.slice(0, 6), [], `${problems.length} frames differ`);
  // The cases are there: tunnelled TLS and SMTP, TLS after STARTTLS, a bodiless HEAD answer.
  const text = theirs.join('\n');
  assert.ok(/tcp:http:tls\t/.test(text) && /tcp:http:smtp/.test(text) && /\ttcp:tls\t/.test(text.replace(/eth:ethertype:ip:/g, '\t')), 'tunnels and STARTTLS present');
  assert.ok(/HTTP\/1\.1 200 OK .*\t100000\t/.test(text), 'the HEAD answer is there');
  // -V of the tunnelled frames: the HTTP layer with the proxy's host and port.
  const verbose = (out: string): string[] => out.split('\n\n').filter((block) => block.includes('Proxy-Connect-Hostname'));
  const theirV = verbose(tshark(file, ['-V']));
  const ourV = verbose(sievecap(['-n', '-r', file, '-V']).stdout.toString());
  assert.ok(theirV.length >= 8);
  assert.deepEqual(ourV, theirV);
  // Display filters that name only the inner protocol select what tshark selects: the tunnel and
  // STARTTLS are followed even when no HTTP or SMTP field is asked for.
  for (const filter of ['tls', 'tls.handshake.type == 1', 'smtp', 'http', 'imf', 'tls.record.content_type == 23', 'http.request.method == "CONNECT"']) {
    const selected = (out: string): string => out.trim().split('\n').join(' ');
    const frameArgs = ['-Y', filter, '-T', 'fields', '-e', 'frame.number'];
    assert.equal(selected(sievecap(['-n', '-r', file, ...frameArgs]).stdout.toString()), selected(tshark(file, frameArgs)), `-Y '${filter}'`);
  }
});
