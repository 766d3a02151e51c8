import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dissectResp } from './resp';

const run = (text: string, request: boolean): string => {
  const bytes = Buffer.from(text, 'latin1');
  return dissectResp(bytes, 0, bytes.length, request).info;
};

test('RESP: commands, replies and lines that are no RESP value (tests/dissect-tcp-apps-tshark.test.ts compares with tshark)', () => {
  assert.equal(run('*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$3\r\nxxx\r\n', true), 'Request: SET key xxx');
  assert.equal(run('+OK\r\n', false), 'Response: OK');
  assert.equal(run('-ERR unknown command\r\n', false), 'Response: Error: ERR unknown command');
  assert.equal(run(':42\r\n', false), 'Response: 42');
  assert.equal(run('*2\r\n$1\r\na\r\n$1\r\nb\r\n', false), 'Response: Array(2)');
  assert.equal(run('$0\r\n\r\n', true), 'Request: BulkString(0)');
  assert.equal(run('PING\r\n', true), 'Request: [fragment]');
  assert.equal(run('+hello', true), 'Request:[BoundErrorUnreassembled Packet]');
});
