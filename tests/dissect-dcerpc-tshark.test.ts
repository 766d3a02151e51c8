/**
 * Connection-oriented DCE/RPC (v5) over TCP as tshark 4.0 shows it: found by its heuristic on the
 * endpoint mapper's port 135 and on a dynamic port, a Bind with two context items (one a Bind Time
 * Feature Negotiation), a Bind_ack with a secondary address, a Request, a Response, a Request
 * spread over three segments (reassembled as tcp_dissect_pdus does), two PDUs in one segment, and
 * big-endian data representation. Compared as summary lines, -T fields, frame.protocols and
 * filters with tshark on conversations this test builds; -V on the Bind and Bind_ack frames.
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
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sievecap-dcerpc-'));
after(() => { if (!process.env.KEEP) fs.rmSync(tmp, { recursive: true, force: true }); });

function tshark(args: string[]): string {
  const r = spawnSync('tshark', args, { encoding: 'utf8', maxBuffer: 64 << 20 });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

/** A DCE UUID in little-endian representation. */
function uuid(text: string, little = true): Buffer {
  const h = text.replace(/-/g, '');
  const b = Buffer.from(h, 'hex');
  if (little) {
    b.subarray(0, 4).reverse();
    b.subarray(4, 6).reverse();
    b.subarray(6, 8).reverse();
  }
  return b;
}

/** A PDU: the common header (its fragment length filled in), then the body. */
function pdu(type: number, callId: number, body: Buffer, flags = 3, little = true): Buffer {
  const h = Buffer.alloc(16);
  h[0] = 5; h[2] = type; h[3] = flags; h[4] = little ? 0x10 : 0;
  if (little) { h.writeUInt16LE(16 + body.length, 8); h.writeUInt32LE(callId, 12); } else { h.writeUInt16BE(16 + body.length, 8); h.writeUInt32BE(callId, 12); }
  return Buffer.concat([h, body]);
}

const NDR = '8a885d04-1ceb-11c9-9fe8-08002b104860';
const IFACE = '11223344-5566-7788-99aa-bbccddeeff00';

function bind(little = true): Buffer {
  const u16 = (v: number): Buffer => { const b = Buffer.alloc(2); if (little) b.writeUInt16LE(v); else b.writeUInt16BE(v); return b; };
  const u32 = (v: number): Buffer => { const b = Buffer.alloc(4); if (little) b.writeUInt32LE(v); else b.writeUInt32BE(v); return b; };
  const item = (id: number, trans: string): Buffer => Buffer.concat([u16(id), Buffer.from([1, 0]), uuid(IFACE, little), u16(little ? 2 : 1), u16(little ? 1 : 2), uuid(trans, little), u32(trans === NDR ? 2 : 1)]);
  return Buffer.concat([u16(4280), u16(4280), u32(0), Buffer.from([2, 0, 0, 0]), item(0, NDR), item(1, '6cb71c2c-9812-4540-0300-000000000000')]);
}

function bindAck(): Buffer {
  const r = (result: number, trans: string): Buffer => { const b = Buffer.alloc(24); b.writeUInt16LE(result); uuid(trans).copy(b, 4); b.writeUInt32LE(trans === NDR ? 2 : 0, 20); return b; };
  return Buffer.concat([Buffer.from('b810b810785634120400', 'hex'), Buffer.from('135\0'), Buffer.alloc(2), Buffer.from([2, 0, 0, 0]), r(0, NDR), r(3, '00000000-0000-0000-0000-000000000000')]);
}

function request(ctx: number, opnum: number, stub: Buffer): Buffer {
  const b = Buffer.alloc(8);
  b.writeUInt32LE(stub.length); b.writeUInt16LE(ctx, 4); b.writeUInt16LE(opnum, 6);
  return Buffer.concat([b, stub]);
}

function response(ctx: number, stub: Buffer): Buffer {
  const b = Buffer.alloc(8);
  b.writeUInt32LE(stub.length); b.writeUInt16LE(ctx, 4);
  return Buffer.concat([b, stub]);
}

function compare(file: string): void {
  assert.equal(sievecap(['-r', file, '-T', 'text']).stdout.toString(), tshark(['-r', file]));
  const bindFrames = ['-Y', 'dcerpc.pkt_type == 11 || dcerpc.pkt_type == 12', '-V'];
  assert.equal(sievecap(['-r', file, ...bindFrames]).stdout.toString(), tshark(['-r', file, ...bindFrames]));
  const fields = ['-T', 'fields', '-e', 'frame.number', '-e', 'frame.protocols', '-e', '_ws.col.Protocol', '-e', '_ws.col.Info', '-e', 'dcerpc.ver', '-e', 'dcerpc.ver_minor',
    '-e', 'dcerpc.pkt_type', '-e', 'dcerpc.cn_flags', '-e', 'dcerpc.cn_flags.first_frag', '-e', 'dcerpc.drep', '-e', 'dcerpc.drep.byteorder', '-e', 'dcerpc.cn_frag_len',
    '-e', 'dcerpc.cn_auth_len', '-e', 'dcerpc.cn_call_id', '-e', 'dcerpc.cn_ctx_id', '-e', 'dcerpc.opnum', '-e', 'dcerpc.cn_alloc_hint', '-e', 'dcerpc.cn_bind_to_uuid',
    '-e', 'dcerpc.cn_bind_if_ver', '-e', 'dcerpc.cn_bind_trans_id', '-e', 'dcerpc.cn_ack_result', '-e', 'dcerpc.cn_sec_addr', '-e', 'tcp.pdu.size', '-e', 'tcp.reassembled.length'];
  assert.equal(sievecap(['-r', file, ...fields]).stdout.toString(), tshark(['-r', file, ...fields]));
  for (const filter of ['dcerpc', 'dcerpc.pkt_type == 0', 'dcerpc.cn_call_id == 3']) {
    const picked = ['-Y', filter, '-T', 'fields', '-e', 'frame.number'];
    assert.equal(sievecap(['-r', file, ...picked]).stdout.toString(), tshark(['-r', file, ...picked]), filter);
  }
}

test('DCE/RPC over TCP 135 and a dynamic port: bind, bind_ack, requests, responses, reassembly', { skip: NO_TSHARK }, () => {
  const epm = new TcpConversation({ serverPort: 135, clientPort: 50135 });
  epm.handshake().send('client', pdu(11, 1, bind())).send('server', pdu(12, 1, bindAck()));
  epm.send('client', pdu(0, 2, request(0, 3, Buffer.alloc(24, 0x41))));
  epm.send('server', pdu(2, 2, response(0, Buffer.alloc(12, 0x42))));
  // A request over three segments, then two PDUs in one segment.
  epm.send('client', pdu(0, 3, request(0, 7, Buffer.alloc(200, 0x43))), [10, 100]);
  epm.send('server', Buffer.concat([pdu(2, 3, response(0, Buffer.alloc(8))), pdu(2, 4, response(0, Buffer.alloc(4)))]));
  epm.fin('client').fin('server').ack('client');
  const dynamic = new TcpConversation({ serverPort: 49667, clientPort: 50136 });
  dynamic.handshake().send('client', pdu(11, 1, bind(false), 3, false)).send('server', pdu(12, 1, bindAck()));
  dynamic.send('client', pdu(0, 2, request(1, 0, Buffer.alloc(16)), 1)).send('client', pdu(0, 2, request(1, 0, Buffer.alloc(16)), 2));
  dynamic.fin('client').fin('server').ack('client');
  const file = path.join(tmp, 'dcerpc-tcp.pcap');
  writeConversations(file, [epm, dynamic]);
  assert.match(tshark(['-r', file]), /DCERPC \d+ Bind: call_id: 1, Fragment: Single, 2 context items/);
  compare(file);
});
