/**
 * An ephemeral port (32768 and up) Wireshark registers for a dissector Sievecap lacks keeps the
 * heuristics off, as tshark tries port dissectors before heuristics (app/dissect/wireshark-ports.ts,
 * from `tshark -G decodes`).
 * Built conversations: an HTTP request from ephemeral port 34980 (EtherCAT's) and from 44321
 * (PCP's) to 8081, which has no dissector in either tool, beside the same request from 40000, which
 * both give to HTTP's heuristic; the frames each display filter selects must be tshark's.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { TcpConversation, writeConversations } from './support/tcp-frames';
import { sievecap } from './support/sievecap';

const NO_TSHARK = spawnSync('tshark', ['--version']).status !== 0 ? 'tshark is not installed (apt-get install tshark)' : false;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sievecap-registered-ports-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

test('registered ports of dissectors Sievecap lacks: no heuristic takes their payload, as in tshark', { skip: NO_TSHARK }, () => {
  const file = path.join(tmp, 'ports.pcap');
  const request = Buffer.from('GET /image.bin HTTP/1.1\r\nHost: [fd00::2]:8081\r\nUser-Agent: curl/7.88.1\r\nAccept: */*\r\n\r\n');
  writeConversations(file, [34980, 44321, 40000].map((clientPort) => new TcpConversation({ clientPort, serverPort: 8081 }).handshake().send('client', request)));
  // (Not `data`: that payload is data here and EtherCAT or PCP to tshark.)
  for (const filter of ['http', 'http.request', 'http.request.uri contains "image"', 'tcp.len > 0']) {
    const args = ['-Y', filter, '-T', 'fields', '-e', 'frame.number', '-e', 'tcp.srcport'];
    const theirs = spawnSync('tshark', ['-r', file, '-n', ...args], { encoding: 'utf8' });
    assert.equal(theirs.status, 0, theirs.stderr);
    const ours = sievecap(['-r', file, ...args]);
    assert.equal(ours.status, 0, ours.stderr.toString());
    assert.equal(ours.stdout.toString(), theirs.stdout, filter);
  }
  // The control: the request from port 40000 is HTTP to both.
  const http = sievecap(['-r', file, '-Y', 'http.request', '-T', 'fields', '-e', 'tcp.srcport']).stdout.toString();
  assert.equal(http, '40000\n');
});
