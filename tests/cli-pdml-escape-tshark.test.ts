/**
 * -T pdml's escaping (print.c's print_escaped_xml, tshark 4.0): an HTTP body holding control
 * characters, XML's special characters and a NUL, shown in http.file_data's `show`; and the HTTP
 * item's size when the body has no Content-Type or goes to Media (it covers the body). Compared
 * with tshark's PDML line for line (but the preamble's time of day).
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
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sievecap-pdml-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

test('-T pdml escapes control characters as tshark does (\\x1a, \\xb), keeps tab, CR and LF; HTTP items as long as tshark\'s', { skip: NO_TSHARK }, () => {
  const body = Buffer.from([0x41, 0x01, 0x09, 0x42, 0x0d, 0x0a, 0x1a, 0x7f, 0x1f, 0x0b, 0x0c, 0x3c, 0x26, 0x22, 0x27, 0x3e, 0x43, 0x00, 0x44]);
  const c = new TcpConversation({ serverPort: 80, clientPort: 43000 });
  const head = `HTTP/1.1 200 OK\r\nContent-Type: application/x-test\r\nContent-Length: ${body.length}\r\n\r\n`;
  c.handshake().send('client', Buffer.from('GET /x HTTP/1.1\r\nHost: x\r\n\r\n')).send('server', Buffer.concat([Buffer.from(head), body]));
  // The same body without a Content-Type, and as image/png (not one: Media): tshark's HTTP item then covers the body too.
  const bare = new TcpConversation({ serverPort: 80, clientPort: 43001 });
  bare.handshake().send('client', Buffer.from('GET /y HTTP/1.1\r\nHost: x\r\n\r\n')).send('server', Buffer.concat([Buffer.from(`HTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\n\r\n`), body]));
  const image = new TcpConversation({ serverPort: 80, clientPort: 43002 });
  image.handshake().send('client', Buffer.from('GET /z HTTP/1.1\r\nHost: x\r\n\r\n')).send('server', Buffer.concat([Buffer.from(`HTTP/1.1 200 OK\r\nContent-Type: image/png\r\nContent-Length: ${body.length}\r\n\r\n`), body]));
  const file = path.join(tmp, 'control.pcap');
  writeConversations(file, [c, bare, image]);
  const r = spawnSync('tshark', ['-r', file, '-T', 'pdml'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const withoutTime = (text: string): string => text.replace(/ time="[^"]*"/, '');
  const theirs = withoutTime(r.stdout);
  assert.match(theirs, /show="A\\x1\tB\r\n\\x1a\\x7f\\x1f\\xb\\xc&lt;&amp;&quot;&#x27;&gt;C"/);
  assert.equal(withoutTime(sievecap(['-r', file, '-T', 'pdml']).stdout.toString()), theirs);
});
