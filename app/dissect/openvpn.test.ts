/**
 * OpenVPN (openvpn.ts) on built frames (tests/support/vpn-frames.ts): resets, ACK arrays, a TLS
 * ClientHello sent in 100-byte fragments, bytes from inside a record (Continuation Data), records past the end of a message, tls-auth, data
 * channel V1/V2, tls-crypt V3/WKC with a wrapped key, cut and malformed messages; over TCP,
 * messages spread over segments and several per segment. Expected values are what tshark 4.0
 * prints for the same frames.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Dissector } from './dissector';
import { fieldText } from './test-fields';
import type { DissectedPacket } from './model';
import { openvpnSslv2LookalikeFrames, openvpnTcpConversation, openvpnTcpFencesConversation, openvpnUdpFrames, type BuiltFrame } from '../../tests/support/vpn-frames';

function dissectAll(frames: readonly BuiltFrame[], options?: { fields?: ReadonlySet<string>; columns?: boolean }): DissectedPacket[] {
  const d = new Dissector();
  return frames.map((f, i) => d.dissect({ number: i + 1, tsNs: BigInt(i) * 1_000_000n, data: f.data, origLen: f.origLen ?? f.data.length, linkType: 1 }, options));
}

const NAMES = [
  'frame.protocols', 'openvpn.type', 'openvpn.opcode', 'openvpn.keyid', 'openvpn.peerid', 'openvpn.sessionid', 'openvpn.pid', 'openvpn.net_time',
  'openvpn.mpidarraylength', 'openvpn.mpidarrayelement', 'openvpn.rsessionid', 'openvpn.mpid', 'openvpn.fragment', 'openvpn.fragment.count',
  'openvpn.reassembled.length', 'openvpn.wkc_len', 'tls.record.length',
];
const udp = dissectAll(openvpnUdpFrames());
const row = (p: DissectedPacket): string => [fieldText(p, NAMES[0]!), p.summary.protocol, p.summary.info, ...NAMES.slice(1).map((n) => fieldText(p, n))].join('|');

test('OpenVPN over UDP: every message as tshark prints it', () => {
  const expected = [
    'eth:ethertype:ip:udp:openvpn|OpenVPN|MessageType: P_CONTROL_HARD_RESET_CLIENT_V2|0x38|0x07|0||1234605616436508552|||0|||0|||||',
    'eth:ethertype:ip:udp:openvpn|OpenVPN|MessageType: P_CONTROL_HARD_RESET_SERVER_V2|0x40|0x08|0||11651590505119483672|||1|0|1234605616436508552|0|||||',
    'eth:ethertype:ip:udp:openvpn|OpenVPN|MessageType: P_CONTROL_V1|0x20|0x04|0||1234605616436508552|||1|0|11651590505119483672|1|||||',
    'eth:ethertype:ip:udp:openvpn|OpenVPN|MessageType: P_ACK_V1|0x28|0x05|0||11651590505119483672|||1|1|1234605616436508552||||||',
    'eth:ethertype:ip:udp:openvpn|OpenVPN|MessageType: P_CONTROL_V1|0x20|0x04|0||1234605616436508552|||0|||2|||||',
    'eth:ethertype:ip:udp:openvpn:tls|TLSv1|Client Hello|0x20|0x04|0||1234605616436508552|||0|||3|3,5,6|3|272||267',
    'eth:ethertype:ip:udp:openvpn:tls|SSL|Continuation Data|0x20|0x04|0||1234605616436508552|||0|||4|||||',
    'eth:ethertype:ip:udp:openvpn:tls|TLSv1.2|Change Cipher Spec|0x20|0x04|0||11651590505119483672|||2|2,3|1234605616436508552|1|||||1',
    'eth:ethertype:ip:udp:openvpn:data|OpenVPN|MessageType: P_CONTROL_V1|0x20|0x04|0||11651590505119483672|||0|||2|||||',
    'eth:ethertype:ip:udp:openvpn:tls|TLSv1.2|Application Data|0x21|0x04|1||1234605616436508552|7|Nov 14, 2023 22:13:20.000000000 UTC|1|4|11651590505119483672|4|||||4',
    'eth:ethertype:ip:udp:openvpn|OpenVPN|MessageType: P_DATA_V1|0x31|0x06|1|||||||||||||',
    'eth:ethertype:ip:udp:openvpn|OpenVPN|MessageType: P_DATA_V2|0x4a|0x09|2|7||||||||||||',
    'eth:ethertype:ip:udp:openvpn|OpenVPN|MessageType: P_CONTROL_HARD_RESET_CLIENT_V3|0x50|0x0a|0||1234605616436508552|1|Nov 14, 2023 22:13:21.000000000 UTC||||||||32|',
    'eth:ethertype:ip:udp:openvpn|OpenVPN|MessageType: P_CONTROL_WKC_V1|0x58|0x0b|0||1234605616436508552|2|Nov 14, 2023 22:13:22.000000000 UTC||||||||32|',
    'eth:ethertype:ip:udp:openvpn|OpenVPN|MessageType: P_ACK_V1[Malformed Packet]|0x28|0x05|0||11651590505119483672|||3|1|||||||',
    'eth:ethertype:ip:udp:openvpn|OpenVPN|MessageType: P_CONTROL_V1[Packet size limited during capture]|0x20|0x04|0||1234605616436508552|||2|3|||||||',
    'eth:ethertype:ip:udp:openvpn|OpenVPN|MessageType: Unknown Messagetype[Malformed Packet]|0xff|0x1f|7||5138138080169587064|||||||||||',
    'eth:ethertype:ip:udp:openvpn:tls|TLSv1.2||0x20|0x04|0||1234605616436508552|||0|||10|||||',
    'eth:ethertype:ip:udp:openvpn:tls|TLSv1.2||0x20|0x04|0||1234605616436508552|||0|||11|||||',
    'eth:ethertype:ip:udp:openvpn:tls|TLSv1.2|Client Hello|0x20|0x04|0||1234605616436508552|||0|||12|||||267',
    'eth:ethertype:ip:udp:openvpn|OpenVPN|MessageType: P_CONTROL_HARD_RESET_CLIENT_V3[Malformed Packet]|0x50|0x0a|0||1234605616436508552|1112100951|Mar  8, 2020 22:06:43.000000000 UTC|||||||||',
    'eth:ethertype:ip:udp:openvpn|OpenVPN|MessageType: P_CONTROL_HARD_RESET_CLIENT_V3[Malformed Packet]|0x50|0x0a|0||1234605616436508552|1145786969|Apr  2, 2021 19:20:21.000000000 UTC|||||||||',
  ];
  assert.equal(udp.length, expected.length);
  udp.forEach((p, i) => assert.equal(row(p), expected[i], `frame ${i + 1}`));
  assert.equal(udp[14]!.status, 'malformed');
  assert.equal(udp[15]!.status, 'truncated');
});

test('OpenVPN bytes: fragments, data, HMAC, wrapped client key', () => {
  assert.equal(fieldText(udp[4]!, 'openvpn.fragment_bytes').length, 200);
  assert.equal(fieldText(udp[5]!, 'openvpn.fragment_bytes').length, 144, 'the last fragment of a reassembled message is shown too');
  assert.equal(fieldText(udp[5]!, 'openvpn.fragments'), '1');
  assert.equal(fieldText(udp[0]!, 'openvpn.fragment_bytes'), '');
  assert.equal(fieldText(udp[9]!, 'openvpn.hmac'), '2930373e454c535a61686f767d848b9299a0a7ae');
  assert.equal(fieldText(udp[10]!, 'openvpn.data').length, 80);
  assert.equal(fieldText(udp[12]!, 'openvpn.wkc').length, 64);
  assert.equal(fieldText(udp[12]!, 'openvpn.hmac').length, 64, 'tls-crypt: a 32-byte HMAC');
});

test('OpenVPN over TCP: length prefix, messages across and within segments', () => {
  const frames = (c: { frames: Array<{ data: Buffer }> }): BuiltFrame[] => c.frames.map((f) => ({ data: f.data }));
  const tcp = dissectAll(frames(openvpnTcpConversation()));
  const line = (n: number): string => [fieldText(tcp[n - 1]!, 'frame.protocols'), tcp[n - 1]!.summary.info, fieldText(tcp[n - 1]!, 'openvpn.plen'), fieldText(tcp[n - 1]!, 'openvpn.opcode')].join('|');
  assert.equal(line(5), 'eth:ethertype:ip:tcp:openvpn|MessageType: P_ACK_V1|26,22|0x08,0x05');
  assert.equal(line(7), 'eth:ethertype:ip:tcp|40000 → 1194 [PSH, ACK] Seq=217 Ack=53 Win=65535 Len=150 [TCP segment of a reassembled PDU]||');
  assert.equal(line(8), 'eth:ethertype:ip:tcp:openvpn:tls|Client Hello|426|0x04');
  assert.equal(line(12), 'eth:ethertype:ip:tcp:openvpn|MessageType: P_DATA_V2|34,24|0x09,0x09');
  const fences = dissectAll(frames(openvpnTcpFencesConversation()));
  const cols = (n: number): string => [fieldText(fences[n - 1]!, 'frame.protocols'), fences[n - 1]!.summary.protocol, fences[n - 1]!.summary.info].join('|');
  assert.equal(cols(5), 'eth:ethertype:ip:tcp:openvpn:openvpn|OpenVPN|MessageType: P_ACK_V1MessageType: P_DATA_V2');
  assert.equal(cols(6), 'eth:ethertype:ip:tcp:openvpn:tls|OpenVPN|Client HelloMessageType: P_ACK_V1');
  assert.equal(cols(8), 'eth:ethertype:ip:tcp:openvpn:tls:openvpn|TLSv1|Client HelloMessageType: P_DATA_V2');
  assert.equal(cols(10), 'eth:ethertype:ip:tcp:openvpn:openvpn:tls|OpenVPN|MessageType: P_DATA_V2, Client Hello');
  assert.equal(cols(12), 'eth:ethertype:ip:tcp:openvpn:tls:tls|TLSv1|Client Hello, Client Hello');
  assert.equal(cols(14), 'eth:ethertype:ip:tcp:openvpn|OpenVPN|MessageType: P_CONTROL_V1');
  assert.equal(cols(16), 'eth:ethertype:ip:tcp:openvpn:tls:openvpn:tls|TLSv1|Client Hello, Client Hello, Client Hello');
});

test('without a tree the selected OpenVPN fields come out the same', () => {
  const selected = dissectAll(openvpnUdpFrames(), { fields: new Set(NAMES), columns: false });
  selected.forEach((p, i) => {
    for (const name of NAMES) assert.equal(fieldText(p, name), fieldText(udp[i]!, name), `frame ${i + 1} ${name}`);
  });
});

test('OpenVPN control messages whose TLS bytes look like SSLv2 record headers: SSLv2 as tshark 4.0 reads them', () => {
  // Frame number, Protocol, Info, tls.record.version, as tshark -Y tls prints them: a record longer
  // than the message leaves no Info, a whole one is Encrypted Data, a check past the message is
  // [Malformed Packet] and makes the session SSLv2; in a TLS 1.2 session, Ignored Unknown Record.
  const expected = [
    '3|SSL||',
    '4|SSL||',
    '5|SSL||',
    '8|SSLv2|Encrypted Data|0x0002',
    '9|SSLv2|Encrypted Data|0x0002',
    '10|SSLv2|Encrypted Data|0x0002',
    '11|SSLv2|Encrypted Data|0x0002',
    '14|SSL|Continuation Data|',
    '15|SSL|Continuation Data|',
    '16|SSL|Continuation Data|',
    '19|SSLv2|[Malformed Packet]|',
    '20|SSLv2||',
    '21|SSLv2||',
    '22|SSLv2|Encrypted Data|0x0002',
    '23|SSLv2||',
    '24|SSLv2|Encrypted Data|0x0002',
    '27|SSLv2|[Malformed Packet]|',
    '28|SSLv2|Encrypted Data|0x0002',
    '31|TLSv1.2|Change Cipher Spec|0x0303',
    '32|TLSv1.2|Ignored Unknown Record|',
    '33|TLSv1.2|Ignored Unknown Record|',
    '34|SSLv2|Encrypted Data|0x0002',
    '35|TLSv1.2||',
    '36|TLSv1.2|Ignored Unknown Record|',
  ];
  const packets = dissectAll(openvpnSslv2LookalikeFrames());
  const rows = packets.filter((p) => p.layers.some((l) => l.protocol === 'tls')).map((p) => [p.number, p.summary.protocol, p.summary.info, fieldText(p, 'tls.record.version')].join('|'));
  assert.deepEqual(rows, expected);
});
