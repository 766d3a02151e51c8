/**
 * The everyday conveniences' pure parts: the time display choice and its commands, Export
 * Specified Packets' ranges, the find bar's queries, the capture file properties' rows, and the
 * shortcuts (Wireshark's) that run them.
 */
import { describe, expect, test } from 'vitest';
import type { CaptureProperties } from '../../../app/rpc/engine-protocol';
import { MENU_COMMANDS } from '../../../app/rpc/desktop-bridge';
import { findQuery } from '../ui/FindBar.svelte';
import { capinfosTime, propertyRows } from '../ui/PropertiesDialog.svelte';
import { parseFrameRanges } from './frame-ranges';
import { SHORTCUTS, shortcutCommand } from './shortcuts';
import { loadPaneLayout, savePaneLayout } from './pane-layout';
import { anyNames, loadNameResolution, nameResolutionCommand, NAME_RESOLUTION_CHOICES, saveNameResolution } from './name-resolution';
import { loadTimeDisplay, saveTimeDisplay, timeColumnWidth, timeDisplayCommand, TIME_FORMAT_CHOICES, PRECISION_CHOICES } from './time-display';

const key = (k: string, mods: { shift?: boolean; alt?: boolean } = {}) => ({ key: k, ctrlKey: true, metaKey: false, shiftKey: mods.shift ?? false, altKey: mods.alt ?? false });

describe('pane layout', () => {
  test('the splitters’ shares kept in storage, clamped to 0.1–0.9; damaged: the default', () => {
    const store = new Map<string, string>();
    const storage = { getItem: (k: string) => store.get(k) ?? null, setItem: (k: string, v: string) => void store.set(k, v) };
    expect(loadPaneLayout(storage)).toEqual({ list: 0.5, details: 0.6 });
    savePaneLayout(storage, { list: 0.65, details: 0.3 });
    expect(loadPaneLayout(storage)).toEqual({ list: 0.65, details: 0.3 });
    store.set('sievecap.panes', '{"list":5,"details":"x"}');
    expect(loadPaneLayout(storage)).toEqual({ list: 0.9, details: 0.6 });
    store.set('sievecap.panes', 'oops');
    expect(loadPaneLayout(storage)).toEqual({ list: 0.5, details: 0.6 });
  });
});

describe('name resolution', () => {
  test('off by default; each command toggles one kind, kept in storage; every one is a desktop menu command', () => {
    const store = new Map<string, string>();
    const storage = { getItem: (k: string) => store.get(k) ?? null, setItem: (k: string, v: string) => void store.set(k, v) };
    const none = loadNameResolution(storage);
    expect(none).toEqual({ mac: false, network: false, transport: false });
    expect(anyNames(none)).toBe(false);
    const names = nameResolutionCommand(nameResolutionCommand(none, 'name-resolution-network')!, 'name-resolution-transport')!;
    expect(names).toEqual({ mac: false, network: true, transport: true });
    expect(nameResolutionCommand(names, 'name-resolution-network')).toEqual({ mac: false, network: false, transport: true });
    expect(nameResolutionCommand(names, 'time-hms')).toBeNull();
    saveNameResolution(storage, names);
    expect(loadNameResolution(storage)).toEqual(names);
    store.set('sievecap.nameResolution', '{"mac":"yes"');
    expect(loadNameResolution(storage)).toEqual(none);
    const commands = new Set<string>(MENU_COMMANDS);
    expect(NAME_RESOLUTION_CHOICES.every((c) => commands.has(c.command))).toBe(true);
  });
});

describe('time display', () => {
  test('the menu commands change the format, the precision and hours-and-minutes', () => {
    let t = timeDisplayCommand({ format: 'r' }, 'time-format-ud')!;
    expect(t).toEqual({ format: 'ud' });
    t = timeDisplayCommand(t, 'time-precision-3')!;
    expect(t).toEqual({ format: 'ud', precision: 3 });
    t = timeDisplayCommand(t, 'time-hms')!;
    expect(t).toEqual({ format: 'ud', precision: 3, hms: true });
    expect(timeDisplayCommand(t, 'time-precision-auto')).toEqual({ format: 'ud', hms: true });
    expect(timeDisplayCommand(t, 'time-hms')).toEqual({ format: 'ud', precision: 3 });
    expect(timeDisplayCommand(t, 'time-format-x')).toBeNull();
    expect(timeDisplayCommand(t, 'open')).toBeNull();
  });

  test('every choice is a command the desktop menu sends, with tshark’s ten -t formats', () => {
    expect(TIME_FORMAT_CHOICES.map((c) => c.format).sort()).toEqual(['a', 'ad', 'adoy', 'd', 'dd', 'e', 'r', 'u', 'ud', 'udoy']);
    const commands = new Set<string>(MENU_COMMANDS);
    for (const c of TIME_FORMAT_CHOICES) expect(commands.has(`time-format-${c.format}`)).toBe(true);
    for (const c of PRECISION_CHOICES) expect(commands.has(c.precision === null ? 'time-precision-auto' : `time-precision-${c.precision}`)).toBe(true);
  });

  test('kept in storage; anything damaged there gives the default', () => {
    const store = new Map<string, string>();
    const storage = { getItem: (k: string) => store.get(k) ?? null, setItem: (k: string, v: string) => void store.set(k, v) };
    expect(loadTimeDisplay(storage)).toEqual({ format: 'r' });
    saveTimeDisplay(storage, { format: 'adoy', precision: 0, hms: true });
    expect(loadTimeDisplay(storage)).toEqual({ format: 'adoy', precision: 0, hms: true });
    store.set('sievecap.timeDisplay', '{"format":"zz"}');
    expect(loadTimeDisplay(storage)).toEqual({ format: 'r' });
    store.set('sievecap.timeDisplay', '{"format":"e","precision":12}');
    expect(loadTimeDisplay(storage)).toEqual({ format: 'e' });
    expect(loadTimeDisplay(null)).toEqual({ format: 'r' });
  });

  test('the column widens for dates', () => {
    expect(timeColumnWidth({ format: 'r', precision: 6 })).toBe(110);
    expect(timeColumnWidth({ format: 'ad' })).toBeGreaterThan(timeColumnWidth({ format: 'a' }));
    expect(timeColumnWidth({ format: 'ad', precision: 0 })).toBeLessThan(timeColumnWidth({ format: 'ad' }));
  });
});

describe('shortcuts: Wireshark’s', () => {
  test.each([
    ['m', {}, 'mark-packet'], ['m', { shift: true }, 'mark-all-displayed'], ['m', { alt: true }, 'unmark-all-displayed'],
    ['d', {}, 'ignore-packet'], ['d', { shift: true }, 'ignore-all-displayed'], ['d', { alt: true }, 'unignore-all-displayed'],
    ['n', {}, 'find-next'], ['b', {}, 'find-previous'], ['N', { shift: true }, 'next-mark'], ['B', { shift: true }, 'previous-mark'],
    ['.', {}, 'next-in-conversation'], [',', {}, 'previous-in-conversation'], ['C', { shift: true, alt: true }, 'capture-properties'],
    ['1', { alt: true }, 'time-format-ad'], ['4', { alt: true }, 'time-format-r'], ['6', { alt: true }, 'time-format-dd'], ['0', { alt: true }, 'time-hms'],
  ] as const)('Ctrl+%s %o runs %s (left to the native menu in Electron)', (k, mods, command) => {
    expect(shortcutCommand(key(k, mods), false)).toBe(command);
    expect(shortcutCommand(key(k, mods), true)).toBeNull();
  });

  test('every shortcut’s command is one the desktop menu knows, none twice', () => {
    const commands = new Set<string>(MENU_COMMANDS);
    for (const s of SHORTCUTS.filter((x) => x.inMenu)) expect(commands.has(s.command), s.command).toBe(true);
    const keys = SHORTCUTS.map((s) => `${s.key}${s.shift ? '+shift' : ''}${s.alt ? '+alt' : ''}`);
    expect(new Set(keys).size).toBe(keys.length);
  });
});

describe('Export Specified Packets: ranges', () => {
  test('numbers, ranges and open ends, as Wireshark writes them', () => {
    expect(parseFrameRanges('1-10, 15,20-', 100)).toEqual({ ranges: [{ first: 1, last: 10 }, { first: 15, last: 15 }, { first: 20, last: 100 }] });
    expect(parseFrameRanges('-3', 100)).toEqual({ ranges: [{ first: 1, last: 3 }] });
    expect(parseFrameRanges('90-200', 100)).toEqual({ ranges: [{ first: 90, last: 100 }] });
  });
  test('a bad range says what is wrong', () => {
    expect(parseFrameRanges('', 10)).toHaveProperty('error');
    expect(parseFrameRanges('5-2', 10)).toMatchObject({ error: expect.stringContaining('5-2') });
    expect(parseFrameRanges('x', 10)).toMatchObject({ error: expect.stringContaining('not a packet number') });
    expect(parseFrameRanges('11', 10)).toMatchObject({ error: expect.stringContaining('10 packets') });
    expect(parseFrameRanges('0-3', 10)).toHaveProperty('error');
  });
});

describe('Find Packet', () => {
  test('the bar’s text as the engine’s query', () => {
    expect(findQuery('filter', ' dns ', false)).toEqual({ kind: 'filter', filter: 'dns' });
    expect(findQuery('hex', '47 45:54', false)).toEqual({ kind: 'hex', bytes: '474554' });
    expect(findQuery('hex', '0x0A0b', false)).toEqual({ kind: 'hex', bytes: '0a0b' });
    expect(findQuery('hex', '474', false)).toMatch(/not hex bytes/);
    expect(findQuery('string', 'GET /', false)).toEqual({ kind: 'string', text: 'GET /' });
    expect(findQuery('string', 'GET /', true)).toEqual({ kind: 'string', text: 'GET /', caseSensitive: true });
    expect(findQuery('string', '  ', false)).toBe('Type a string');
  });
});

describe('Capture File Properties', () => {
  const properties: CaptureProperties = {
    path: '/tmp/a.pcap', fileType: 'Wireshark/tcpdump/... - pcap', encapsulation: 'Ethernet', timePrecision: 'microseconds (6)',
    fileBytes: 1828, dataBytes: 1532, packets: 17, firstTime: '936850256001097000', lastTime: '936850303978794000', firstTimeText: '1999-09-09 04:10:56.001097', lastTimeText: null, elapsedSeconds: 47.977697,
    bytesPerSecond: 1532 / 47.977697, bitsPerSecond: (1532 * 8) / 47.977697, averagePacketBytes: 1532 / 17, packetsPerSecond: 17 / 47.977697,
    snapLengthMin: 65535, snapLengthMax: 65535, interfaces: [{ name: null, description: null, encapsulation: 'Ethernet (1)', snapLength: 65535, timeDigits: 6, packets: 17 }], marked: 2, ignored: 0,
  };
  test('capinfos’ rows', () => {
    const rows = Object.fromEntries(propertyRows(properties));
    expect(rows['Number of packets']).toBe('17');
    expect(rows['Data size']).toBe('1,532 bytes');
    expect(rows['Capture duration']).toBe('00:00:47 (47.977697 s)');
    expect(rows['Data byte rate']).toBe('31.932 bytes/s');
    expect(rows['Average packet size']).toBe('90.12 bytes');
    expect(rows['Packet size limit']).toBe('65535 bytes');
    expect(rows['Marked packets']).toBe('2');
    // The engine's text (its time zone, as capinfos on its machine), else the browser's.
    expect(rows['First packet time']).toBe('1999-09-09 04:10:56.001097');
    expect(rows['Last packet time']).toBe(capinfosTime('936850303978794000', 6));
  });
  test('times at the file’s precision, in local time as capinfos prints them', () => {
    const d = new Date(936850256001);
    const p = (n: number) => String(n).padStart(2, '0');
    expect(capinfosTime('936850256001097000', 6)).toBe(`${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.001097`);
    expect(capinfosTime(null, 6)).toBe('n/a');
  });
});

describe('Apply as Column', () => {
  test('field columns go before Info, once each, and are kept', async () => {
    const { listColumns, withFieldColumn, loadFieldColumns, saveFieldColumns } = await import('./packet-columns');
    let fields = withFieldColumn([], 'tcp.srcport', 'Source Port');
    fields = withFieldColumn(fields, 'ip.ttl', 'Time to Live');
    expect(withFieldColumn(fields, 'ip.ttl', 'again')).toEqual(fields);
    const columns = listColumns(fields);
    expect(columns.map((c) => c.title)).toEqual(['No.', 'Time', 'Source', 'Destination', 'Protocol', 'Length', 'Source Port', 'Time to Live', 'Info']);
    expect(columns[7]!.sort).toBeNull();
    expect(columns[7]!.text({ columns: ['40000', '64'] } as never)).toBe('64');
    const store = new Map<string, string>();
    const storage = { getItem: (k: string) => store.get(k) ?? null, setItem: (k: string, v: string) => void store.set(k, v) };
    saveFieldColumns(storage, fields);
    expect(loadFieldColumns(storage)).toEqual(fields);
    store.set('sievecap.fieldColumns', '[{"field":"bad name","title":"x"},{"field":"dns.qry.name","title":"Name"}]');
    expect(loadFieldColumns(storage)).toEqual([{ field: 'dns.qry.name', title: 'Name' }]);
  });
});

describe('Decode As', () => {
  test('drafts become the engine’s rules, or say what is wrong', async () => {
    const { decodeAsRules, ruleText } = await import('../ui/DecodeAsDialog.svelte');
    const ok = decodeAsRules([{ transport: 'tcp', port: '8888', protocol: ' HTTP ' }, { transport: 'udp', port: '5353', protocol: 'dns' }]);
    expect(ok).toEqual({ rules: [{ transport: 'tcp', port: 8888, protocol: 'http' }, { transport: 'udp', port: 5353, protocol: 'dns' }] });
    expect('rules' in ok && ok.rules.map(ruleText)).toEqual(['tcp.port==8888,http', 'udp.port==5353,dns']);
    expect(decodeAsRules([{ transport: 'tcp', port: '70000', protocol: 'http' }])).toMatchObject({ error: expect.stringContaining('not a port') });
    expect(decodeAsRules([{ transport: 'tcp', port: '80', protocol: '' }])).toMatchObject({ error: expect.stringContaining('Name a protocol') });
    expect(decodeAsRules([{ transport: 'tcp', port: '80', protocol: 'http' }, { transport: 'tcp', port: '80', protocol: 'tls' }])).toMatchObject({ error: expect.stringContaining('twice') });
    expect(decodeAsRules([])).toEqual({ rules: [] });
  });
});
