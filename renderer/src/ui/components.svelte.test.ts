/**
 * The packet list, details and filter bar components in happy-dom: only visible rows are in the
 * DOM, ARIA roles and names are there, keys and clicks reach the state.
 */
import { flushSync, mount, unmount } from 'svelte';
import { afterEach, describe, expect, test } from 'vitest';
import type { PacketDetail, PacketRow } from '../../../app/rpc/engine-protocol';
import { DetailsState } from '../lib/details.svelte';
import { PacketListState, ROW_HEIGHT } from '../lib/packet-list.svelte';
import FilterBar from './FilterBar.svelte';
import PacketBytes from './PacketBytes.svelte';
import PacketDetails from './PacketDetails.svelte';
import PacketList from './PacketList.svelte';

const mounted: ReturnType<typeof mount>[] = [];
afterEach(() => {
  for (const m of mounted.splice(0)) unmount(m);
  document.body.innerHTML = '';
});

const tick = (ms = 0) => new Promise((r) => setTimeout(r, ms));

function row(number: number): PacketRow {
  return { number, time: '0', relativeSeconds: number / 1000, source: '10.0.0.1', destination: '10.0.0.2', protocol: number % 2 ? 'TCP' : 'DNS', length: 60, info: number % 2 ? '1 → 2 [SYN] Seq=0' : 'Standard query', status: number === 3 ? 'truncated' : 'ok' };
}

describe('PacketList', () => {
  test('draws only the rows in view, coloured and marked, as an ARIA grid', async () => {
    const list = new PacketListState({ pageSize: 100 });
    list.setSource({ fetch: async (start, count) => ({ total: 100_000, rows: Array.from({ length: count }, (_, k) => row(start + k + 1)) }) }, 100_000);
    mounted.push(mount(PacketList, { target: document.body, props: { list } }));
    list.resize(ROW_HEIGHT * 20);
    await list.load();
    flushSync();
    const grid = document.querySelector('[role=grid]')!;
    expect(grid.getAttribute('aria-label')).toBe('Packet list');
    expect(grid.getAttribute('aria-rowcount')).toBe('100001');
    const rows = grid.querySelectorAll('.layer [role=row]');
    expect(rows.length).toBeLessThanOrEqual(20 + 10 + 1);
    expect(rows[0]!.querySelector('[role=gridcell]')!.textContent).toBe('1');
    expect(rows[0]!.classList.contains('row-synfin')).toBe(true);
    expect(rows[1]!.classList.contains('row-dns')).toBe(true);
    expect(rows[2]!.classList.contains('flagged')).toBe(true);
    expect(rows[2]!.textContent).toContain('[Truncated]');
    expect([...grid.querySelectorAll('[role=columnheader]')].map((h) => h.textContent!.trim())).toEqual(['No.', 'Time', 'Source', 'Destination', 'Protocol', 'Length', 'Info']);

    grid.dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowDown', bubbles: true }));
    grid.dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowDown', bubbles: true }));
    flushSync();
    expect(list.selectedIndex).toBe(1);
    expect(grid.querySelector('[aria-selected=true]')!.id).toBe(grid.getAttribute('aria-activedescendant'));

    (grid.querySelector('button[aria-label="Sort by Length"]') as HTMLButtonElement).click();
    flushSync();
    expect(list.sort).toEqual({ column: 'length', descending: false });
    expect(grid.querySelectorAll('[aria-sort=ascending]').length).toBe(1);
  });

  test('a column resize handle is focusable and resizes with Left/Right, kept in localStorage', () => {
    localStorage.removeItem('sievecap.packetColumns');
    const list = new PacketListState({ pageSize: 100 });
    list.setSource({ fetch: async (start, count) => ({ total: 10, rows: Array.from({ length: count }, (_, k) => row(start + k + 1)) }) }, 10);
    mounted.push(mount(PacketList, { target: document.body, props: { list } }));
    flushSync();
    const handle = document.querySelector<HTMLElement>('[role=separator][aria-label="Resize column Info"]')!;
    expect(handle).not.toBeNull();
    expect(handle.tabIndex).toBe(0);
    expect(handle.getAttribute('aria-orientation')).toBe('vertical');
    const before = Number(handle.getAttribute('aria-valuenow'));
    handle.focus();
    expect(document.activeElement).toBe(handle);
    handle.dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowRight', bubbles: true }));
    flushSync();
    expect(Number(handle.getAttribute('aria-valuenow'))).toBe(before + 10);
    handle.dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowLeft', shiftKey: true, bubbles: true }));
    flushSync();
    expect(Number(handle.getAttribute('aria-valuenow'))).toBe(before - 40);
    const saved = JSON.parse(localStorage.getItem('sievecap.packetColumns')!) as number[];
    expect(saved[saved.length - 1]).toBe(before - 40);
    // The arrows resized the column and did not move the selection.
    expect(list.selectedIndex).toBe(-1);
    const names = [...document.querySelectorAll('[role=separator]')].map((h) => h.getAttribute('aria-label'));
    expect(names).toEqual(['No.', 'Time', 'Source', 'Destination', 'Protocol', 'Length', 'Info'].map((t) => `Resize column ${t}`));
    localStorage.removeItem('sievecap.packetColumns');
  });
});

const detail: PacketDetail = {
  number: 7,
  time: '0',
  relativeSeconds: 0,
  capturedLength: 20,
  length: 20,
  linkType: 1,
  interfaceId: 0,
  direction: null,
  status: 'truncated',
  summary: { source: 'a', destination: 'b', protocol: 'X', length: 20, info: '' },
  layers: [
    { protocol: 'eth', title: 'Ethernet II', offset: 0, length: 14, status: 'ok', problem: null, fields: [
      { abbrev: 'eth.dst', label: 'Destination: 02:00:00:00:00:02', text: '', value: null, type: 'none', offset: 0, length: 6 },
      { abbrev: 'eth.src', label: 'Source: 02:00:00:00:00:01', text: '', value: null, type: 'none', offset: 6, length: 6 },
    ] },
    { protocol: 'ip', title: 'Internet Protocol Version 4', offset: 14, length: 6, status: 'truncated', problem: 'only 6 of 20 header bytes', fields: [] },
  ],
  bytes: btoa(String.fromCharCode(...Array.from({ length: 20 }, (_, k) => k))),
};

describe('PacketDetails and PacketBytes', () => {
  test('a tree with keyboard, truncation shown, field ↔ bytes', () => {
    const details = new DetailsState();
    details.show(detail);
    mounted.push(mount(PacketDetails, { target: document.body, props: { details } }));
    mounted.push(mount(PacketBytes, { target: document.body, props: { details } }));
    flushSync();
    const tree = document.querySelector('[role=tree]')!;
    expect([...tree.querySelectorAll('[role=treeitem]')].map((t) => t.getAttribute('aria-level'))).toEqual(['1', '1']);
    expect(tree.textContent).toContain('Truncated: only 6 of 20 header bytes');
    const key = (k: string) => {
      tree.dispatchEvent(new KeyboardEvent('keydown', { key: k, bubbles: true }));
      flushSync();
    };
    key('ArrowDown');
    key('ArrowRight');
    expect(tree.querySelectorAll('[role=treeitem]').length).toBe(4);
    key('ArrowRight');
    key('ArrowDown');
    expect(details.selected?.abbrev).toBe('eth.src');
    expect([...document.querySelectorAll('.hex .hl')].map((b) => b.textContent)).toEqual(['06', '07', '08', '09', '0a', '0b']);
    // A click on byte 2 selects eth.dst.
    (document.querySelectorAll('.hex .b')[2] as HTMLElement).click();
    flushSync();
    expect(details.selected?.abbrev).toBe('eth.dst');
    expect(tree.querySelector('[aria-selected=true]')!.textContent).toContain('Destination');
    key('ArrowLeft');
    expect(details.selected?.abbrev).toBe('eth');
    key('Enter');
    expect(tree.querySelectorAll('[role=treeitem]').length).toBe(2);
  });
});

describe('FilterBar', () => {
  test('checks as you type, applies on Enter, clears on Escape, keeps a history', async () => {
    localStorage.clear();
    const applied: string[] = [];
    const props = $state({
      applied: '',
      check: async (f: string) => (f.endsWith('==') ? 'expected a value' : null),
      apply: async (f: string) => {
        applied.push(f);
        props.applied = f;
        return true;
      },
    });
    mounted.push(mount(FilterBar, { target: document.body, props }));
    const input = document.querySelector('input')!;
    expect(input.getAttribute('placeholder')).toContain('Ctrl-/');
    input.value = 'tcp.port ==';
    input.dispatchEvent(new Event('input', { bubbles: true }));
    await tick(200);
    flushSync();
    expect(input.className).toContain('invalid');
    expect(input.getAttribute('aria-invalid')).toBe('true');
    expect(document.body.textContent).toContain('expected a value');
    input.value = 'tcp.port == 80';
    input.dispatchEvent(new Event('input', { bubbles: true }));
    await tick(200);
    flushSync();
    expect(input.className).toContain('valid');
    input.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true }));
    await tick(10);
    flushSync();
    expect(applied).toEqual(['tcp.port == 80']);
    expect(JSON.parse(localStorage.getItem('sievecap.displayFilterHistory')!)).toEqual(['tcp.port == 80']);
    input.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true }));
    await tick(10);
    flushSync();
    expect(applied).toEqual(['tcp.port == 80', '']);
    expect(input.value).toBe('');
  });
});

describe('PacketList: marks, ignored packets and the Time column', () => {
  test('marked rows are highlighted, ignored rows dimmed, the Time column shows the engine’s text and is wide enough', async () => {
    const list = new PacketListState({ pageSize: 100 });
    const rowOf = (n: number): PacketRow => ({ ...row(n), timeText: `2026-12-04 10:00:0${n}.000000000`, ...(n === 2 ? { marked: true as const } : {}), ...(n === 4 ? { ignored: true as const } : {}) });
    list.setSource({ fetch: async (start, count) => ({ total: 5, rows: Array.from({ length: Math.min(count, 5 - start) }, (_, k) => rowOf(start + k + 1)) }) }, 5);
    mounted.push(mount(PacketList, { target: document.body, props: { list, timeWidth: 260 } }));
    list.resize(ROW_HEIGHT * 10);
    await list.load();
    flushSync();
    const rows = document.querySelectorAll('.layer [role=row]');
    expect(rows[1]!.classList.contains('user-marked')).toBe(true);
    expect(rows[3]!.classList.contains('ignored')).toBe(true);
    expect(rows[0]!.classList.contains('user-marked') || rows[0]!.classList.contains('ignored')).toBe(false);
    expect(rows[0]!.querySelectorAll('[role=gridcell]')[1]!.textContent).toBe('2026-12-04 10:00:01.000000000');
    expect((document.querySelector('.header') as HTMLElement).style.gridTemplateColumns.split(' ')[1]).toBe('260px');
  });
});

describe('MenuBar submenus', () => {
  test('a submenu opens with Right or Enter, its radio items run their command, Left goes back', async () => {
    const { default: MenuBar } = await import('./MenuBar.svelte');
    const ran: string[] = [];
    const menus = [{ label: 'View', items: [
      { label: 'Packets', command: 'view-packet-list' },
      { label: 'Time Display Format', command: 'submenu-time', items: [
        { label: 'Date and Time of Day', command: 'time-format-ad', checked: false },
        { label: 'Seconds Since Beginning of Capture', command: 'time-format-r', checked: true },
      ] },
    ] }];
    mounted.push(mount(MenuBar, { target: document.body, props: { menus, onCommand: (c: string) => ran.push(c) } }));
    (document.querySelector('[data-top="0"]') as HTMLElement).click();
    flushSync();
    const parent = document.querySelector('[data-parent="submenu-time"]') as HTMLElement;
    expect(parent.getAttribute('aria-haspopup')).toBe('menu');
    parent.dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowRight', bubbles: true }));
    flushSync();
    await tick();
    const sub = document.querySelector('[role=menu][aria-label="Time Display Format"]')!;
    const radios = [...sub.querySelectorAll('[role=menuitemradio]')];
    expect(radios.map((r) => r.getAttribute('aria-checked'))).toEqual(['false', 'true']);
    // The checked item takes the focus.
    expect(document.activeElement).toBe(radios[1]);
    radios[1]!.dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowLeft', bubbles: true }));
    flushSync();
    expect(document.querySelector('[role=menu][aria-label="Time Display Format"]')).toBeNull();
    expect(document.activeElement).toBe(parent);
    parent.click();
    flushSync();
    expect(parent.getAttribute('aria-expanded')).toBe('true');
    (document.querySelectorAll('[role=menu][aria-label="Time Display Format"] [role=menuitemradio]')[0] as HTMLElement).click();
    expect(ran).toEqual(['time-format-ad']);
  });
});
