/**
 * RDP on TCP 3389 as tshark 4.0 shows it: the negotiation in a COTP Connection Request's and
 * Confirm's variable part (cookie, Negotiation Request with its flags, requested protocols and a
 * correlation info, Negotiation Response and Failure, a bad length's expert; bytes before a
 * connection's first TPKT packet left to data), the TLS after it left
 * as TPKT "Continuation", and Fast-Path PDUs (a segment that is one, tpkt:rdp; updates running
 * past it malformed). Compared as summary lines, -V, -T fields, frame.protocols and filters on
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
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sievecap-rdp-'));
after(() => { if (!process.env.KEEP) fs.rmSync(tmp, { recursive: true, force: true }); });

function tshark(args: string[]): string {
  const r = spawnSync('tshark', args, { encoding: 'utf8', maxBuffer: 64 << 20 });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

/** A TPKT packet around a COTP TPDU whose variable part is `variable`. */
function tpkt(cotpHeader: number[], variable: Buffer = Buffer.alloc(0), userData: Buffer = Buffer.alloc(0)): Buffer {
  const cotp = Buffer.from([cotpHeader.length + variable.length, ...cotpHeader]);
  const header = Buffer.from([3, 0, 0, 0]);
  header.writeUInt16BE(4 + cotp.length + variable.length + userData.length, 2);
  return Buffer.concat([header, cotp, variable, userData]);
}

const CR = [0xe0, 0x00, 0x00, 0x00, 0x00, 0x00];
const CC = [0xd0, 0x00, 0x00, 0x12, 0x34, 0x00];

/** An RDP negotiation structure: type, flags, length, then a 32-bit value. */
function negotiation(type: number, flags: number, value: number, length = 8): Buffer {
  const b = Buffer.alloc(8);
  b[0] = type;
  b[1] = flags;
  b.writeUInt16LE(length, 2);
  b.writeUInt32LE(value, 4);
  return b;
}

const cookie = (user: string): Buffer => Buffer.from(`Cookie: mstshash=${user}\r\n`, 'latin1');

function compare(file: string): void {
  const lines = tshark(['-r', file]);
  assert.equal(sievecap(['-r', file, '-T', 'text']).stdout.toString(), lines);
  assert.equal(sievecap(['-r', file, '-V']).stdout.toString(), tshark(['-r', file, '-V']));
  const fields = ['-T', 'fields', '-e', 'frame.number', '-e', 'frame.protocols', '-e', 'rdp.rt_cookie', '-e', 'rdp.neg_type', '-e', 'rdp.negReq.flags',
    '-e', 'rdp.neg_length', '-e', 'rdp.negReq.requestedProtocols', '-e', 'rdp.negReq.requestedProtocols.ssl', '-e', 'rdp.negReq.requestedProtocols.hybrid',
    '-e', 'rdp.negRsp.flags', '-e', 'rdp.negRsp.flags.extended_client_data_supported', '-e', 'rdp.negReq.selectedProtocol', '-e', 'rdp.negFailure.failureCode',
    '-e', 'rdp.correlationInfo.correlationId', '-e', '_ws.col.Protocol', '-e', '_ws.col.Info', '-e', '_ws.expert.message'];
  assert.equal(sievecap(['-r', file, ...fields]).stdout.toString(), tshark(['-r', file, ...fields]));
  for (const filter of ['rdp', 'rdp.negReq.requestedProtocols.hybrid == 1', 'rdp.negReq.selectedProtocol == 2', 'rdp.neg_len.invalid', 'tpkt.continuation_data']) {
    const picked = ['-Y', filter, '-T', 'fields', '-e', 'frame.number'];
    assert.equal(sievecap(['-r', file, ...picked]).stdout.toString(), tshark(['-r', file, ...picked]), filter);
  }
}

test('RDP negotiation in COTP CR/CC on 3389, then TLS as TPKT continuation', { skip: NO_TSHARK }, () => {
  const conversations: TcpConversation[] = [];
  const add = (client: Buffer, server: Buffer | null, port: number): void => {
    const c = new TcpConversation({ serverPort: 3389, clientPort: port });
    c.handshake().send('client', client);
    if (server) c.send('server', server);
    conversations.push(c);
  };
  const hello = Buffer.from('16030100310100002d0303' + '11'.repeat(32) + '000002002f01000000', 'hex');
  // Cookie and request, a response selecting CredSSP, then TLS.
  const c = new TcpConversation({ serverPort: 3389, clientPort: 41000 });
  c.handshake().send('client', tpkt(CR, Buffer.concat([cookie('AWAKECODI'), negotiation(1, 0, 3)])));
  c.send('server', tpkt(CC, negotiation(2, 0x01, 2))).send('client', hello).fin('client').fin('server').ack('client');
  conversations.push(c);
  add(tpkt(CR, negotiation(1, 0, 0xb)), tpkt(CC, negotiation(3, 0, 2)), 41001);
  add(tpkt(CR, cookie('FTBCO\\A70')), tpkt(CC, negotiation(2, 0x1b, 0)), 41002);
  const correlation = Buffer.concat([Buffer.from([6, 0, 36, 0]), Buffer.alloc(16, 0xab), Buffer.alloc(16)]);
  add(tpkt(CR, Buffer.concat([cookie('x'), negotiation(1, 0x09, 1), correlation])), tpkt(CC, negotiation(3, 0, 9)), 41003);
  add(tpkt(CR, Buffer.concat([cookie('y'), negotiation(1, 0x08, 1), Buffer.from([1, 0, 36, 0])])), tpkt(CC, negotiation(2, 0, 8)), 41004);
  add(tpkt(CR, Buffer.concat([cookie('z'), negotiation(1, 0, 1, 9)])), null, 41005);
  add(tpkt(CR, Buffer.concat([Buffer.from('Cookie: msts'), negotiation(1, 0, 1, 9)])), null, 41006);
  add(tpkt(CR, Buffer.from([0xc1, 0x02, 0x01, 0x00])), tpkt(CC, negotiation(2, 0, 1), Buffer.from('abc')), 41007);
  // Bytes that are not TPKT before the first TPKT packet: tshark's TPKT heuristic on 3389 declines them (data).
  const early = new TcpConversation({ serverPort: 3389, clientPort: 41008 });
  early.handshake().send('client', Buffer.from('ECODH\r\n\x01\x00\x08\x00\x03\x00\x00\x00', 'latin1')).send('client', tpkt(CR, cookie('late')));
  conversations.push(early);
  const file = path.join(tmp, 'rdp-negotiation.pcap');
  writeConversations(file, conversations);
  assert.match(tshark(['-r', file]), /RDP \d+ Cookie: mstshash=AWAKECODI, Negotiate Request/);
  compare(file);
});

test('RDP Fast-Path PDUs on 3389: updates, a PDU whose updates run past it, and bytes that are not one', { skip: NO_TSHARK }, () => {
  const c = new TcpConversation({ serverPort: 3389, clientPort: 41100 });
  c.handshake().send('client', tpkt(CR, Buffer.concat([cookie('fp'), negotiation(1, 0, 0)]))).send('server', tpkt(CC, negotiation(2, 0, 0)));
  const fastPath = (header: number, body: Buffer, long = false): Buffer => {
    const length = body.length + (long ? 3 : 2);
    return Buffer.concat([long ? Buffer.from([header, 0x80 | (length >> 8), length & 0xff]) : Buffer.from([header, length]), body]);
  };
  // A palette update and a synchronize, then an orders update longer than the PDU, then a compressed bitmap.
  c.send('server', fastPath(0x00, Buffer.from('0203000a0b0c0304000000000000', 'hex'), true));
  c.send('server', fastPath(0x00, Buffer.from('0040000102', 'hex')));
  c.send('server', fastPath(0x00, Buffer.from('c1210500aabbccddee', 'hex')));
  c.send('client', fastPath(0x08, Buffer.from('0001020304050607', 'hex')));
  c.send('client', Buffer.from('0005000000000000', 'hex'));
  c.fin('client').fin('server').ack('client');
  const file = path.join(tmp, 'rdp-fastpath.pcap');
  writeConversations(file, [c]);
  assert.match(tshark(['-r', file]), /RDP \d+ Fast-Path PDU,Palette,Synchronize/);
  const lines = tshark(['-r', file]);
  assert.equal(sievecap(['-r', file, '-T', 'text']).stdout.toString(), lines);
  const fields = ['-T', 'fields', '-e', 'frame.number', '-e', 'frame.protocols', '-e', 'rdp.fastpath.header', '-e', 'rdp.fastpathPDULength',
    '-e', 'rdp.fastpath.server.size', '-e', 'rdp.fastpath.clienteventcode', '-e', '_ws.col.Protocol', '-e', '_ws.col.Info'];
  assert.equal(sievecap(['-r', file, ...fields]).stdout.toString(), tshark(['-r', file, ...fields]));
});
