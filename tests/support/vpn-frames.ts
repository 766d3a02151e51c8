/**
 * Hand-built WireGuard and OpenVPN frames for the unit tests (app/dissect/wireguard.test.ts,
 * openvpn.test.ts) and their comparison with tshark (tests/dissect-vpn-tshark.test.ts): every
 * message type, fragments, several OpenVPN messages in one TCP segment and one across segments,
 * and cut or malformed ones. Bytes are fixed (no randomness).
 */
import { udpFrame } from '../../app/dissect/test-frames';
import { PcapWriter } from '../../app/pcap/pcap-writer';
import { TcpConversation } from './tcp-frames';

/** n bytes counting up from `seed` (never two zero bytes in a row: a plausible HMAC). */
export function filler(n: number, seed: number): Buffer {
  return Buffer.from(Array.from({ length: n }, (_, i) => ((seed + i * 7) % 251) + 1));
}

function le32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n >>> 0);
  return b;
}

function le64(n: bigint): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(n);
  return b;
}

export const wg = {
  initiation: (sender: number, reserved = '000000'): Buffer => Buffer.concat([Buffer.from(`01${reserved}`, 'hex'), le32(sender), filler(32, 1), filler(48, 2), filler(28, 3), filler(16, 4), Buffer.alloc(16)]),
  response: (sender: number, receiver: number): Buffer => Buffer.concat([Buffer.from('02000000', 'hex'), le32(sender), le32(receiver), filler(32, 5), filler(16, 6), filler(16, 7), filler(16, 8)]),
  cookie: (receiver: number): Buffer => Buffer.concat([Buffer.from('03000000', 'hex'), le32(receiver), filler(24, 9), filler(32, 10)]),
  data: (receiver: number, counter: bigint, length: number, reserved = '000000'): Buffer => Buffer.concat([Buffer.from(`04${reserved}`, 'hex'), le32(receiver), le64(counter), filler(length + 16, 11)]),
};

export interface BuiltFrame {
  data: Buffer;
  /** Length on the wire when the capture cut the frame. */
  origLen?: number;
}

/** A WireGuard exchange on port 51820 and on other ports, then odd and cut messages. */
export function wireguardFrames(): BuiltFrame[] {
  const frames: BuiltFrame[] = [];
  const add = (src: number, dst: number, payload: Buffer, reply = false, capture?: number): void => {
    const data = udpFrame(src, dst, payload, capture, reply);
    frames.push(capture === undefined ? { data } : { data, origLen: udpFrame(src, dst, payload, undefined, reply).length });
  };
  add(51820, 51820, wg.initiation(0x1a2b3c4d));
  add(51820, 51820, wg.cookie(0x1a2b3c4d), true);
  add(51820, 51820, wg.initiation(0x1a2b3c4e));
  add(51820, 51820, wg.response(0x99aabbcc, 0x1a2b3c4e), true);
  add(51820, 51820, wg.data(0x99aabbcc, 0n, 0));
  add(51820, 51820, wg.data(0x1a2b3c4e, 0n, 64), true);
  add(51820, 51820, wg.data(0x99aabbcc, 1n, 1344));
  // Reserved bytes set (Cloudflare): the conversation's dissector still takes data messages.
  add(51820, 51820, wg.data(0x1a2b3c4e, 0x1234567890n, 32, '0a0b0c'), true);
  // Another conversation: reserved bytes set on data without an initiation there is not WireGuard.
  add(40001, 40002, wg.data(0x11111111, 5n, 16, '000100'));
  add(40001, 40002, wg.data(0x11111111, 5n, 16));
  // Unknown session, wrong lengths, an initiation with reserved bytes set.
  add(40003, 40004, wg.initiation(0x22222222, 'ffeedd'));
  add(40005, 40006, wg.initiation(0x33333333).subarray(0, 147));
  add(40005, 40006, Buffer.concat([wg.response(1, 2), Buffer.alloc(1)]));
  // Cut by the capture: an initiation inside its mac1, data inside its tag.
  add(40007, 40008, wg.initiation(0x44444444), false, 42 + 120);
  add(40007, 40008, wg.data(0x44444444, 9n, 0), false, 42 + 24);
  return frames;
}

/** An OpenVPN message header: opcode/key id, then what follows. */
function op(opcode: number, keyId: number, rest: Buffer): Buffer {
  return Buffer.concat([Buffer.from([(opcode << 3) | keyId]), rest]);
}

function be32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0);
  return b;
}

const SID_C = Buffer.from('1122334455667788', 'hex');
const SID_S = Buffer.from('a1b2c3d4e5f60718', 'hex');

/** A control message without tls-auth: session, ack array (ids + remote session), message packet id, payload. */
export function control(opcode: number, keyId: number, session: Buffer, acks: number[], remote: Buffer | null, mpid: number | null, payload: Buffer = Buffer.alloc(0)): Buffer {
  return op(opcode, keyId, Buffer.concat([session, Buffer.from([acks.length]), ...acks.map(be32), remote ?? Buffer.alloc(0), mpid === null ? Buffer.alloc(0) : be32(mpid), payload]));
}

/** A TLS ClientHello record (no extensions): 5 + 4 + 41 + 4 + 2 bytes, length `total` padded with a dummy extension. */
export function clientHello(total: number): Buffer {
  const body = Buffer.concat([Buffer.from('0303', 'hex'), filler(32, 20), Buffer.from([0]), Buffer.from('0004130113020100', 'hex')]);
  const extLen = total - 5 - 4 - body.length - 2;
  const ext = Buffer.concat([Buffer.from([0xff, 0x01]), Buffer.from([(extLen - 4) >> 8, (extLen - 4) & 0xff]), Buffer.alloc(extLen - 4)]);
  const hs = Buffer.concat([body, Buffer.from([extLen >> 8, extLen & 0xff]), ext]);
  const handshake = Buffer.concat([Buffer.from([1, 0, hs.length >> 8, hs.length & 0xff]), hs]);
  return Buffer.concat([Buffer.from([22, 3, 1, handshake.length >> 8, handshake.length & 0xff]), handshake]);
}

/** OpenVPN over UDP: resets, a ClientHello in 100-byte fragments, tls-auth, data, tls-crypt V3 with a wrapped key, cut and malformed. */
export function openvpnUdpFrames(): BuiltFrame[] {
  const frames: BuiltFrame[] = [];
  const add = (payload: Buffer, reply = false, capture?: number): void => {
    const data = udpFrame(50000, 1194, payload, capture, reply);
    frames.push(capture === undefined ? { data } : { data, origLen: udpFrame(50000, 1194, payload, undefined, reply).length });
  };
  add(control(7, 0, SID_C, [], null, 0));
  add(control(8, 0, SID_S, [0], SID_C, 0), true);
  const hello = clientHello(272);
  add(control(4, 0, SID_C, [0], SID_S, 1, hello.subarray(0, 100)));
  add(control(5, 0, SID_S, [1], SID_C, null), true);
  add(control(4, 0, SID_C, [], null, 2, hello.subarray(100, 200)));
  add(control(4, 0, SID_C, [], null, 3, hello.subarray(200)));
  // Before any version: bytes from inside a record that start with a content type but no SSL 3.0-TLS 1.2
  // version are Continuation Data (ssl_looks_like_sslv3), even with a "length" past the message.
  add(control(4, 0, SID_C, [], null, 4, Buffer.concat([Buffer.from('1712340f00', 'hex'), filler(20, 32)])));
  // A whole record and the start of one that runs past the message, then its rest.
  add(control(4, 0, SID_S, [2, 3], SID_C, 1, Buffer.concat([Buffer.from('140303000101', 'hex'), Buffer.from('17030300c8', 'hex'), filler(60, 30)])), true);
  add(control(4, 0, SID_S, [], null, 2, filler(140, 31)), true);
  // tls-auth: HMAC, packet id and net time before the array.
  add(op(4, 1, Buffer.concat([SID_C, filler(20, 40), be32(7), be32(1700000000), Buffer.from([1]), be32(4), SID_S, be32(4), Buffer.from('1703030004', 'hex'), filler(4, 41)])));
  // Data channel: V1 and V2 (peer id).
  add(op(6, 1, filler(40, 50)));
  add(op(9, 2, Buffer.concat([Buffer.from('000007', 'hex'), filler(60, 51)])), true);
  // tls-crypt: a V3 client reset with a wrapped client key, and WKC.
  const wkc = Buffer.concat([filler(30, 60), Buffer.from([0, 32])]);
  add(op(10, 0, Buffer.concat([SID_C, be32(1), be32(1700000001), filler(32, 61), filler(20, 62), wkc])));
  add(op(11, 0, Buffer.concat([SID_C, be32(2), be32(1700000002), filler(32, 63), filler(10, 64), wkc])));
  // A packet-id array longer than the message (malformed), and one cut by the capture.
  add(control(5, 0, SID_S, [1, 2, 3], null, null).subarray(0, 14), true);
  add(control(4, 0, SID_C, [3, 4], SID_S, 9, clientHello(120)), false, 42 + 16);
  // Unknown opcode.
  add(op(31, 7, filler(12, 70)));
  // Control messages whose TLS record runs past their end (left out), or whose record header is cut.
  add(control(4, 0, SID_C, [], null, 10, hello.subarray(0, 150)));
  add(control(4, 0, SID_C, [], null, 11, hello.subarray(0, 3)));
  add(control(4, 0, SID_C, [], null, 12, Buffer.concat([hello, hello.subarray(0, 3)])));
  // tls-crypt V3 whose wrapped-key length (the last two bytes) runs past the message, or past the
  // bytes after the header (random data in static-key mode often looks like this).
  add(op(10, 0, Buffer.concat([SID_C, filler(32, 65), be32(3), be32(1700000003), filler(10, 66), Buffer.from([0x06, 0xbc])])));
  add(op(10, 0, Buffer.concat([SID_C, filler(32, 67), be32(4), be32(1700000004), filler(20, 68), Buffer.from([0, 60])])));
  return frames;
}

/**
 * OpenVPN control messages whose TLS bytes begin like an SSLv2 record header (first byte 0x80 or
 * more, an SSLv2 message type in the third), which tshark 4.0 reads as SSLv2 (dissect_ssl2_record):
 * records longer than the message (no Info), whole ones (Encrypted Data) followed by other bytes,
 * header checks that read past the message ([Malformed Packet]) and the SSLv2 session that follows;
 * in a TLS 1.2 session, an SSLv2 ClientHello header, and a record of unknown content type
 * ("Ignored Unknown Record"). Each case is its own conversation (client port 51000 + n).
 */
export function openvpnSslv2LookalikeFrames(): BuiltFrame[] {
  const frames: BuiltFrame[] = [];
  const cases: { reply?: boolean; tls: string }[][] = [
    [{ tls: '851002' }, { tls: '8510040000' }, { tls: 'ff0000' }],
    [{ tls: '800501020304050607' }, { tls: '80050102030405' }, { tls: '8003000000' }, { tls: '8003010203' }],
    [{ tls: '8003050203' }, { tls: 'ff03030102' }, { tls: '80' }],
    [{ tls: '8003020000' }, { tls: '1703030002aabb' }, { reply: true, tls: '1703030002aabb' }, { tls: '8003010000' }, { tls: '0003040000' }, { tls: '800100' }],
    [{ tls: '8003040000' }, { tls: '8006040000000000' }],
    [{ reply: true, tls: '140303000101' }, { tls: '8510020003aabbcc1703030001ff' }, { tls: '85100200ff' }, { tls: '80050102030405060708' }, { tls: '80ff01' }, { tls: '8105010203' }],
  ];
  cases.forEach((messages, n) => {
    const port = 51000 + n;
    frames.push({ data: udpFrame(port, 1194, control(7, 0, SID_C, [], null, 0)) });
    frames.push({ data: udpFrame(1194, port, control(8, 0, SID_S, [0], SID_C, 0), undefined, true) });
    messages.forEach((m, k) => {
      // Filler after the header bytes: a message longer than its first records, never a record end by chance.
      const tls = Buffer.concat([Buffer.from(m.tls, 'hex'), m.tls.length <= 6 ? filler(24, 90 + k) : Buffer.alloc(0)]);
      const message = control(4, 0, m.reply ? SID_S : SID_C, [], null, k + 1, tls);
      frames.push({ data: m.reply ? udpFrame(1194, port, message, undefined, true) : udpFrame(port, 1194, message) });
    });
  });
  return frames;
}

/** OpenVPN over TCP 1194: two messages in one segment, one spread over three segments, one split inside its length. */
export function openvpnTcpConversation(): TcpConversation {
  const c = new TcpConversation({ serverPort: 1194 });
  const framed = (m: Buffer): Buffer => Buffer.concat([Buffer.from([m.length >> 8, m.length & 0xff]), m]);
  c.handshake();
  c.send('client', framed(control(7, 0, SID_C, [], null, 0)));
  c.send('server', Buffer.concat([framed(control(8, 0, SID_S, [0], SID_C, 0)), framed(control(5, 0, SID_S, [0], SID_C, null))]));
  const hello = framed(control(4, 0, SID_C, [0], SID_S, 1, clientHello(400)));
  c.send('client', hello, [200, 350]);
  c.send('server', framed(control(5, 0, SID_S, [1], SID_C, null)), [1]);
  c.send('server', framed(op(9, 0, Buffer.concat([Buffer.from('000001', 'hex'), filler(30, 80)]))));
  c.send('client', Buffer.concat([framed(op(9, 0, Buffer.concat([Buffer.from('000002', 'hex'), filler(30, 81)]))), framed(op(9, 0, Buffer.concat([Buffer.from('000002', 'hex'), filler(20, 82)])))]));
  return c;
}

export function writeBuiltFrames(file: string, frames: readonly BuiltFrame[]): void {
  const writer = new PcapWriter(file, { linkType: 1, snapLen: 65535 });
  let ts = 1_700_000_000_000_000_000n;
  for (const f of frames) {
    writer.writePacket({ tsNs: ts, data: f.data, origLen: f.origLen });
    ts += 1_000_000n;
  }
  writer.close();
}

/**
 * OpenVPN over TCP where messages put together from earlier segments share a segment with others,
 * with and without TLS: how Wireshark's column fences join their Info (and frame.protocols).
 */
export function openvpnTcpFencesConversation(): TcpConversation {
  const c = new TcpConversation({ serverPort: 1194, clientPort: 40100 });
  const framed = (m: Buffer): Buffer => Buffer.concat([Buffer.from([m.length >> 8, m.length & 0xff]), m]);
  const ack = framed(control(5, 0, SID_S, [1], SID_C, null));
  const data = framed(op(9, 0, Buffer.concat([Buffer.from('000001', 'hex'), filler(30, 80)])));
  const hello = framed(control(4, 0, SID_S, [1], SID_C, 2, clientHello(60)));
  const fragment = framed(control(4, 0, SID_S, [1], SID_C, 3, clientHello(100)));
  c.handshake();
  c.send('server', Buffer.concat([ack, data]), [5]);
  c.send('server', Buffer.concat([hello, ack]));
  c.send('server', Buffer.concat([hello, data]), [7]);
  c.send('server', Buffer.concat([data, hello]), [7]);
  c.send('server', Buffer.concat([ack, hello, hello]), [1]);
  c.send('server', Buffer.concat([ack, data, fragment]), [1]);
  c.send('server', Buffer.concat([hello, hello]), [10]);
  return c;
}
