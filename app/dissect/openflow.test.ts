import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dissectOpenflow } from './openflow';

test('OpenFlow: a layer per message, named by version, Info from the last (tests/dissect-tcp-apps-tshark.test.ts compares with tshark)', () => {
  const hello = '0100000800000001';
  const barrier = '0112000800000002';
  const bytes = Buffer.from(hello + barrier, 'hex');
  const r = dissectOpenflow(bytes, 0, bytes.length);
  assert.deepEqual(r.chain, ['openflow', 'openflow_v1', 'openflow_v1']);
  assert.equal(r.info, 'Type: OFPT_BARRIER_REQUEST');
  assert.equal(r.protocolColumn, 'OpenFlow');
  const xids = r.layers.flatMap((l) => l.fields.filter((f) => f.abbrev === 'openflow.xid').map((f) => f.text));
  assert.deepEqual(xids, ['1', '2']);

  const multipart = Buffer.from('0412001000000007' + '000d000000000000', 'hex');
  const m = dissectOpenflow(multipart, 0, multipart.length);
  assert.deepEqual(m.chain, ['openflow', 'openflow_v4']);
  assert.equal(m.info, 'Type: OFPT_MULTIPART_REQUEST, OFPMP_PORT_DESC');
  assert.deepEqual(m.layers[1]!.fields.map((f) => `${f.abbrev}=${f.text}`), ['openflow_v4.version=0x04', 'openflow_v4.type=18', 'openflow_v4.length=16', 'openflow_v4.xid=7']);

  const cut = Buffer.from('0100', 'hex');
  assert.equal(dissectOpenflow(cut, 0, cut.length).info, '[BoundErrorUnreassembled Packet]');
});
