/**
 * ATA over Ethernet: header fields, the ATA header, request/response matching by tag and the Info
 * line. Expected values are what tshark 4.0 prints for the same bytes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Dissector } from './dissector';
import { fieldText } from './test-fields';
import type { DissectedPacket } from './model';

function dissectFrames(frames: { hex: string; linkType?: number; tsNs?: bigint }[]): DissectedPacket[] {
  const d = new Dissector();
  return frames.map((f, i) => {
    const data = Buffer.from(f.hex.replace(/\s+/g, ""), "hex");
    return d.dissect({ number: i + 1, tsNs: f.tsNs ?? 0n, data, origLen: data.length, linkType: f.linkType ?? 1 });
  });
}

const HOST = '20cf3002b052';
const TARGET = '68a3c4f4841e';
/** Version 1, flags (0x08 response), error, major 0x0014, minor 0, command, tag; then the ATA header. */
function aoe(dst: string, src: string, flags: number, command: number, ata = ''): string {
  return dst + src + '88a2' + (0x10 | flags).toString(16) + '00' + '0014' + '00' + command.toString(16).padStart(2, '0') + '0001cd4a' + ata;
}
/** ATA header: flags 0, feature 0, sector count 1, command 0xec (Identify Device), LBA bytes 00 00 00 a0 00 00, 2 reserved. */
const IDENTIFY = '000001ec000000a000000000';
const IDENTIFY_STATUS = '00000040000000a000000000';

test('AoE request and its response: fields, matching, Info', () => {
  const [request, response] = dissectFrames([
    { hex: aoe(TARGET, HOST, 0, 0, IDENTIFY), tsNs: 1_000_000_000n },
    { hex: aoe(HOST, TARGET, 0x08, 0, IDENTIFY_STATUS), tsNs: 1_000_107_000n },
  ]);
  assert.equal(fieldText(request!, 'frame.protocols'), 'eth:ethertype:aoe');
  assert.equal(request!.summary.protocol, 'AoE');
  assert.equal(request!.summary.info, 'Issue ATA Command Request ATA:Identify Device');
  assert.equal(fieldText(request!, 'aoe.version'), '1');
  assert.equal(fieldText(request!, 'aoe.response'), '0');
  assert.equal(fieldText(request!, 'aoe.major'), '0x0014');
  assert.equal(fieldText(request!, 'aoe.minor'), '0x00');
  assert.equal(fieldText(request!, 'aoe.tag'), '0x0001cd4a');
  assert.equal(fieldText(request!, 'aoe.sector_count'), '1');
  assert.equal(fieldText(request!, 'aoe.ata.cmd'), '0xec');
  assert.equal(fieldText(request!, 'aoe.lba'), '0x00000000a0000000');
  assert.equal(response!.summary.info, 'Issue ATA Command Response ATA:Identify Device');
  assert.equal(fieldText(response!, 'aoe.ata.status'), '0x40');
  assert.equal(fieldText(response!, 'aoe.ata.cmd'), '0xec');
  assert.equal(fieldText(response!, 'aoe.response_to'), '1');
  assert.equal(fieldText(response!, 'aoe.time'), '0.000107000');
});

test('a response without its request shows no ATA command', () => {
  const [response] = dissectFrames([{ hex: aoe(HOST, TARGET, 0x08, 0, IDENTIFY_STATUS) }]);
  assert.equal(response!.summary.info, 'Issue ATA Command Response');
  assert.equal(fieldText(response!, 'aoe.ata.cmd'), '');
});

test('query config, error flag, unknown command, version 0', () => {
  const [query, error, unknown, v0] = dissectFrames([
    { hex: aoe('ffffffffffff', HOST, 0, 1) },
    { hex: aoe(HOST, TARGET, 0x0c, 1).replace(/88a21c00/, '88a21c03') },
    { hex: aoe(HOST, TARGET, 0x08, 3) },
    { hex: 'ffffffffffff' + HOST + '88a20000' },
  ]);
  assert.equal(query!.summary.info, 'Query Config Information Request');
  assert.equal(error!.summary.info, 'Error:Device unavailable Query Config Information Response');
  assert.equal(fieldText(error!, 'aoe.error'), '3');
  assert.equal(unknown!.summary.info, 'Unknown command<3> Response');
  assert.equal(v0!.summary.info, '');
  assert.equal(fieldText(v0!, 'aoe.version'), '0');
});

test('an ATA header cut short on the wire is marked malformed, not thrown', () => {
  const [p] = dissectFrames([{ hex: aoe(TARGET, HOST, 0, 0, '0000') }]);
  assert.equal(p!.status, 'malformed');
  assert.equal(fieldText(p!, 'frame.protocols'), 'eth:ethertype:aoe');
});

test('without a tree the selected AoE fields come out the same, matching included', () => {
  const frames = [{ hex: aoe(TARGET, HOST, 0, 0, IDENTIFY), tsNs: 5n }, { hex: aoe(HOST, TARGET, 0x08, 0, IDENTIFY_STATUS), tsNs: 9n }];
  const names = ['aoe.tag', 'aoe.ata.cmd', 'aoe.lba', 'aoe.response_to', 'aoe.aflags.w', 'frame.protocols'];
  const tree = dissectFrames(frames);
  const d = new Dissector();
  const selected = frames.map((f, i) => {
    const data = Buffer.from(f.hex, 'hex');
    return d.dissect({ number: i + 1, tsNs: f.tsNs, data, origLen: data.length, linkType: 1 }, { fields: new Set(names), columns: false });
  });
  selected.forEach((p, i) => names.forEach((name) => assert.equal(fieldText(p, name), fieldText(tree[i]!, name), name)));
});
