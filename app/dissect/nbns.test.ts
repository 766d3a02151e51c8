/**
 * NBNS (UDP 137): header, flags, first-level-decoded names with their <xx> suffix, NB records.
 * Expected values are what tshark 4.0 prints for the same frames
 * (`tshark -T fields -e nbns.id -e nbns.flags ... -e nbns.name -e nbns.addr -e _ws.col.Info`).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Dissector } from './dissector';
import { dissectHex, fieldText } from './test-fields';
import { compileDisplayFilter } from '../filter';

const FRAMES = {
  /** Broadcast query for the domain controllers of WORKGROUP. */
  query: 'ffffffffffff02000000000108004500004e0001000001113545c0a8010ac0a801ff00890089003a000012340110000100000000000020464845504643454c45484643455046464641434143414341434143414341424d0000200001',
  /** Its answer: one NB record, B-node unique, 10.0.0.5. */
  response: '02000000000202000000000108004500005a000100000111eddb0a000005c0a8010a0089008900460000123485000000000100000000204547454a454d45464644454646434647454646434341434143414341434143410000200001000493e0000600000a000005',
  /** Registration: question plus an additional record whose name is a compression pointer. */
  registration: 'ffffffffffff0200000000010800450000600001000001113533c0a8010ac0a801ff00890089004c000012352910000100000000000120454e464a454945504644464543414341434143414341434143414341434141410000200001c00c00200001000493e000066000c0a8010a',
  /** NBSTAT query for "*" padded with NULs (unprintable bytes shown as <00>). */
  nbstat: '02000000000202000000000108004500004e0001000001113630c0a8010ac0a8011400890089003a000012360000000100000000000020434b4141414141414141414141414141414141414141414141414141414141410000210001',
};

test('NBNS name query: header, flags (broadcast, no response-only bits), decoded name, Info', () => {
  const p = dissectHex(FRAMES.query);
  assert.equal(fieldText(p, 'frame.protocols'), 'eth:ethertype:ip:udp:nbns');
  assert.equal(p.summary.protocol, 'NBNS');
  assert.equal(p.summary.info, 'Name query NB WORKGROUP<1c>');
  assert.equal(fieldText(p, 'nbns.id'), '0x1234');
  assert.equal(fieldText(p, 'nbns.flags'), '0x0110');
  assert.equal(fieldText(p, 'nbns.flags.broadcast'), '1');
  assert.equal(fieldText(p, 'nbns.flags.recdesired'), '1');
  assert.equal(fieldText(p, 'nbns.flags.authoritative'), '');
  assert.equal(fieldText(p, 'nbns.flags.rcode'), '');
  assert.equal(fieldText(p, 'nbns.count.queries'), '1');
  assert.equal(fieldText(p, 'nbns.name'), 'WORKGROUP<1c>');
  assert.equal(fieldText(p, 'nbns.type'), '32');
  assert.equal(fieldText(p, 'nbns.class'), '1');
});

test('NBNS response: the record name carries its description, NB flags and address, Info the address', () => {
  const p = dissectHex(FRAMES.response);
  assert.equal(p.summary.info, 'Name query response NB 10.0.0.5');
  assert.equal(fieldText(p, 'nbns.flags.authoritative'), '1');
  assert.equal(fieldText(p, 'nbns.flags.rcode'), '0');
  assert.equal(fieldText(p, 'nbns.name'), 'FILESERVER<20> (Server service)');
  assert.equal(fieldText(p, 'nbns.ttl'), '300000');
  assert.equal(fieldText(p, 'nbns.nb_flags'), '0x0000');
  assert.equal(fieldText(p, 'nbns.addr'), '10.0.0.5');
});

test('NBNS registration: compressed additional-record name, Info from the question only', () => {
  const p = dissectHex(FRAMES.registration);
  assert.equal(p.summary.info, 'Registration NB MYHOST<00>');
  assert.equal(fieldText(p, 'nbns.flags.opcode'), '5');
  assert.equal(fieldText(p, 'nbns.name'), 'MYHOST<00>,MYHOST<00> (Workstation/Redirector)');
  assert.equal(fieldText(p, 'nbns.nb_flags.ont'), '3');
  assert.equal(fieldText(p, 'nbns.addr'), '192.168.1.10');
});

test('NBNS NBSTAT query: unprintable name bytes as <xx>', () => {
  const p = dissectHex(FRAMES.nbstat);
  assert.equal(p.summary.info, `Name query NBSTAT *${'<00>'.repeat(15)}`);
  assert.equal(fieldText(p, 'nbns.type'), '33');
});

test('NBNS cut short: truncated, not thrown; filters and no-tree dissection', () => {
  const data = Buffer.from(FRAMES.response, 'hex');
  const cut = data.subarray(0, data.length - 3);
  const p = new Dissector().dissect({ number: 1, tsNs: 0n, data: cut, origLen: data.length, linkType: 1 });
  assert.equal(p.layers.at(-1)!.protocol, 'nbns');
  assert.equal(p.layers.at(-1)!.status, 'truncated');
  assert.equal(compileDisplayFilter('nbns.addr == 10.0.0.5').matches(dissectHex(FRAMES.response), data), true);
  assert.equal(compileDisplayFilter('nbns && dns').matches(dissectHex(FRAMES.query), Buffer.from(FRAMES.query, 'hex')), false);
  assert.equal(fieldText(dissectHex(FRAMES.registration, { fields: new Set(['nbns.name']), columns: false }), 'nbns.name'), 'MYHOST<00>,MYHOST<00> (Workstation/Redirector)');
});
