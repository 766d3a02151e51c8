/**
 * Syslog (UDP 514): priority, message, and the RFC 3164 / RFC 5424 header parts tshark 4.0 parses.
 * Expected values are what tshark 4.0 prints for the same frames; frames built with python3 struct.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dissectHex, fieldText } from './test-fields';
import { formatText, timestampText } from './syslog';

const FRAMES = {
  rfc3164: '011b1900000002000000000108004500004e000100004011669c0a0000010a0000029c400202003a00003c31333e4465632020332031333a30303a3030206d79686f7374206d796170705b3132335d3a2068656c6c6f20776f726c64',
  rfc5424: '011b1900000002000000000108004500008d000100004011665d0a0000010a0000029c400202007900003c33343e3120323030332d31302d31315432323a31343a31352e3030335a206d796d616368696e652e6578616d706c652e636f6d207375202d2049443437202d20424f4defbbbf27737520726f6f7427206661696c656420666f72206c6f6e7669636b206f6e202f6465762f7074732f38',
  noPriority: '011b1900000002000000000108004500002f00010000401166bb0a0000010a0000029c400202001b00006e6f207072696f7269747920617420616c6c0a',
  escapes: '011b1900000002000000000108004500005900010000401166910a0000010a0000029c400202004500003c3139313e4465632033312032333a35393a3539206820703a2074616209686572650d0a6e6c20017f5c206261636b20c3a9207574663820ff20626164',
  cut: '011b1900000002000000000108004500001f00010000401166cb0a0000010a0000029c400202000b00003c3132',
};

test('Syslog RFC 3164: facility, level, timestamp, hostname, process id, message id', () => {
  const p = dissectHex(FRAMES.rfc3164);
  assert.equal(fieldText(p, 'frame.protocols'), 'eth:ethertype:ip:udp:syslog');
  assert.equal(p.summary.protocol, 'Syslog');
  assert.equal(p.summary.info, 'USER.NOTICE: Dec  3 13:00:00 myhost myapp[123]: hello world');
  assert.equal(fieldText(p, 'syslog.facility'), '1');
  assert.equal(fieldText(p, 'syslog.level'), '5');
  assert.equal(fieldText(p, 'syslog.msg'), 'Dec  3 13:00:00 myhost myapp[123]: hello world');
  assert.equal(fieldText(p, 'syslog.timestamp_rfc3164'), 'Dec  3 13:00:00');
  assert.equal(fieldText(p, 'syslog.hostname'), 'myhost');
  assert.equal(fieldText(p, 'syslog.procid'), 'myapp');
  assert.equal(fieldText(p, 'syslog.msgid'), '[123]: hello world');
  const facility = p.layers.find((l) => l.protocol === 'syslog')!.fields[0]!;
  assert.equal(facility.label, '0000 1... = Facility: USER - random user-level messages (1)');
});

test('Syslog RFC 5424: version, timestamp in UTC, app name; the BOM shown as \\uFEFF in Info', () => {
  const p = dissectHex(FRAMES.rfc5424);
  assert.equal(p.summary.info, "AUTH.CRIT: 1 2003-10-11T22:14:15.003Z mymachine.example.com su - ID47 - BOM\\uFEFF'su root' failed for lonvick on /dev/pts/8");
  assert.equal(fieldText(p, 'syslog.version'), '1');
  assert.equal(fieldText(p, 'syslog.timestamp'), 'Oct 11, 2003 22:14:15.003000000 UTC');
  assert.equal(fieldText(p, 'syslog.hostname'), 'mymachine.example.com');
  assert.equal(fieldText(p, 'syslog.appname'), 'su');
  assert.equal(fieldText(p, 'syslog.procid'), '-');
  assert.equal(fieldText(p, 'syslog.msgid'), "ID47 - BOM\ufffd\ufffd\ufffd'su root' failed for lonvick on /dev/pts/8");
});

test('Syslog without priority, with control characters, and cut short', () => {
  const n = dissectHex(FRAMES.noPriority);
  assert.equal(n.summary.info, 'no priority at all\\n');
  assert.equal(fieldText(n, 'syslog.facility'), '');
  const e = dissectHex(FRAMES.escapes);
  assert.equal(e.summary.info, 'LOCAL7.DEBUG: Dec 31 23:59:59 h p: tab\\there\\r\\nnl \\001\\177\\ back é utf8 \ufffd bad');
  assert.equal(fieldText(e, 'syslog.msg'), 'Dec 31 23:59:59 h p: tab\\there\\r\\nnl \x01\x7f\\ back é utf8 \ufffd bad');
  const c = dissectHex(FRAMES.cut);
  assert.equal(c.summary.info, '[Malformed Packet]');
  assert.equal(c.layers.find((l) => l.protocol === 'syslog')!.status, 'malformed');
});

test('Syslog text helpers', () => {
  assert.equal(formatText(Buffer.from('a\0b', 'latin1')), 'a\\000b');
  assert.equal(timestampText('2003-08-24T05:14:15.000003-07:00'), 'Aug 24, 2003 12:14:15.000003000 UTC');
  assert.equal(timestampText('-'), 'Jan  1, 1970 00:00:00 UTC');
});
