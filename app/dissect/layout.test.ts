/**
 * FrameLayout, the layer table every dissection fills: its values equal the fields of the whole
 * tree (ports, streams, flags, sequence numbers, addresses, payload), it is the same with or
 * without a tree, and `simple` holds exactly for one link header + one IP header + its transport.
 * Seeds: the fixed everyday frames of tests/support/seed-frames.ts (no capture, no corpus).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { seedFrames } from '../../tests/support/seed-frames';
import { withVlanTag } from '../../tests/support/frames';
import { Dissector } from './dissector';
import type { DissectedPacket, Field, Layer } from './model';

function find(fields: readonly Field[], abbrev: string): Field | undefined {
  for (const f of fields) {
    if (f.abbrev === abbrev) return f;
    const inner = f.children ? find(f.children, abbrev) : undefined;
    if (inner) return inner;
  }
  return undefined;
}
const value = (layer: Layer, abbrev: string): Field['value'] | undefined => find(layer.fields, abbrev)?.value;

function dissectAll(frames: readonly Buffer[], tree: boolean): DissectedPacket[] {
  const d = new Dissector();
  return frames.map((data, k) => d.dissect({ number: k + 1, tsNs: BigInt(k) * 1_000_000n, data, origLen: data.length, linkType: 1 }, tree ? undefined : { fields: new Set(), columns: false, taps: true }));
}

const frames = [...seedFrames(), ...seedFrames().map((f) => withVlanTag(f, 7))];
const trees = dissectAll(frames, true);
const noTrees = dissectAll(frames, false);

test('the layout (tap events included) is the same with and without a tree', () => {
  noTrees.forEach((p, k) => {
    const { payloadData: a, ...with_ } = trees[k]!.layout!;
    const { payloadData: b, ...without } = p.layout!;
    assert.deepEqual(without, with_, `frame ${k + 1}`);
    assert.equal(a === null, b === null, `frame ${k + 1}`);
  });
  const d = new Dissector();
  assert.equal(d.dissect({ number: 1, tsNs: 0n, data: frames[0]!, origLen: frames[0]!.length, linkType: 1 }, { fields: new Set() }).layout!.taps, null, 'no tap events unless asked for');
});

test('the layout\'s transport values are the tree\'s fields', () => {
  let tcp = 0;
  let udp = 0;
  trees.forEach((p, k) => {
    const l = p.layout!;
    const at = `frame ${k + 1}`;
    if (l.transportLayer < 0) return;
    const layer = p.layers[l.transportLayer]!;
    if (layer.protocol === 'tcp') {
      tcp++;
      assert.equal(l.stream, value(layer, 'tcp.stream'), at);
      assert.equal(l.srcPort, value(layer, 'tcp.srcport'), at);
      assert.equal(l.dstPort, value(layer, 'tcp.dstport'), at);
      assert.equal(l.tcpFlags, value(layer, 'tcp.flags'), at);
      assert.equal(l.seqRaw, value(layer, 'tcp.seq_raw'), at);
      assert.equal(l.ackRaw, value(layer, 'tcp.ack_raw'), at);
      assert.equal(l.segmentLength, value(layer, 'tcp.len'), at);
      assert.equal(l.completenessBefore, value(layer, 'tcp.completeness'), at);
      const payload = value(layer, 'tcp.payload');
      if (Buffer.isBuffer(payload)) assert.deepEqual(l.payloadData!.subarray(l.payloadOffset, Math.min(l.payloadEnd, l.payloadData!.length)), payload, at);
      else assert.equal(l.segmentLength, 0, at);
    } else if (layer.protocol === 'udp') {
      udp++;
      assert.equal(l.stream, value(layer, 'udp.stream'), at);
      assert.equal(l.srcPort, value(layer, 'udp.srcport'), at);
      assert.equal(l.dstPort, value(layer, 'udp.dstport'), at);
    } else return;
    // The addresses are those of the IP header below, and dir is their text order.
    const ip = p.layers.slice(0, l.transportLayer).reverse().find((x) => x.protocol === 'ip' || x.protocol === 'ipv6')!;
    assert.equal(l.netSrc, value(ip, `${ip.protocol}.src`), at);
    assert.equal(l.netDst, value(ip, `${ip.protocol}.dst`), at);
    assert.equal(l.dir, `${l.netSrc}|${l.srcPort}` <= `${l.netDst}|${l.dstPort}` ? 0 : 1, at);
  });
  assert.ok(tcp > 20 && udp > 10, `${tcp} TCP and ${udp} UDP frames checked`);
});

test('simple: one link header, one IP header and its transport; never VLANs, fragments or quoted datagrams', () => {
  const seeds = seedFrames().length;
  let simple = 0;
  trees.forEach((p, k) => {
    const protocols = p.layers.map((x) => x.protocol);
    const ipHeaders = protocols.filter((x) => x === 'ip' || x === 'ipv6').length;
    const l = p.layout!;
    if (k >= seeds || protocols.includes('vlan')) assert.equal(l.simple, false, `frame ${k + 1} has a VLAN tag`);
    if (ipHeaders !== 1 || protocols.includes('ipv6.fraghdr') || find(p.layers.find((x) => x.protocol === 'ip')?.fields ?? [], 'ip.flags.mf')?.value === true) {
      assert.equal(l.simple, false, `frame ${k + 1}: ${protocols.join(':')}`);
    }
    if (l.simple) {
      simple++;
      assert.deepEqual(protocols.slice(0, l.transportLayer + 1).filter((x) => x !== 'frame'), ['eth', l.ipVersion === 4 ? 'ip' : 'ipv6', protocols[l.transportLayer]], `frame ${k + 1}`);
      assert.equal(l.ethOffset, 0);
      assert.equal(l.ipOffset, 14);
    }
  });
  // The seeds hold ICMP errors, fragments and ARP, but most of them are plain TCP and UDP.
  assert.ok(simple > seeds / 2 && simple < seeds, `${simple} of ${seeds} seeds simple`);
});
