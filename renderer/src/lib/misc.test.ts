import { describe, expect, test } from 'vitest';
import type { PacketField, PacketRow } from '../../../app/rpc/engine-protocol';
import { colorRule, statusMark } from './coloring';
import { addToHistory, HISTORY_KEY, loadHistory, MAX_HISTORY, saveHistory } from './filter-history';
import { columnTemplate, nextSort, PACKET_COLUMNS, resizedWidth } from './packet-columns';
import { shortcutCommand } from './shortcuts';
import { loadTheme } from './theme';
import { errorTitle, errorParts, isCancellation } from './errors';
import { baseName, formatBytes, percent } from './format';
import { conversationFilter, fieldFilter, quoted, streamOf } from './packet-actions';
import { uploadRefusal } from './upload';

const row = (protocol: string, info: string, status: PacketRow['status'] = 'ok'): PacketRow => ({
  number: 1,
  time: '0',
  relativeSeconds: 0,
  source: 'a',
  destination: 'b',
  protocol,
  length: 60,
  info,
  status,
});

describe('colouring rules', () => {
  test('first match wins, as Wireshark', () => {
    expect(colorRule(row('TCP', '80 → 1234 [RST, ACK] Seq=1 Ack=1 Win=0 Len=0'))?.className).toBe('row-rst');
    expect(colorRule(row('TCP', '1234 → 80 [SYN] Seq=0 Win=65535 Len=0'))?.className).toBe('row-synfin');
    expect(colorRule(row('TCP', '1234 → 80 [FIN, ACK] Seq=1 Ack=1 Win=65535 Len=0'))?.className).toBe('row-synfin');
    expect(colorRule(row('TCP', '1234 → 80 [ACK] Seq=1 Ack=1 Win=65535 Len=0'))?.className).toBe('row-tcp');
    expect(colorRule(row('TCP', '[TCP Retransmission] 1234 → 80 [SYN] Seq=0'))?.className).toBe('row-bad');
    expect(colorRule(row('HTTP', 'GET / HTTP/1.1'))?.className).toBe('row-http');
    expect(colorRule(row('DNS', 'Standard query 0x1 A example.com'))?.className).toBe('row-dns');
    expect(colorRule(row('ICMP', 'Echo (ping) request'))?.className).toBe('row-icmp');
    expect(colorRule(row('ICMPv6', 'Neighbor Solicitation'))?.className).toBe('row-icmp');
    expect(colorRule(row('ARP', 'Who has 10.0.0.1? Tell 10.0.0.2'))?.className).toBe('row-arp');
    expect(colorRule(row('UDP', '53 → 1234 Len=20'))?.className).toBe('row-udp');
    expect(colorRule(row('HTTP', 'GET / HTTP/1.1', 'malformed'))?.className).toBe('row-bad');
    expect(colorRule(row('LLC', 'whatever'))).toBeNull();
  });
  test('truncated and malformed rows say so', () => {
    expect(statusMark({ status: 'truncated' })).toBe('Truncated');
    expect(statusMark({ status: 'malformed' })).toBe('Malformed');
    expect(statusMark({ status: 'ok' })).toBe('');
  });
});

describe('columns', () => {
  test('declared as data with the engine’s sort keys', () => {
    expect(PACKET_COLUMNS.map((c) => c.title)).toEqual(['No.', 'Time', 'Source', 'Destination', 'Protocol', 'Length', 'Info']);
    expect(PACKET_COLUMNS[1]!.text(row('TCP', ''))).toBe('0.000000');
    expect(columnTemplate([10, 20, 30])).toBe('10px 20px minmax(30px, 1fr)');
    expect(resizedWidth(PACKET_COLUMNS[0]!, 72, -100)).toBe(PACKET_COLUMNS[0]!.minWidth);
  });
  test('a header click cycles ascending, descending, frame order', () => {
    expect(nextSort(null, 'source')).toEqual({ column: 'source', descending: false });
    expect(nextSort({ column: 'source', descending: false }, 'source')).toEqual({ column: 'source', descending: true });
    expect(nextSort({ column: 'source', descending: true }, 'source')).toBeNull();
    expect(nextSort({ column: 'source', descending: true }, 'length')).toEqual({ column: 'length', descending: false });
  });
});

describe('display filter history', () => {
  test('newest first, no repeats, bounded, survives bad storage', () => {
    let h: string[] = [];
    h = addToHistory(h, 'tcp');
    h = addToHistory(h, 'dns');
    h = addToHistory(h, ' tcp ');
    h = addToHistory(h, '');
    expect(h).toEqual(['tcp', 'dns']);
    for (let i = 0; i < 50; i++) h = addToHistory(h, `frame.number == ${i}`);
    expect(h).toHaveLength(MAX_HISTORY);
    const store = new Map<string, string>();
    const storage = { getItem: (k: string) => store.get(k) ?? null, setItem: (k: string, v: string) => void store.set(k, v) };
    saveHistory(storage, h);
    expect(loadHistory(storage)).toEqual(h);
    store.set(HISTORY_KEY, '{not json');
    expect(loadHistory(storage)).toEqual([]);
    expect(loadHistory(null)).toEqual([]);
  });
});

describe('shortcuts', () => {
  const key = (k: string, mods: Partial<{ ctrlKey: boolean; shiftKey: boolean; altKey: boolean; metaKey: boolean }> = {}) => ({ key: k, ctrlKey: true, shiftKey: false, altKey: false, metaKey: false, ...mods });
  test('Wireshark’s keys in serve mode', () => {
    expect(shortcutCommand(key('e'), false)).toBe('capture-start-stop');
    expect(shortcutCommand(key('E'), false)).toBe('capture-start-stop');
    expect(shortcutCommand(key('k'), false)).toBe('capture-options');
    expect(shortcutCommand(key('o'), false)).toBe('open');
    expect(shortcutCommand(key('s'), false)).toBe('save');
    expect(shortcutCommand(key('S', { shiftKey: true }), false)).toBe('save-as');
    expect(shortcutCommand(key('f'), false)).toBe('find');
    expect(shortcutCommand(key('g'), false)).toBe('go-to-packet');
    expect(shortcutCommand(key('/'), false)).toBe('focus-display-filter');
    expect(shortcutCommand(key('e', { ctrlKey: false }), false)).toBeNull();
    expect(shortcutCommand(key('x'), false)).toBeNull();
    expect(shortcutCommand(key('T', { altKey: true, shiftKey: true }), false)).toBe('follow-stream');
    expect(shortcutCommand(key('e', { altKey: true }), false)).toBeNull();
  });
  test('in Electron the menu’s accelerators run them, not the page', () => {
    expect(shortcutCommand(key('e'), true)).toBeNull();
    expect(shortcutCommand(key('T', { altKey: true, shiftKey: true }), true)).toBe('follow-stream');
  });
});

test('theme, errors, formats', () => {
  expect(loadTheme({ getItem: () => 'dark' })).toBe('dark');
  expect(loadTheme({ getItem: () => 'purple' })).toBe('system');
  expect(loadTheme(null)).toBe('system');
  expect(errorTitle('EPERM', 'Starting')).toBe('Capturing needs privileges');
  expect(errorTitle('EWHATEVER', 'Starting the capture')).toBe('Starting the capture failed');
  expect(errorParts(Object.assign(new Error('x'), { code: 'EDAMAGED', session: 3 }))).toEqual({ code: 'EDAMAGED', message: 'x', session: 3 });
  expect(isCancellation({ code: 'ECANCELED' })).toBe(true);
  expect(formatBytes(512)).toBe('512 B');
  expect(formatBytes(1536)).toBe('1.5 kB');
  expect(formatBytes(50_000_000)).toBe('50 MB');
  expect(baseName('/a/b/c.pcap')).toBe('c.pcap');
  expect(percent(5, 0)).toBeNull();
  expect(percent(5, 10)).toBe(50);
});

test('an upload refusal names the server’s reason', () => {
  expect(uploadRefusal(413, 'the file is larger than the 4 GiB an upload may be', 'big.pcap')).toBe('uploading big.pcap failed (413): the file is larger than the 4 GiB an upload may be');
  expect(uploadRefusal(500, '{"error":{"code":"EIO","message":"disk full"}}', 'a.pcap')).toBe('uploading a.pcap failed (500): disk full');
  expect(uploadRefusal(502, '', 'a.pcap')).toBe('uploading a.pcap failed (502)');
});

describe('packet actions', () => {
  const f = (abbrev: string, type: PacketField['type'], text: string, value: PacketField['value']): PacketField => ({ abbrev, type, text, value, label: abbrev, offset: 0, length: 0 });
  test('the stream a packet belongs to', () => {
    const detail = (fields: PacketField[]) => ({ layers: [{ protocol: 'x', title: '', offset: 0, length: 0, status: 'ok' as const, problem: null, fields }] }) as never;
    expect(streamOf(detail([f('tcp.srcport', 'number', '80', 80), { ...f('tcp.flags', 'number', '0x002', 2), children: [] }, f('tcp.stream', 'number', '7', 7)]))).toEqual({ protocol: 'tcp', stream: 7 });
    expect(streamOf(detail([f('udp.stream', 'number', '3', 3)]))).toEqual({ protocol: 'udp', stream: 3 });
    expect(streamOf(detail([f('icmp.type', 'number', '8', 8)]))).toBeNull();
    expect(streamOf(null)).toBeNull();
    expect(conversationFilter({ protocol: 'tcp', stream: 7 })).toBe('tcp.stream eq 7');
  });
  test('a field as a display filter', () => {
    expect(fieldFilter(f('tcp.port', 'number', '80', 80))).toBe('tcp.port == 80');
    expect(fieldFilter(f('http.host', 'string', 'example.test', 'example.test'))).toBe('http.host == "example.test"');
    expect(fieldFilter(f('ip.src', 'string', '10.0.0.1', '10.0.0.1'))).toBe('ip.src == 10.0.0.1');
    expect(fieldFilter(f('ipv6.dst', 'string', 'fe80::1', 'fe80::1'))).toBe('ipv6.dst == fe80::1');
    expect(fieldFilter(f('eth.src', 'string', '02:00:00:00:00:01', '02:00:00:00:00:01'))).toBe('eth.src == 02:00:00:00:00:01');
    expect(fieldFilter(f('http.user_agent', 'string', 'curl/8: 1.2.3.4', 'curl/8: 1.2.3.4'))).toBe('http.user_agent == "curl/8: 1.2.3.4"');
    expect(quoted('a"b\\c')).toBe('"a\\"b\\\\c"');
    expect(fieldFilter(f('tcp.flags.syn', 'boolean', 'Set', true))).toBe('tcp.flags.syn == 1');
    expect(fieldFilter(f('eth.dst', 'bytes', '02:00:00:00:00:02', 'AgAAAAAC'))).toBe('eth.dst == 02:00:00:00:00:02');
    expect(fieldFilter(f('data.data', 'bytes', '0a0b', 'Cgs='))).toBe('data.data == 0a:0b');
    expect(fieldFilter(f('http.request', 'none', '', null))).toBe('http.request');
    expect(fieldFilter(f('', 'none', 'text', null))).toBeNull();
  });
});
