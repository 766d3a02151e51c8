import { describe, expect, test } from 'vitest';
import type { PacketField, PacketLayer } from '../../../app/rpc/engine-protocol';
import { ancestors, asciiChar, buildTree, decodeBase64, highlightRange, lineCount, nodeAtByte, offsetText, visibleNodes } from './hex';
import { treeKey } from './tree-nav';

const field = (abbrev: string, offset: number, length: number, children?: PacketField[]): PacketField => ({
  abbrev,
  label: abbrev,
  text: '',
  value: null,
  type: 'none' as const,
  offset,
  length,
  ...(children ? { children } : {}),
});

const layers: PacketLayer[] = [
  { protocol: 'eth', title: 'Ethernet II', offset: 0, length: 14, status: 'ok', problem: null, fields: [field('eth.dst', 0, 6), field('eth.src', 6, 6), field('eth.type', 12, 2)] },
  {
    protocol: 'ip',
    title: 'Internet Protocol Version 4',
    offset: 14,
    length: 20,
    status: 'truncated',
    problem: 'cut short',
    fields: [field('ip.flags', 20, 2, [field('ip.flags.df', 20, 1), field('ip.frag_offset', 20, 2)]), { ...field('ip.hidden', 14, 20), hidden: true }, { ...field('http.body', 0, 500), reassembled: true }],
  },
];

describe('the details tree', () => {
  const nodes = buildTree(layers);
  test('ids, depth and parents; hidden fields left out', () => {
    expect([...nodes.keys()]).toEqual(['L0', 'L0.0', 'L0.1', 'L0.2', 'L1', 'L1.0', 'L1.0.0', 'L1.0.1', 'L1.2']);
    expect(nodes.get('L1.0.1')!.depth).toBe(2);
    expect(ancestors(nodes, 'L1.0.1')).toEqual(['L1', 'L1.0']);
    expect(nodes.get('L1')!.status).toBe('truncated');
  });
  test('only roots and open nodes’ children are visible', () => {
    expect(visibleNodes(nodes, new Set()).map((n) => n.id)).toEqual(['L0', 'L1']);
    expect(visibleNodes(nodes, new Set(['L1', 'L1.0'])).map((n) => n.id)).toEqual(['L0', 'L1', 'L1.0', 'L1.0.0', 'L1.0.1', 'L1.2']);
  });
  test('a byte selects the deepest (then narrowest) field covering it; reassembled ranges do not count', () => {
    expect(nodeAtByte(nodes, 7)!.id).toBe('L0.1');
    expect(nodeAtByte(nodes, 20)!.id).toBe('L1.0.0');
    expect(nodeAtByte(nodes, 21)!.id).toBe('L1.0.1');
    expect(nodeAtByte(nodes, 16)!.id).toBe('L1');
    expect(nodeAtByte(nodes, 400)).toBeNull();
  });
  test('highlight ranges stay in the frame', () => {
    expect(highlightRange(nodes.get('L0.1'), 60)).toEqual({ start: 6, end: 12 });
    expect(highlightRange(nodes.get('L1'), 20)).toEqual({ start: 14, end: 20 });
    expect(highlightRange(nodes.get('L1.2'), 60)).toBeNull();
    expect(highlightRange(null, 60)).toBeNull();
  });
  test('tree keys: arrows move, open and close; Enter toggles', () => {
    const open = new Set(['L1']);
    const visible = visibleNodes(nodes, open);
    const isOpen = (n: { id: string }) => open.has(n.id);
    expect(treeKey('ArrowDown', visible, null, isOpen)).toEqual({ kind: 'select', id: 'L0' });
    expect(treeKey('ArrowDown', visible, 'L0', isOpen)).toEqual({ kind: 'select', id: 'L1' });
    expect(treeKey('ArrowRight', visible, 'L0', isOpen)).toEqual({ kind: 'expand', id: 'L0' });
    expect(treeKey('ArrowRight', visible, 'L1', isOpen)).toEqual({ kind: 'select', id: 'L1.0' });
    expect(treeKey('ArrowLeft', visible, 'L1', isOpen)).toEqual({ kind: 'collapse', id: 'L1' });
    expect(treeKey('ArrowLeft', visible, 'L1.0', isOpen)).toEqual({ kind: 'select', id: 'L1' });
    expect(treeKey('Enter', visible, 'L1.0', isOpen)).toEqual({ kind: 'expand', id: 'L1.0' });
    expect(treeKey('Enter', visible, 'L1.2', isOpen)).toEqual({ kind: 'none' });
    expect(treeKey('End', visible, 'L0', isOpen)).toEqual({ kind: 'select', id: 'L1.2' });
    expect(treeKey('ArrowUp', visible, 'L0', isOpen)).toEqual({ kind: 'none' });
  });
});

test('bytes as the hex pane shows them', () => {
  expect([...decodeBase64('AAF/gP8=')]).toEqual([0, 1, 127, 128, 255]);
  expect(asciiChar(0x41)).toBe('A');
  expect(asciiChar(0x0a)).toBe('.');
  expect(asciiChar(0x7f)).toBe('.');
  expect(offsetText(0x30, 100)).toBe('0030');
  expect(offsetText(0x10010, 0x20000)).toBe('00010010');
  expect(lineCount(0)).toBe(0);
  expect(lineCount(16)).toBe(1);
  expect(lineCount(17)).toBe(2);
});

test('a top-level text item (ARP\'s duplicate address report) carries no filter name; protocols and field-named layers do', () => {
  const text = 'Duplicate IP address detected for 192.168.7.10 (02:00:00:00:00:03) - also in use by 02:00:00:00:00:01 (frame 2)';
  const nodes = buildTree([
    { protocol: 'arp', title: 'Address Resolution Protocol (request)', offset: 14, length: 28, status: 'ok', problem: null, fields: [] },
    { protocol: text, title: `[${text}]`, offset: 14, length: 0, status: 'ok', problem: null, fields: [field('arp.duplicate-address-frame', 14, 0)] },
    { protocol: 'tcp.segments', title: '[2 Reassembled TCP Segments (10 bytes): #1(5), #2(5)]', offset: 0, length: 10, status: 'ok', problem: null, fields: [] },
  ]);
  expect([nodes.get('L0')!.abbrev, nodes.get('L1')!.abbrev, nodes.get('L2')!.abbrev]).toEqual(['arp', '', 'tcp.segments']);
  expect(nodes.get('L1')!.label).toBe(`[${text}]`);
});
