/**
 * MQTT (TCP 1883) as tshark 4.0 shows it, on connections this test builds: MQTT 3.1.1 with a
 * will, user name and password, subscriptions, publishes of each QoS (a long one over three
 * segments, several messages in one segment), the QoS 2 exchange, unsubscribing, pings and a
 * disconnect; MQTT 5.0 with properties of every kind (user properties, topic aliases, a
 * subscription identifier, authentication, content types with a media dissector), reason codes and AUTH; MQTT 3.1 ("MQIsdp") whose
 * CONNACK and SUBSCRIBE differ; and a connection without its CONNECT holding a message that
 * runs past its length, a message split after one byte, a length split between segments (an
 * exception) and a length of ten continuation bytes (a segment after a lost one starts afresh).
 * Compared with tshark: -T fields of the MQTT fields, frame.protocols, Protocol and Info, -V,
 * and -V with -2 (topic aliases looked up on the second pass).
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
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sievecap-mqtt-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

const bytes = (...b: number[]): Buffer => Buffer.from(b);
const u16 = (v: number): Buffer => bytes(v >> 8, v & 0xff);
const u32 = (v: number): Buffer => bytes(v >>> 24, (v >> 16) & 0xff, (v >> 8) & 0xff, v & 0xff);
/** A UTF-8 string with its 2-byte length. */
const str = (text: string): Buffer => {
  const b = Buffer.from(text, 'utf8');
  return Buffer.concat([u16(b.length), b]);
};

/** MQTT's variable byte integer. */
function varint(v: number): Buffer {
  const out: number[] = [];
  do {
    let b = v % 128;
    v = Math.floor(v / 128);
    if (v > 0) b |= 0x80;
    out.push(b);
  } while (v > 0);
  return Buffer.from(out);
}

/** One MQTT control packet: type and flags, remaining length, body. */
function mqtt(type: number, flags: number, ...body: Buffer[]): Buffer {
  const b = Buffer.concat(body);
  return Buffer.concat([bytes((type << 4) | flags), varint(b.length), b]);
}

/** MQTT 5.0 properties with their length. */
function props(...p: Buffer[]): Buffer {
  const b = Buffer.concat(p);
  return Buffer.concat([varint(b.length), b]);
}

function conversations(): TcpConversation[] {
  const out: TcpConversation[] = [];

  // MQTT 3.1.1.
  const a = new TcpConversation({ clientPort: 50001, serverPort: 1883 }).handshake();
  a.send('client', mqtt(1, 0, str('MQTT'), bytes(4, 0xee), u16(60), str('client-311'), str('will/topic'), str('gone'), str('bob'), str('secret')));
  a.send('server', mqtt(2, 0, bytes(0, 0)));
  a.send('client', mqtt(8, 2, u16(1), str('a/b'), bytes(1), str('c/#'), bytes(0)));
  a.send('server', mqtt(9, 0, u16(1), bytes(1, 0x80)));
  a.send('client', mqtt(3, 1, str('a/b'), Buffer.from('hello')));
  const long = mqtt(3, 0x0a, str('a/b'), u16(2), Buffer.alloc(300, 0x41));
  a.send('client', long, [60, 200]);
  a.send('server', Buffer.concat([mqtt(4, 0, u16(2)), mqtt(3, 4, str('c/d'), u16(7), Buffer.from('two')), mqtt(13, 0)]));
  a.send('client', Buffer.concat([mqtt(5, 0, u16(7)), mqtt(3, 0, str('x'), Buffer.from('y')), mqtt(3, 0, str('z'))]), [14]);
  a.send('server', mqtt(6, 2, u16(7)));
  a.send('client', mqtt(7, 0, u16(7)));
  a.send('client', mqtt(10, 2, u16(4), str('a/b'), str('c/#')));
  a.send('server', mqtt(11, 0, u16(4)));
  a.send('client', mqtt(12, 0));
  a.send('server', mqtt(13, 0));
  a.send('client', mqtt(14, 0));
  out.push(a);

  // MQTT 5.0.
  const b = new TcpConversation({ clientPort: 50002, serverPort: 1883 }).handshake();
  b.send('client', mqtt(1, 0, str('MQTT'), bytes(5, 0xc6), u16(30),
    props(bytes(0x11), u32(120), bytes(0x21), u16(20), bytes(0x22), u16(10), bytes(0x27), u32(65536), bytes(0x17, 1), bytes(0x19, 0),
      bytes(0x26), str('region'), str('eu'), bytes(0x15), str('SCRAM-SHA-1'), bytes(0x16), str('nonce')),
    str('client-5'),
    props(bytes(0x18), u32(5), bytes(0x01, 1), bytes(0x02), u32(600), bytes(0x03), str('text/plain'), bytes(0x08), str('resp/t'), bytes(0x09), str('corr')),
    str('will/5'), str('bye'), str('alice'), str('pw')));
  b.send('server', mqtt(15, 0, bytes(0x18), props(bytes(0x15), str('SCRAM-SHA-1'), bytes(0x16), str('challenge'))));
  b.send('client', mqtt(15, 0, bytes(0x18), props(bytes(0x15), str('SCRAM-SHA-1'), bytes(0x16), str('proof'))));
  b.send('server', mqtt(2, 0, bytes(1, 0x00), props(bytes(0x22), u16(5), bytes(0x12), str('auto-1'), bytes(0x24, 1), bytes(0x25, 0), bytes(0x28, 1),
    bytes(0x29, 0), bytes(0x2a, 1), bytes(0x13), u16(45), bytes(0x1a), str('info'), bytes(0x1c), str('other:1883'), bytes(0x1f), str('welcome'))));
  b.send('client', mqtt(8, 2, u16(10), props(bytes(0x0b), varint(300), bytes(0x26), str('k'), str('v')), str('s/1'), bytes(0x2e), str('s/2'), bytes(0x01)));
  b.send('server', mqtt(9, 0, u16(10), props(bytes(0x1f), str('ok')), bytes(0x02, 0xa1)));
  b.send('client', mqtt(3, 2, str('sensors/temp'), u16(11), props(bytes(0x23), u16(3), bytes(0x01, 1), bytes(0x03), str('application/x-sievecap')), Buffer.from('21.5')));
  b.send('server', mqtt(4, 0, u16(11), bytes(0x10), props(bytes(0x1f), str('nobody'))));
  b.send('client', mqtt(3, 0, str(''), props(bytes(0x23), u16(3)), Buffer.from('22.0')));
  b.send('client', mqtt(3, 0, str(''), props(bytes(0x23), u16(9)), Buffer.from('?')));
  // Content Types Wireshark has a media dissector for: their layers after the message's.
  b.send('client', Buffer.concat([mqtt(12, 0), mqtt(3, 0, str('j'), props(bytes(0x03), str('application/json')), Buffer.from('{"t": [1, "a"]}')),
    mqtt(3, 0, str('l'), props(bytes(0x03), str('text/plain')), Buffer.from('one\ntwo\n'))]));
  b.send('client', mqtt(3, 4, str('q/2'), u16(12), props(), Buffer.from('x')));
  b.send('server', mqtt(5, 0, u16(12)));
  b.send('client', mqtt(6, 2, u16(12), bytes(0x92)));
  b.send('server', mqtt(7, 0, u16(12), bytes(0), props(bytes(0x1f), str('done'))));
  b.send('server', mqtt(3, 0, str('s/1'), props(bytes(0x0b), varint(300), bytes(0x02), u32(10), bytes(0x99, 7)), Buffer.from('odd')));
  b.send('client', mqtt(10, 2, u16(13), props(), str('s/1'), str('s/2')));
  b.send('server', mqtt(11, 0, u16(13), props(), bytes(0x00, 0x11)));
  b.send('client', mqtt(14, 0, bytes(0x04), props(bytes(0x11), u32(0), bytes(0x1f), str('later'))));
  out.push(b);

  // MQTT 3.1.
  const c = new TcpConversation({ clientPort: 50003, serverPort: 1883 }).handshake();
  c.send('client', mqtt(1, 0, str('MQIsdp'), bytes(3, 0x02), u16(10), str('old')));
  c.send('server', mqtt(2, 0, bytes(0, 5)));
  c.send('client', mqtt(8, 3, u16(1), str('t'), bytes(2)));
  c.send('server', mqtt(9, 0, u16(1), bytes(2)));
  c.send('client', mqtt(6, 2, u16(1)));
  c.send('client', mqtt(10, 2, u16(2), str('t')));
  out.push(c);

  // No CONNECT seen: a message that runs past its length (after a ping in its segment), one split
  // after its first byte, and a length split between segments (an exception; the rest read afresh).
  const d = new TcpConversation({ clientPort: 50004, serverPort: 1883 }).handshake();
  d.send('client', mqtt(3, 0, str('a'), Buffer.from('b')));
  d.send('client', Buffer.concat([mqtt(12, 0), bytes(0x30, 4, 0, 9), Buffer.from('ab')]));
  d.send('client', mqtt(8, 2, u16(5), str('t'), bytes(0)), [7]);
  d.send('client', mqtt(3, 0, str('long'), Buffer.alloc(200, 0x42)), [2]);
  out.push(d);

  // A length of ten continuation bytes: tshark waits for one more segment.
  const e = new TcpConversation({ clientPort: 50005, serverPort: 1883 }).handshake();
  e.send('client', bytes(0xc0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01));
  // A segment after a lost one is not the one more segment the length waits for: it starts afresh
  // (Info: TCP's note, then ", " and the messages).
  e.lose('client', 4);
  e.send('client', Buffer.concat([mqtt(12, 0), mqtt(14, 0)]));
  out.push(e);
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

const MQTT_FIELDS = [
  'mqtt.hdrflags', 'mqtt.msgtype', 'mqtt.dupflag', 'mqtt.qos', 'mqtt.retain', 'mqtt.hdr_reserved', 'mqtt.retain_reserved', 'mqtt.len',
  'mqtt.proto_len', 'mqtt.protoname', 'mqtt.ver', 'mqtt.conflags', 'mqtt.conflag.uname', 'mqtt.conflag.passwd', 'mqtt.conflag.qos',
  'mqtt.conflag.willflag', 'mqtt.conflag.cleansess', 'mqtt.kalive', 'mqtt.clientid', 'mqtt.willtopic', 'mqtt.willmsg', 'mqtt.username',
  'mqtt.passwd', 'mqtt.conack.flags', 'mqtt.conack.flags.sp', 'mqtt.conack.flags.reserved', 'mqtt.conack.val', 'mqtt.topic_len',
  'mqtt.topic', 'mqtt.msgid', 'mqtt.msg', 'mqtt.sub.qos', 'mqtt.suback.qos', 'mqtt.subscription_options', 'mqtt.subscription_options_qos',
  'mqtt.subscription_options_retain', 'mqtt.property_len', 'mqtt.property_id', 'mqtt.prop_number', 'mqtt.property.content_type',
  'mqtt.property.max_qos', 'mqtt.property.topic_alias', 'mqtt.prop_string', 'mqtt.prop_key', 'mqtt.prop_value', 'mqtt.prop_unknown',
  'mqtt.connack.reason_code', 'mqtt.puback.reason_code', 'mqtt.pubrel.reason_code', 'mqtt.pubcomp.reason_code', 'mqtt.suback.reason_code',
  'mqtt.unsuback.reason_code', 'mqtt.disconnect.reason_code', 'mqtt.auth.reason_code', '_ws.expert.message', 'tcp.pdu.size',
];

test('MQTT 3.1, 3.1.1 and 5.0: every message type, properties, messages over segments and several in one, as tshark', { skip: NO_TSHARK }, () => {
  const file = path.join(tmp, 'mqtt.pcap');
  writeConversations(file, conversations());
  const fields = ['-r', file, '-T', 'fields', '-E', 'separator=|', '-E', 'occurrence=a', '-e', 'frame.number', '-e', 'frame.protocols', '-e', '_ws.col.Protocol', '-e', '_ws.col.Info', ...MQTT_FIELDS.flatMap((f) => ['-e', f])];
  const theirs = run('tshark', fields).split('\n');
  const text = theirs.join('\n');
  assert.match(text, /\|MQTT\|Publish Ack \(id=2\), Publish Message \(id=7\) \[c\/d\], Ping Response\|/);
  assert.match(text, /\|Publish Message \[sensors\/temp\]/);
  assert.match(text, /mqtt:json:data-text-lines\|MQTT\|Ping Request, Publish Message \[j\], JavaScript Object Notation \(application\/json\), Publish Message \[l\] \(text\/plain\)\|/);
  assert.match(text, /Unknown version \(missing the CONNECT packet\?\)/);
  assert.deepEqual(run('sievecap', fields).split('\n'), theirs);
  assert.deepEqual(frames(run('sievecap', ['-r', file, '-V'])), frames(run('tshark', ['-r', file, '-V'])));
  // The second pass looks every topic alias up, also where a PUBLISH names its topic.
  assert.deepEqual(frames(run('sievecap', ['-2', '-r', file, '-V'])), frames(run('tshark', ['-2', '-r', file, '-V'])));
});
