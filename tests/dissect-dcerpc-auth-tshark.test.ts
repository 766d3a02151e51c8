/**
 * The authentication verifier of connection-oriented DCE/RPC as tshark 4.0 shows it: a Bind,
 * Bind_ack and AUTH3 carrying NTLMSSP's negotiate, challenge and auth messages (auth type 10),
 * requests and responses with NTLMSSP verifiers at Packet integrity; then an Alter_context with a
 * SPNEGO negTokenInit (type 9), its response with a negTokenTarg, and requests whose verifiers are
 * NTLMSSP signatures and Kerberos 5 wrap tokens, sealed (Packet privacy) and not; a type no
 * dissector registers (Auth Credentials). Compared with tshark on conversations this test builds:
 * -T fields, frame.protocols, Protocol and Info, filters, and -V on the requests and responses (the
 * NTLMSSP handshake's messages and Kerberos' AP-REQ are only outlined or left out). Then
 * connectionless DCE/RPC over UDP (found by its heuristic): requests, responses matched by activity
 * and sequence number, a fragment, both byte orders.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { sievecap } from './support/sievecap';
import { TcpConversation, writeConversations } from './support/tcp-frames';
import { writePcap } from './support/frames';

const NO_TSHARK = spawnSync('tshark', ['--version']).status !== 0 ? 'tshark is not installed (apt-get install tshark)' : false;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sievecap-dcerpc-auth-'));
after(() => { if (!process.env.KEEP) fs.rmSync(tmp, { recursive: true, force: true }); });

function tshark(args: string[]): string {
  const r = spawnSync('tshark', args, { encoding: 'utf8', maxBuffer: 64 << 20 });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

function uuid(text: string): Buffer {
  const b = Buffer.from(text.replace(/-/g, ''), 'hex');
  b.subarray(0, 4).reverse(); b.subarray(4, 6).reverse(); b.subarray(6, 8).reverse();
  return b;
}

const u16 = (v: number): Buffer => { const b = Buffer.alloc(2); b.writeUInt16LE(v); return b; };
const u32 = (v: number): Buffer => { const b = Buffer.alloc(4); b.writeUInt32LE(v); return b; };

/** A PDU: header, body, auth padding to 4 bytes, the verifier's 8-byte header and its data. */
function pdu(type: number, callId: number, body: Buffer, auth?: { type: number; level: number; data: Buffer }): Buffer {
  const pad = auth !== undefined && (type === 0 || type === 2) ? (4 - (body.length % 4)) % 4 : 0;
  const trailer = auth !== undefined ? Buffer.concat([Buffer.alloc(pad), Buffer.from([auth.type, auth.level, pad, 0]), u32(0), auth.data]) : Buffer.alloc(0);
  const h = Buffer.alloc(16);
  h[0] = 5; h[2] = type; h[3] = 3; h[4] = 0x10;
  h.writeUInt16LE(16 + body.length + trailer.length, 8);
  h.writeUInt16LE(auth?.data.length ?? 0, 10);
  h.writeUInt32LE(callId, 12);
  return Buffer.concat([h, body, trailer]);
}

const NDR = '8a885d04-1ceb-11c9-9fe8-08002b104860';
// An interface tshark has no dissector for: its stubs stay bytes.
const IFACE = '11223344-5566-7788-99aa-bbccddeeff00';

function bind(): Buffer {
  return Buffer.concat([u16(4280), u16(4280), u32(0), Buffer.from([1, 0, 0, 0]), u16(0), Buffer.from([1, 0]), uuid(IFACE), u16(2), u16(0), uuid(NDR), u32(2)]);
}

function bindAck(): Buffer {
  const result = Buffer.concat([u16(0), u16(0), uuid(NDR), u32(2)]);
  return Buffer.concat([u16(4280), u16(4280), u32(0x1234), u16(4), Buffer.from('135\0'), Buffer.alloc(2), Buffer.from([1, 0, 0, 0]), result]);
}

const request = (opnum: number, stub: Buffer): Buffer => Buffer.concat([u32(stub.length), u16(0), u16(opnum), stub]);
const response = (stub: Buffer): Buffer => Buffer.concat([u32(stub.length), u16(0), u16(0), stub]);

/** NTLMSSP messages: negotiate, challenge with a target name, auth with domain, user and host. */
function ntlmNegotiate(): Buffer {
  return Buffer.concat([Buffer.from('NTLMSSP\0'), u32(1), u32(0xe2088297), Buffer.alloc(16)]);
}
function ntlmChallenge(): Buffer {
  const name = Buffer.from('DOM', 'utf16le');
  return Buffer.concat([Buffer.from('NTLMSSP\0'), u32(2), u16(name.length), u16(name.length), u32(48), u32(0xe28a8215), Buffer.from('0123456789abcdef', 'hex'), Buffer.alloc(8), u16(0), u16(0), u32(48 + name.length), name]);
}
function ntlmAuth(): Buffer {
  const strings = [Buffer.from('DOM', 'utf16le'), Buffer.from('alice', 'utf16le'), Buffer.from('HOST', 'utf16le')];
  const header = (len: number, off: number): Buffer => Buffer.concat([u16(len), u16(len), u32(off)]);
  let off = 64;
  const fields: Buffer[] = [header(0, off), header(0, off)];
  for (const s of strings) { fields.push(header(s.length, off)); off += s.length; }
  fields.push(header(0, off));
  return Buffer.concat([Buffer.from('NTLMSSP\0'), u32(3), ...fields, u32(0xe2888215), ...strings]);
}
const ntlmVerifier = (seq: number): Buffer => Buffer.concat([u32(1), Buffer.from('a1b2c3d4e5f60718', 'hex'), u32(seq)]);

/** DER: tag, length, value. */
function der(tag: number, ...parts: Buffer[]): Buffer {
  const v = Buffer.concat(parts);
  const len = v.length < 128 ? Buffer.from([v.length]) : v.length < 256 ? Buffer.from([0x81, v.length]) : Buffer.from([0x82, v.length >> 8, v.length & 0xff]);
  return Buffer.concat([Buffer.from([tag]), len, v]);
}
const SPNEGO_OID = Buffer.from('06062b0601050502', 'hex');
const NTLM_OID = Buffer.from('060a2b06010401823702020a', 'hex');
const KRB5_OID = Buffer.from('06092a864886f712010202', 'hex');

function negTokenInit(mech: Buffer, token: Buffer): Buffer {
  return der(0x60, SPNEGO_OID, der(0xa0, der(0x30, der(0xa0, der(0x30, mech)), der(0xa2, der(0x04, token)))));
}
function negTokenTarg(result: number, mech: Buffer | undefined, token: Buffer | undefined, mic?: Buffer): Buffer {
  const parts = [der(0xa0, der(0x0a, Buffer.from([result])))];
  if (mech) parts.push(der(0xa1, mech));
  if (token) parts.push(der(0xa2, der(0x04, token)));
  if (mic) parts.push(der(0xa3, der(0x04, mic)));
  return der(0xa1, der(0x30, ...parts));
}
/** A Kerberos 5 CFX GetMIC token (RFC 4121): 04 04, flags, filler, sequence, checksum. */
const krb5Mic = (): Buffer => Buffer.concat([Buffer.from('040405ffffffffff', 'hex'), Buffer.from('0000000037f90c00', 'hex'), Buffer.alloc(12, 0x5a)]);
/** A Kerberos 5 AP-REQ inside an InitialContextToken (only its OID matters here). */
const krb5ApReq = (): Buffer => der(0x60, KRB5_OID, Buffer.from([1, 0]), der(0x6e, der(0x30, der(0xa0, der(0x02, Buffer.from([5]))))));

test('DCE/RPC verifiers: NTLMSSP, SPNEGO (NTLMSSP and Kerberos), sealed stubs, unknown types', { skip: NO_TSHARK }, () => {
  // NTLMSSP (10) at Packet integrity over the endpoint mapper's port.
  const ntlm = new TcpConversation({ serverPort: 135, clientPort: 50135 });
  ntlm.handshake();
  ntlm.send('client', pdu(11, 1, bind(), { type: 10, level: 5, data: ntlmNegotiate() }));
  ntlm.send('server', pdu(12, 1, bindAck(), { type: 10, level: 5, data: ntlmChallenge() }));
  ntlm.send('client', pdu(16, 1, Buffer.alloc(4), { type: 10, level: 5, data: ntlmAuth() }));
  ntlm.send('client', pdu(0, 2, request(15, Buffer.alloc(21, 0x41)), { type: 10, level: 5, data: ntlmVerifier(0) }));
  ntlm.send('server', pdu(2, 2, response(Buffer.alloc(24, 0x42)), { type: 10, level: 5, data: ntlmVerifier(0) }));
  // Packet privacy: the stub is sealed.
  ntlm.send('client', pdu(0, 3, request(15, Buffer.alloc(32, 0x99)), { type: 10, level: 6, data: ntlmVerifier(1) }));
  // Two PDUs in one segment, the second with a verifier.
  ntlm.send('client', Buffer.concat([pdu(0, 4, request(15, Buffer.alloc(8))), pdu(0, 5, request(15, Buffer.alloc(8)), { type: 10, level: 5, data: ntlmVerifier(2) })]));
  ntlm.fin('client').fin('server').ack('client');

  // SPNEGO (9) on a dynamic port: NTLMSSP inside SPNEGO, then Kerberos.
  const spnego = new TcpConversation({ serverPort: 49667, clientPort: 50136 });
  spnego.handshake();
  spnego.send('client', pdu(14, 1, bind(), { type: 9, level: 5, data: negTokenInit(NTLM_OID, ntlmNegotiate()) }));
  spnego.send('server', pdu(15, 1, bindAck(), { type: 9, level: 5, data: negTokenTarg(1, NTLM_OID, ntlmChallenge()) }));
  spnego.send('client', pdu(14, 2, bind(), { type: 9, level: 5, data: negTokenTarg(1, undefined, ntlmAuth(), ntlmVerifier(0)) }));
  spnego.send('client', pdu(0, 3, request(0, Buffer.alloc(20, 0x43)), { type: 9, level: 5, data: ntlmVerifier(1) }));
  spnego.send('server', pdu(2, 3, response(Buffer.alloc(8, 0x44)), { type: 9, level: 6, data: ntlmVerifier(1) }));
  spnego.fin('client').fin('server').ack('client');

  const krb = new TcpConversation({ serverPort: 49668, clientPort: 50137 });
  krb.handshake();
  krb.send('client', pdu(11, 1, bind(), { type: 9, level: 6, data: negTokenInit(KRB5_OID, krb5ApReq()) }));
  krb.send('server', pdu(12, 1, bindAck(), { type: 9, level: 6, data: negTokenTarg(0, KRB5_OID, undefined, krb5Mic()) }));
  krb.send('client', pdu(0, 2, request(0, Buffer.alloc(16, 0x45)), { type: 9, level: 6, data: krb5Mic() }));
  krb.send('server', pdu(2, 2, response(Buffer.alloc(16, 0x46)), { type: 9, level: 5, data: krb5Mic() }));
  // Types no dissector registers (DPA) and a level NTLMSSP does not (Call).
  krb.send('client', pdu(0, 3, request(0, Buffer.alloc(4)), { type: 17, level: 5, data: Buffer.alloc(16, 0x77) }));
  krb.send('client', pdu(0, 4, request(0, Buffer.alloc(4)), { type: 10, level: 3, data: ntlmVerifier(3) }));
  krb.fin('client').fin('server').ack('client');

  const file = path.join(tmp, 'dcerpc-auth.pcap');
  writeConversations(file, [ntlm, spnego, krb]);
  assert.match(tshark(['-r', file]), /Bind: call_id: 1, Fragment: Single, 1 context items: 11223344-5566-7788-99aa-bbccddeeff00 V2\.0 \(32bit NDR\), NTLMSSP_NEGOTIATE/);

  assert.equal(sievecap(['-r', file, '-T', 'text']).stdout.toString(), tshark(['-r', file]));
  const fields = ['-T', 'fields', '-E', 'occurrence=a', '-e', 'frame.number', '-e', 'frame.protocols', '-e', '_ws.col.Protocol', '-e', '_ws.col.Info',
    '-e', 'dcerpc.cn_auth_len', '-e', 'dcerpc.auth_type', '-e', 'dcerpc.auth_level', '-e', 'dcerpc.auth_pad_len', '-e', 'dcerpc.auth_rsrvd', '-e', 'dcerpc.auth_ctx_id',
    '-e', 'dcerpc.auth_credentials', '-e', 'gss-api.OID', '-e', 'spnego.negResult', '-e', 'spnego.supportedMech', '-e', 'spnego.mechListMIC',
    '-e', 'ntlmssp.messagetype', '-e', 'ntlmssp.auth.username', '-e', 'ntlmssp.auth.domain', '-e', 'ntlmssp.ntlmserverchallenge', '-e', 'ntlmssp.verf.vers', '-e', 'ntlmssp.verf.body',
    '-e', 'spnego.krb5.cfx_flags', '-e', 'spnego.krb5.cfx_seq', '-e', 'spnego.krb5.sgn_cksum',
    '-e', 'dcerpc.stub_data', '-e', 'dcerpc.encrypted_stub_data', '-e', 'dcerpc.auth_padding'];
  assert.equal(sievecap(['-r', file, ...fields]).stdout.toString(), tshark(['-r', file, ...fields]));
  // Requests and responses (with a verifier or not), with their trees in full.
  const calls = ['-Y', 'dcerpc.pkt_type == 0 || dcerpc.pkt_type == 2', '-V'];
  assert.equal(sievecap(['-r', file, ...calls]).stdout.toString(), tshark(['-r', file, ...calls]));
  for (const filter of ['ntlmssp', 'spnego', 'dcerpc.auth_type == 9', 'dcerpc.auth_level == 6', 'ntlmssp.verf.vers == 1']) {
    const picked = ['-Y', filter, '-T', 'fields', '-e', 'frame.number'];
    assert.equal(sievecap(['-r', file, ...picked]).stdout.toString(), tshark(['-r', file, ...picked]), filter);
  }
});

/** Ethernet + IPv4 + UDP around a payload (checksums zero: tshark does not check them). */
function udp(srcPort: number, dstPort: number, payload: Buffer, fromClient: boolean): Buffer {
  const f = Buffer.alloc(42);
  Buffer.from(fromClient ? '0200000000020200000000010800' : '0200000000010200000000020800', 'hex').copy(f, 0);
  f[14] = 0x45; f.writeUInt16BE(28 + payload.length, 16); f[22] = 64; f[23] = 17;
  Buffer.from(fromClient ? [10, 0, 0, 1, 10, 0, 0, 2] : [10, 0, 0, 2, 10, 0, 0, 1]).copy(f, 26);
  f.writeUInt16BE(srcPort, 34); f.writeUInt16BE(dstPort, 36); f.writeUInt16BE(8 + payload.length, 38);
  return Buffer.concat([f, payload]);
}

/** A connectionless header (80 bytes) and body. */
function dg(ptype: number, flags1: number, seq: number, opnum: number, body: Buffer, little = true, fragNum = 0): Buffer {
  const h = Buffer.alloc(80);
  h[0] = 4; h[1] = ptype; h[2] = flags1; h[4] = little ? 0x10 : 0;
  const id = (text: string): Buffer => (little ? uuid(text) : Buffer.from(text.replace(/-/g, ''), 'hex'));
  id('1012bab1-3908-446a-afbb-458037b48ad1').copy(h, 8);
  id(IFACE).copy(h, 24);
  id('4e32dcdd-d803-4eaf-86ee-7650df599e40').copy(h, 40);
  const w32 = (v: number, at: number): void => { if (little) h.writeUInt32LE(v, at); else h.writeUInt32BE(v, at); };
  const w16 = (v: number, at: number): void => { if (little) h.writeUInt16LE(v, at); else h.writeUInt16BE(v, at); };
  w32(0, 56); w32(1, 60); w32(seq, 64); w16(opnum, 68); w16(0xffff, 70); w16(0xffff, 72); w16(body.length, 74); w16(fragNum, 76);
  h[79] = fragNum;
  return Buffer.concat([h, body]);
}

test('connectionless DCE/RPC over UDP: requests, responses, a fragment, big-endian', { skip: NO_TSHARK }, () => {
  const frames = [
    udp(50000, 9999, dg(0, 0x20, 1, 3, Buffer.alloc(0)), true),
    udp(9999, 50000, dg(2, 0, 1, 3, Buffer.alloc(0)), false),
    udp(50000, 9999, dg(0, 0x04, 2, 4, Buffer.alloc(0), true, 1), true),
    // (Idempotent: a request with all flags clear looks like WireGuard's transport data to Sievecap's
    // heuristics, which try WireGuard first.)
    udp(50001, 9998, dg(0, 0x20, 7, 1, Buffer.alloc(0), false), true),
    udp(9998, 50001, dg(2, 0, 7, 1, Buffer.alloc(0), false), false),
  ];
  const file = path.join(tmp, 'dcerpc-udp.pcap');
  writePcap(file, frames);
  assert.match(tshark(['-r', file]), /DCERPC \d+ Request: seq: 1 opnum: 3 len: 0/);
  assert.equal(sievecap(['-r', file, '-T', 'text']).stdout.toString(), tshark(['-r', file]));
  assert.equal(sievecap(['-r', file, '-V']).stdout.toString(), tshark(['-r', file, '-V']));
  const fields = ['-T', 'fields', '-e', 'frame.protocols', '-e', 'dcerpc.pkt_type', '-e', 'dcerpc.dg_flags1', '-e', 'dcerpc.dg_act_id', '-e', 'dcerpc.dg_if_id',
    '-e', 'dcerpc.dg_seqnum', '-e', 'dcerpc.opnum', '-e', 'dcerpc.dg_frag_num', '-e', 'dcerpc.dg_serial_lo', '-e', 'dcerpc.request_in'];
  assert.equal(sievecap(['-r', file, ...fields]).stdout.toString(), tshark(['-r', file, ...fields]));
});
