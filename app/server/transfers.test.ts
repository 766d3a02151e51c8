import * as assert from 'node:assert/strict';
import { test } from 'node:test';
import { attachmentDisposition, downloadName, safeFileName } from './transfers';

test('upload names: one path component, no dot files, no control characters', () => {
  assert.equal(safeFileName('capture.pcapng', 'x'), 'capture.pcapng');
  assert.equal(safeFileName('../../etc/passwd', 'x'), 'passwd');
  assert.equal(safeFileName('C:\\Users\\me\\trace.pcap', 'x'), 'trace.pcap');
  assert.equal(safeFileName('..', 'x'), 'x');
  assert.equal(safeFileName(null, 'x'), 'x');
  assert.equal(safeFileName('.bashrc', 'x'), '_.bashrc');
  assert.equal(safeFileName('a\nb\u0000c.pcap', 'x'), 'abc.pcap');
  const long = safeFileName(`${'a'.repeat(500)}.pcapng`, 'x');
  assert.equal(long.length, 200);
  assert.ok(long.endsWith('.pcapng'));
});

test('download names follow the session', () => {
  assert.equal(downloadName('/tmp/u/trace.pcap.gz', 'file', 3, 'pcapng', false), 'trace.pcapng');
  assert.equal(downloadName('/tmp/u/trace.cap', 'file', 3, 'pcap', true), 'trace-filtered.pcap');
  assert.equal(downloadName('/tmp/spool/capture.pcapng', 'live', 4, 'pcapng', false), 'sievecap-capture-4.pcapng');
  assert.equal(attachmentDisposition('été "1".pcap'), `attachment; filename="_t_ _1_.pcap"; filename*=UTF-8''%C3%A9t%C3%A9%20%221%22.pcap`);
});
