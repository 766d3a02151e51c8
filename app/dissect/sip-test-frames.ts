/**
 * Built frames of one SIP call for the SIP/SDP/RTP/RTCP tests (unit and against tshark): an INVITE
 * with an SDP offer, 100 Trying, a 200 OK with the answer, ACK, RTP both ways (PCMU and an RFC 2833
 * event), RTCP on the port above, RTP-looking bytes on ports nobody announced (data: tshark's RTP
 * heuristic is off), a REGISTER, a response to nothing, and cut or malformed messages.
 * 10.0.0.1 is the caller, 10.0.0.2 the callee (test-frames.ts).
 */
import { udpFrame } from './test-frames';

const OFFER = 'v=0\r\no=alice 2890844526 2890844526 IN IP4 10.0.0.1\r\ns=Talk\r\nc=IN IP4 10.0.0.1\r\nt=0 0\r\nm=audio 49170 RTP/AVP 0 101\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-15\r\na=sendrecv\r\n';
const ANSWER = 'v=0\r\no=bob 2808844564 2808844564 IN IP4 10.0.0.2\r\ns=-\r\nc=IN IP4 10.0.0.2\r\nb=AS:64\r\nt=0 0\r\na=tool:test\r\nm=audio 3456 RTP/AVP 0 101\r\na=rtpmap:101 telephone-event/8000\r\na=ptime:20\r\n';

const COMMON = 'Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK776asdhds;rport\r\nFrom: "Alice" <sip:alice@atlanta.example.com>;tag=1928301774\r\n';

function message(first: string, headers: string, body = '', type = 'application/sdp'): Buffer {
  const bodyHeaders = body ? `Content-Type: ${type}\r\n` : '';
  return Buffer.from(`${first}\r\n${headers}${bodyHeaders}Content-Length: ${body.length}\r\n\r\n${body}`, 'latin1');
}

function rtp(pt: number, seq: number, ts: number, ssrc: number, payload: string, marker = false): Buffer {
  const header = Buffer.alloc(12);
  header[0] = 0x80;
  header[1] = pt | (marker ? 0x80 : 0);
  header.writeUInt16BE(seq, 2);
  header.writeUInt32BE(ts, 4);
  header.writeUInt32BE(ssrc, 8);
  return Buffer.concat([header, Buffer.from(payload, 'hex')]);
}

/** A compound RTCP packet: sender report, source description (CNAME alice), goodbye. */
const SR_SDES_BYE = '80c8000611223344e1e2e3e4f1f2f3f40000aaaa0000001000002000' + '81ca00031122334401056' + '16c69636500' + '81cb000111223344';

/** The frames, in order, and their capture times (ns). */
export function sipTestFrames(): { data: Buffer; origLen: number; tsNs: bigint }[] {
  const dialog = 'To: Bob <sip:bob@biloxi.example.com>\r\nCall-ID: a84b4c76e66710@pc33.atlanta.example.com\r\n';
  const answered = 'To: Bob <sip:bob@biloxi.example.com>;tag=a6c85cf\r\nCall-ID: a84b4c76e66710@pc33.atlanta.example.com\r\n';
  const frames: Buffer[] = [
    udpFrame(5060, 5060, message('INVITE sip:bob@biloxi.example.com SIP/2.0', `${COMMON}${dialog}CSeq: 314159 INVITE\r\nContact: <sip:alice@10.0.0.1>\r\nMax-Forwards: 70\r\n`, OFFER)),
    udpFrame(5060, 5060, message('SIP/2.0 100 Trying', `${COMMON}${dialog}CSeq: 314159 INVITE\r\n`), undefined, true),
    udpFrame(5060, 5060, message('SIP/2.0 200 OK', `${COMMON}${answered}CSeq: 314159 INVITE\r\nContact: <sip:bob@10.0.0.2;transport=udp>;expires=60\r\n`, ANSWER), undefined, true),
    udpFrame(5060, 5060, message('ACK sip:bob@10.0.0.2 SIP/2.0', `${COMMON}${answered}CSeq: 314159 ACK\r\n`)),
    udpFrame(49170, 3456, rtp(0, 100, 160, 0xdeadbeef, 'ffffffffffffffff', true)),
    udpFrame(3456, 49170, rtp(0, 7000, 320, 0x01020304, '7f7f7f7f'), undefined, true),
    udpFrame(3456, 49170, rtp(101, 7001, 320, 0x01020304, '058a0320'), undefined, true),
    udpFrame(49171, 3457, Buffer.from(SR_SDES_BYE, 'hex')),
    // RTP on ports no SDP announced: data (tshark's RTP heuristic is off by default).
    udpFrame(40000, 40002, rtp(0, 1, 1, 1, '00112233')),
    udpFrame(5060, 5060, message('BYE sip:bob@10.0.0.2 SIP/2.0', `${COMMON}${answered}CSeq: 314160 BYE\r\n`)),
    udpFrame(5060, 5060, message('SIP/2.0 200 OK', `${COMMON}${answered}CSeq: 314160 BYE\r\n`), undefined, true),
    udpFrame(5060, 5060, message('REGISTER sip:registrar.example.com SIP/2.0', `${COMMON}To: <sip:alice@atlanta.example.com>\r\ni: reg1@10.0.0.1\r\nCSeq: 1 REGISTER\r\nm: <sip:alice@10.0.0.1>;expires=0, <sip:alice@10.0.0.9>\r\n`)),
    // A message cut by the capture, and one whose headers never end.
    udpFrame(5060, 5060, message('OPTIONS sip:bob@biloxi.example.com SIP/2.0', `${COMMON}${dialog}CSeq: 1 OPTIONS\r\n`)),
    udpFrame(5060, 5060, Buffer.from('OPTIONS sip:bob@biloxi.example.com SIP/2.0\r\nCall-ID: x\r\nCSeq: 2 OPTIONS\r\n', 'latin1')),
    // An RTP packet shorter than its header on the announced port.
    udpFrame(49170, 3456, Buffer.from('8000', 'hex')),
  ];
  /** The OPTIONS with its headers (frame 13) is cut by the capture after 90 bytes. */
  return frames.map((data, i) => ({ data: i === 12 ? data.subarray(0, 90) : data, origLen: data.length, tsNs: 1_700_000_000_000_000_000n + BigInt(i) * 2_500_000n }));
}
