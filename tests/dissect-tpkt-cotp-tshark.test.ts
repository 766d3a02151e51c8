/**
 * TPKT (RFC 1006) and the COTP it carries, on TCP 102 (ISO-TSAP) and 3389 (RDP), as tshark 4.0
 * shows them: a Connect Request with its parameters (TPDU size, TSAPs as bytes and as text), a
 * Connect Confirm, data TPDUs with and without their end-of-TSDU mark (a class 0 DT's made-up
 * destination reference), a TPKT packet spread over two segments, two in one segment, a
 * Disconnect Request and Confirm, and on 3389 the TLS that follows RDP's negotiation, which tshark
 * calls TPKT "Continuation". Compared as summary lines, -V, -T fields and frame.protocols on
 * conversations this test builds.
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
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sievecap-tpkt-cotp-'));
after(() => { if (!process.env.KEEP) fs.rmSync(tmp, { recursive: true, force: true }); });

function tshark(args: string[]): string {
  const r = spawnSync('tshark', args, { encoding: 'utf8', maxBuffer: 64 << 20 });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

/** A TPKT packet around a COTP TPDU (its fixed and variable part, then user data). */
function tpkt(cotp: Buffer, userData: Buffer = Buffer.alloc(0)): Buffer {
  const header = Buffer.from([3, 0, 0, 0]);
  header.writeUInt16BE(4 + cotp.length + userData.length, 2);
  return Buffer.concat([header, cotp, userData]);
}

/** A COTP TPDU: its length indicator, then the rest of its header. */
function tpdu(header: number[]): Buffer {
  return Buffer.from([header.length, ...header]);
}

const CR = tpdu([0xe0, 0x00, 0x00, 0xb0, 0x01, 0x00, 0xc0, 0x01, 0x0a, 0xc1, 0x02, 0x01, 0x00, 0xc2, 0x08, ...Buffer.from('SIMATIC-')]);
const CC = tpdu([0xd0, 0xb0, 0x01, 0x00, 0x07, 0x00, 0xc0, 0x01, 0x0a, 0xf0, 0x01, 0x08, 0xc4, 0x01, 0x01]);
const DT = (eot: boolean, nr = 0): Buffer => tpdu([0xf0, (eot ? 0x80 : 0) | nr]);
const DR = tpdu([0x80, 0xb0, 0x01, 0x00, 0x07, 0x80]);
const DC = tpdu([0xc0, 0x00, 0x07, 0xb0, 0x01]);

function compare(file: string): void {
  const lines = tshark(['-r', file]);
  assert.equal(sievecap(['-r', file, '-T', 'text']).stdout.toString(), lines);
  assert.equal(sievecap(['-r', file, '-V']).stdout.toString(), tshark(['-r', file, '-V']));
  const fields = ['-T', 'fields', '-e', 'frame.number', '-e', 'frame.protocols', '-e', 'tpkt.length', '-e', 'cotp.type', '-e', 'cotp.destref', '-e', 'cotp.srcref',
    '-e', 'cotp.eot', '-e', 'cotp.tpdu-number', '-e', 'cotp.src-tsap', '-e', 'cotp.dst-tsap', '-e', 'cotp.dst-tsap-bytes', '-e', 'cotp.tpdu_size', '-e', 'data.len'];
  assert.equal(sievecap(['-r', file, ...fields]).stdout.toString(), tshark(['-r', file, ...fields]));
  for (const filter of ['cotp.eot == 1', 'tpkt.continuation_data', 'cotp.type == 0x0e']) {
    const picked = ['-Y', filter, '-T', 'fields', '-e', 'frame.number'];
    assert.equal(sievecap(['-r', file, ...picked]).stdout.toString(), tshark(['-r', file, ...picked]), filter);
  }
}

test('COTP over TPKT on TCP 102: connect, data (whole, fragment, split over segments, two in a segment), disconnect', { skip: NO_TSHARK }, () => {
  const c = new TcpConversation({ serverPort: 102, clientPort: 41102 });
  const request = Buffer.from('0300001502f0803201000000000008000', 'hex');
  c.handshake().send('client', tpkt(CR)).send('server', tpkt(CC));
  c.send('client', tpkt(DT(true), request)).send('server', tpkt(DT(false)));
  // A packet cut after two bytes of its header, then one cut in its data, then two in one segment.
  const long = tpkt(DT(true, 1), Buffer.alloc(40, 0x72));
  c.send('server', long, [2]).send('client', long, [20]);
  c.send('client', Buffer.concat([tpkt(DT(false, 2)), tpkt(DT(true, 3), Buffer.from('abc'))]));
  c.send('client', tpkt(DR)).send('server', tpkt(DC)).fin('client').fin('server').ack('client');
  const file = path.join(tmp, 'iso-tsap.pcap');
  writeConversations(file, [c]);
  assert.match(tshark(['-r', file]), /COTP \d+ CR TPDU src-ref: 0xb001 dst-ref: 0x0000/);
  compare(file);
});

test('TLS after the connection on TCP 3389: TPKT "Continuation", as tshark 4.0 shows it', { skip: NO_TSHARK }, () => {
  const c = new TcpConversation({ serverPort: 3389, clientPort: 41389 });
  const hello = Buffer.from('16030100310100002d0303' + '11'.repeat(32) + '000002002f01000000', 'hex');
  c.handshake().send('client', tpkt(DT(false))).send('client', hello).send('server', Buffer.from('1503030002022808', 'hex'));
  c.fin('client').fin('server').ack('client');
  const file = path.join(tmp, 'rdp-tls.pcap');
  writeConversations(file, [c]);
  assert.match(tshark(['-r', file]), /TPKT \d+ Continuation/);
  compare(file);
});
