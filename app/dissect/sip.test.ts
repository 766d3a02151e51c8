/**
 * SIP with SDP, and the RTP/RTCP its SDP sets up, on the built call of sip-test-frames.ts: request
 * and status lines, header sub-fields, the request a response answers, SDP fields, RTP on the
 * announced endpoints (with its set-up, an RFC 2833 event), RTCP on the port above, RTP bytes on
 * other ports left as data, REGISTER bindings in Info, a cut and an unterminated message, an RTP
 * header cut short. Expected values are what tshark 4.0 prints for the same frames.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Dissector } from './dissector';
import { fieldText } from './test-fields';
import type { DissectedPacket } from './model';
import { sipTestFrames } from './sip-test-frames';
import { looksLikeRtcp } from './rtp';
import { elapsedMs } from './sip';

function dissectAll(options?: { fields?: ReadonlySet<string>; columns?: boolean }): DissectedPacket[] {
  const d = new Dissector();
  return sipTestFrames().map((f, i) => d.dissect({ number: i + 1, tsNs: f.tsNs, data: f.data, origLen: f.origLen, linkType: 1 }, options));
}

test('SIP INVITE with an SDP offer: request line, headers, SDP', () => {
  const p = dissectAll()[0]!;
  assert.equal(fieldText(p, 'frame.protocols'), 'eth:ethertype:ip:udp:sip:sdp');
  assert.equal(p.summary.protocol, 'SIP/SDP');
  assert.equal(p.summary.info, 'Request: INVITE sip:bob@biloxi.example.com | ');
  assert.equal(fieldText(p, 'sip.Method'), 'INVITE');
  assert.equal(fieldText(p, 'sip.r-uri.user'), 'bob');
  assert.equal(fieldText(p, 'sip.r-uri.host'), 'biloxi.example.com');
  assert.equal(fieldText(p, 'sip.from.display.info'), '"Alice"');
  assert.equal(fieldText(p, 'sip.from.addr'), 'sip:alice@atlanta.example.com');
  assert.equal(fieldText(p, 'sip.from.tag'), '1928301774');
  assert.equal(fieldText(p, 'sip.to.display.info'), 'Bob ');
  assert.equal(fieldText(p, 'sip.Call-ID'), 'a84b4c76e66710@pc33.atlanta.example.com');
  assert.equal(fieldText(p, 'sip.CSeq.seq'), '314159');
  assert.equal(fieldText(p, 'sip.CSeq.method'), 'INVITE');
  assert.equal(fieldText(p, 'sip.Via.transport'), 'UDP');
  assert.equal(fieldText(p, 'sip.Via.sent-by.port'), '5060');
  assert.equal(fieldText(p, 'sip.Via.rport'), 'rport');
  assert.equal(fieldText(p, 'sip.Max-Forwards'), '70');
  assert.equal(fieldText(p, 'sip.Content-Type'), 'application/sdp');
  assert.equal(fieldText(p, 'sip.resend'), '0');
  assert.equal(fieldText(p, 'sdp.owner.username'), 'alice');
  assert.equal(fieldText(p, 'sdp.connection_info.address'), '10.0.0.1');
  assert.equal(fieldText(p, 'sdp.media.port'), '49170');
  assert.equal(fieldText(p, 'sdp.media.format'), 'ITU-T G.711 PCMU,DynamicRTP-Type-101,0,101,101');
  assert.equal(fieldText(p, 'sdp.mime.type'), 'PCMU,telephone-event');
  assert.equal(fieldText(p, 'sdp.media_attribute.field'), 'rtpmap,rtpmap,fmtp');
  assert.equal(fieldText(p, 'sdp.fmtp.parameter'), '0-15');
  assert.equal(fieldText(p, 'sip.call_id_generated'), 'a84b4c76e66710@pc33.atlanta.example.com,a84b4c76e66710@pc33.atlanta.example.com');
});

test('SIP responses: status line, the request they answer, Info', () => {
  const packets = dissectAll();
  assert.equal(packets[1]!.summary.info, 'Status: 100 Trying | ');
  assert.equal(fieldText(packets[1]!, 'sip.Status-Code'), '100');
  assert.equal(fieldText(packets[1]!, 'sip.response-request'), '1');
  assert.equal(fieldText(packets[1]!, 'sip.response-time'), '2');
  const ok = packets[2]!;
  assert.equal(ok.summary.info, 'Status: 200 OK (INVITE) | ');
  assert.equal(fieldText(ok, 'sip.response-time'), '5');
  assert.equal(fieldText(ok, 'sip.contact.param'), 'transport=udp');
  assert.equal(fieldText(ok, 'sip.contact.parameter'), 'expires=60');
  assert.equal(fieldText(ok, 'sip.tag'), '1928301774,a6c85cf');
  assert.equal(fieldText(ok, 'sdp.bandwidth.value'), '64');
  assert.equal(fieldText(ok, 'sdp.session_attr.field'), 'tool');
  assert.equal(fieldText(packets[3]!, 'sip.response-request'), '1');
  assert.equal(packets[10]!.summary.info, 'Status: 200 OK (BYE) | ');
  assert.equal(fieldText(packets[10]!, 'sip.release-time'), '2');
  assert.equal(packets[11]!.summary.info, 'Request: REGISTER sip:registrar.example.com  (remove 1 binding) (add 1 binding) | ');
});

test('RTP and RTCP on the endpoints the SDP announced; elsewhere data', () => {
  const packets = dissectAll();
  const first = packets[4]!;
  assert.equal(fieldText(first, 'frame.protocols'), 'eth:ethertype:ip:udp:rtp');
  assert.equal(first.summary.info, 'PT=ITU-T G.711 PCMU, SSRC=0xDEADBEEF, Seq=100, Time=160, Mark');
  assert.equal(fieldText(first, 'rtp.setup-frame'), '1');
  assert.equal(fieldText(first, 'rtp.setup-method'), 'SDP');
  assert.equal(fieldText(first, 'rtp.extseq'), '65636');
  assert.equal(fieldText(first, 'rtp.ssrc'), '0xdeadbeef');
  assert.equal(fieldText(first, 'rtp.payload'), 'ffffffffffffffff');
  assert.equal(packets[5]!.summary.info, 'PT=ITU-T G.711 PCMU, SSRC=0x1020304, Seq=7000, Time=320');
  const event = packets[6]!;
  assert.equal(fieldText(event, 'frame.protocols'), 'eth:ethertype:ip:udp:rtp:rtpevent');
  assert.equal(event.summary.protocol, 'RTP EVENT');
  assert.equal(event.summary.info, 'Payload type=RTP Event, DTMF Five 5 (end)');
  assert.equal(fieldText(event, 'rtpevent.duration'), '800');
  const rtcp = packets[7]!;
  assert.equal(fieldText(rtcp, 'frame.protocols'), 'eth:ethertype:ip:udp:rtcp');
  assert.equal(rtcp.summary.info, 'Sender Report   Source description   Goodbye   ');
  assert.equal(fieldText(rtcp, 'rtcp.setup-frame'), '1,1,1');
  assert.equal(fieldText(rtcp, 'rtcp.pt'), '200,202,203');
  assert.equal(fieldText(rtcp, 'rtcp.timestamp.ntp'), 'Feb  3, 2020 18:24:36.945113417 UTC');
  assert.equal(fieldText(rtcp, 'rtcp.sdes.text'), 'alice');
  assert.equal(fieldText(rtcp, 'rtcp.length_check'), '1');
  assert.equal(fieldText(packets[8]!, 'frame.protocols'), 'eth:ethertype:ip:udp:data');
});

test('cut, unterminated and short messages are marked as tshark marks them', () => {
  const packets = dissectAll();
  assert.equal(packets[12]!.summary.info, 'Request: OPTIONS sip:bob@biloxi.example.com[Packet size limited during capture]');
  assert.equal(fieldText(packets[12]!, 'sip.resend'), '');
  assert.equal(packets[13]!.summary.info, 'Request: OPTIONS sip:bob@biloxi.example.com | ');
  assert.equal(fieldText(packets[13]!, 'sip.header_not_terminated'), '1');
  const short = packets[14]!;
  assert.equal(fieldText(short, 'frame.protocols'), 'eth:ethertype:ip:udp:rtp');
  assert.equal(short.summary.protocol, 'UDP');
  assert.equal(short.summary.info, '49170 → 3456 Len=2[Malformed Packet]');
  assert.equal(fieldText(short, 'rtp.version'), '');
});

test("RTCP heuristic: version 2, SR/RR/BYE/APP/PSFB first, length a multiple of 4 (any port)", () => {
  assert.equal(looksLikeRtcp(Buffer.from('80c9000111223344', 'hex'), 0, 8), true);
  assert.equal(looksLikeRtcp(Buffer.from('80ca000111223344', 'hex'), 0, 8), false);
  assert.equal(looksLikeRtcp(Buffer.from('80c90001112233', 'hex'), 0, 7), false);
  assert.equal(looksLikeRtcp(Buffer.from('40c9000111223344', 'hex'), 0, 8), false);
});

test('without a tree the selected SIP, SDP, RTP and RTCP fields come out the same', () => {
  const names = ['sip.Method', 'sip.from.tag', 'sip.response-request', 'sip.call_id_generated', 'sdp.media.port', 'rtp.seq', 'rtp.extseq', 'rtp.setup-frame', 'rtpevent.event_id', 'rtcp.sdes.text', 'rtcp.length_check', 'frame.protocols'];
  const tree = dissectAll();
  const selected = dissectAll({ fields: new Set(names), columns: false });
  tree.forEach((p, i) => {
    for (const name of names) assert.equal(fieldText(selected[i]!, name), fieldText(p, name), `frame ${i + 1} ${name}`);
  });
});

test("elapsedMs counts as packet-sip.c: whole seconds and the nanoseconds' difference truncated toward zero", () => {
  // 2.5 ms within one second: 2; across a second boundary: 1000 + trunc(-997.5) = 3.
  assert.equal(elapsedMs(1_000_100_000n, 1_002_600_000n), 2);
  assert.equal(elapsedMs(1_999_000_000n, 2_001_500_000n), 3);
  assert.equal(elapsedMs(5_000_000_000n, 5_000_000_000n), 0);
  assert.equal(elapsedMs(1_500_000_000n, 3_400_000_000n), 1900);
});
