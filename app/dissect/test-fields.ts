/**
 * Reading a dissection as tshark prints it, for the dissectors' unit tests: one frame of hex
 * dissected by a fresh Dissector, and a field's every occurrence joined as `tshark -T fields` does.
 */
import assert from 'node:assert/strict';
import { Dissector } from './dissector';
import type { DissectedPacket, DissectOptions, Field } from './model';

/**
 * Dissects one frame given in hex (spaces allowed) as frame 1 at time 0: Ethernet unless
 * `linkType` says otherwise, captured whole unless `origLen` is longer.
 */
export function dissectHex(hex: string, options?: DissectOptions & { linkType?: number; origLen?: number }): DissectedPacket {
  const data = Buffer.from(hex.replace(/\s/g, ''), 'hex');
  const { linkType = 1, origLen = data.length, ...dissectOptions } = options ?? {};
  return new Dissector().dissect({ number: 1, tsNs: 0n, data, origLen, linkType }, options === undefined ? undefined : dissectOptions);
}

/** Every occurrence of a field in the packet's tree, in order, joined by commas (tshark -T fields). */
export function fieldText(packet: DissectedPacket, abbrev: string): string {
  const out: string[] = [];
  const walk = (fields: Field[]): void => {
    for (const f of fields) {
      if (f.abbrev === abbrev) out.push(f.text);
      if (f.children) walk(f.children);
    }
  };
  for (const layer of packet.layers) walk(layer.fields);
  return out.join(',');
}

/**
 * Checks a frame's protocol chain, Protocol and Info columns and field texts against what tshark
 * printed for it, in the whole tree and in a dissection that asks for those fields only.
 */
export function checkAgainstTshark(hex: string, chain: string, protocol: string, info: string, expected: Array<[string, string]>): void {
  const tree = dissectHex(hex);
  assert.equal(fieldText(tree, 'frame.protocols'), chain);
  assert.equal(tree.summary.protocol, protocol);
  assert.equal(tree.summary.info, info);
  const noTree = dissectHex(hex, { fields: new Set(expected.map(([name]) => name)) });
  for (const [name, value] of expected) {
    assert.equal(fieldText(tree, name), value, name);
    assert.equal(fieldText(noTree, name), value, `${name} (no tree)`);
  }
}
