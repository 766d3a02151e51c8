import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dissectBgp } from './bgp';
import type { AppResult, Field } from './model';

const MARKER = 'ff'.repeat(16);

function texts(r: AppResult, abbrev: string): string[] {
  const out: string[] = [];
  const walk = (fields: Field[]): void => {
    for (const f of fields) {
      if (f.abbrev === abbrev) out.push(f.text);
      if (f.children) walk(f.children);
    }
  };
  for (const layer of r.layers) walk(layer.fields);
  return out;
}

function run(hex: string): AppResult {
  const bytes = Buffer.from(hex, 'hex');
  return dissectBgp(bytes, 0, bytes.length);
}

test('BGP: several messages in one segment, one layer each (tests/dissect-tcp-apps-tshark.test.ts compares with tshark)', () => {
  const open = `${MARKER}001d01` + '04' + '00c8' + '00b4' + '0a000001' + '00';
  const keepalive = `${MARKER}001304`;
  const r = run(open + keepalive);
  assert.deepEqual(r.layers.map((l) => l.protocol), ['bgp', 'bgp']);
  assert.equal(r.info, 'OPEN Message, KEEPALIVE Message');
  assert.equal(r.protocolColumn, 'BGP');
  assert.deepEqual(texts(r, 'bgp.type'), ['1', '4']);
  assert.deepEqual(texts(r, 'bgp.open.myas'), ['200']);
  assert.deepEqual(texts(r, 'bgp.open.identifier'), ['10.0.0.1']);
  assert.deepEqual(texts(r, 'bgp.marker'), [MARKER, MARKER]);
});

test('BGP: an UPDATE\'s attributes and prefixes, bytes before the marker, a cut message', () => {
  const attrs = '400101' + '00' + '4002040201fde8' + '4003040a000001';
  const nlri = '18c0a801';
  const body = '0000' + (attrs.length / 2).toString(16).padStart(4, '0') + attrs + nlri;
  const update = `${MARKER}${(19 + body.length / 2).toString(16).padStart(4, '0')}02${body}`;
  const r = run('aabb' + update);
  assert.equal(r.info, 'UPDATE Message');
  assert.deepEqual(texts(r, 'bgp.update.path_attribute.type_code'), ['1', '2', '3']);
  assert.deepEqual(texts(r, 'bgp.update.path_attribute.as_path_segment.as2'), ['65000']);
  assert.deepEqual(texts(r, 'bgp.update.path_attribute.next_hop'), ['10.0.0.1']);
  assert.deepEqual(texts(r, 'bgp.nlri_prefix'), ['192.168.1.0']);

  const cut = run(`${MARKER}001703` + '01');
  assert.equal(cut.info, 'NOTIFICATION Message[BoundErrorUnreassembled Packet]');
  assert.equal(cut.layers[0]!.status, 'malformed');
  assert.equal(run('0102030405').info, '');
});
