import { describe, expect, it } from 'vitest';
import { cellText, compareValues, filterRows, gridTemplate, moveSelection, nextSort, rowWindow, scrollToShow, sortRows, type Column } from './table';

interface Conv {
  a: string;
  port: number | null;
  bytes: number;
}

const columns: Column<Conv>[] = [
  { id: 'a', title: 'Address A', value: (r) => r.a },
  { id: 'port', title: 'Port A', align: 'right', value: (r) => r.port },
  { id: 'bytes', title: 'Bytes', width: 80, value: (r) => r.bytes, format: (r) => `${r.bytes} B` },
];

const rows: Conv[] = [
  { a: '10.0.0.10', port: 80, bytes: 300 },
  { a: '10.0.0.9', port: null, bytes: 1200 },
  { a: 'fe80::1', port: 443, bytes: 300 },
  { a: '10.0.0.2', port: 53, bytes: 50 },
];

describe('compareValues', () => {
  it('compares numbers numerically and text naturally', () => {
    expect(compareValues(9, 10)).toBeLessThan(0);
    expect(compareValues('10.0.0.9', '10.0.0.10')).toBeLessThan(0);
    expect(compareValues('abc', 'ABC')).toBe(0);
  });
  it('puts empty values last', () => {
    expect(compareValues(null, 1)).toBeGreaterThan(0);
    expect(compareValues(1, undefined)).toBeLessThan(0);
    expect(compareValues('', '')).toBe(0);
  });
});

describe('sortRows', () => {
  it('keeps the order without a sort', () => {
    expect(sortRows(rows, columns, null)).toBe(rows);
    expect(sortRows(rows, columns, { column: 'nope', descending: false })).toBe(rows);
  });
  it('sorts addresses naturally, both ways', () => {
    expect(sortRows(rows, columns, { column: 'a', descending: false }).map((r) => r.a)).toEqual(['10.0.0.2', '10.0.0.9', '10.0.0.10', 'fe80::1']);
    expect(sortRows(rows, columns, { column: 'a', descending: true }).map((r) => r.a)).toEqual(['fe80::1', '10.0.0.10', '10.0.0.9', '10.0.0.2']);
  });
  it('is stable and keeps empty cells last when descending', () => {
    expect(sortRows(rows, columns, { column: 'bytes', descending: true }).map((r) => r.a)).toEqual(['10.0.0.9', '10.0.0.10', 'fe80::1', '10.0.0.2']);
    expect(sortRows(rows, columns, { column: 'port', descending: true }).map((r) => r.port)).toEqual([443, 80, 53, null]);
    expect(sortRows(rows, columns, { column: 'port', descending: false }).map((r) => r.port)).toEqual([53, 80, 443, null]);
  });
  it('uses a column comparator', () => {
    const byLength: Column<Conv> = { id: 'len', title: 'Len', value: (r) => r.a, compare: (x, y) => x.a.length - y.a.length };
    expect(sortRows(rows, [byLength], { column: 'len', descending: false }).map((r) => r.a)).toEqual(['fe80::1', '10.0.0.9', '10.0.0.2', '10.0.0.10']);
  });
  it('sorts 50 000 rows quickly', () => {
    const many = Array.from({ length: 50_000 }, (_, i) => ({ a: `10.0.${i % 251}.${i % 13}`, port: (i * 7919) % 65536, bytes: i }));
    const t = performance.now();
    const sorted = sortRows(many, columns, { column: 'port', descending: false });
    expect(performance.now() - t).toBeLessThan(2000);
    let ordered = true;
    for (let i = 1; i < sorted.length; i++) ordered &&= sorted[i - 1]!.port! <= sorted[i]!.port!;
    expect(ordered).toBe(true);
  });
});

describe('filterRows', () => {
  it('matches the shown text of any column, case-insensitively', () => {
    expect(filterRows(rows, columns, '')).toBe(rows);
    expect(filterRows(rows, columns, 'FE80').map((r) => r.a)).toEqual(['fe80::1']);
    expect(filterRows(rows, columns, '300 b').length).toBe(2);
    expect(filterRows(rows, columns, ' 53 ').map((r) => r.a)).toEqual(['10.0.0.2']);
    expect(filterRows(rows, columns, 'nothing')).toEqual([]);
  });
  it('formats cells', () => {
    expect(cellText(columns[1]!, rows[1]!)).toBe('');
    expect(cellText(columns[2]!, rows[1]!)).toBe('1200 B');
  });
});

describe('nextSort', () => {
  it('starts ascending and flips', () => {
    expect(nextSort(null, 'a')).toEqual({ column: 'a', descending: false });
    expect(nextSort({ column: 'a', descending: false }, 'a')).toEqual({ column: 'a', descending: true });
    expect(nextSort({ column: 'a', descending: true }, 'b')).toEqual({ column: 'b', descending: false });
  });
});

describe('rowWindow', () => {
  it('renders everything up to the threshold', () => {
    expect(rowWindow(300, 24, 1000, 200)).toEqual({ start: 0, end: 300, before: 0, after: 0 });
  });
  it('renders the rows in view plus overscan', () => {
    const w = rowWindow(10_000, 20, 2000, 400, 5);
    expect(w.start).toBe(95);
    expect(w.end).toBe(100 + 21 + 5);
    expect(w.before).toBe(95 * 20);
    expect(w.after).toBe((10_000 - w.end) * 20);
  });
  it('clamps at both ends', () => {
    expect(rowWindow(1000, 20, 0, 400, 5).start).toBe(0);
    const end = rowWindow(1000, 20, 1000 * 20, 400, 5);
    expect(end.end).toBe(1000);
    expect(end.start).toBeLessThan(1000);
  });
});

describe('scrollToShow and moveSelection', () => {
  it('scrolls only when the row is out of view', () => {
    expect(scrollToShow(5, 20, 0, 200)).toBe(0);
    expect(scrollToShow(20, 20, 0, 200)).toBe(220);
    expect(scrollToShow(2, 20, 100, 200)).toBe(40);
  });
  it('moves within the table', () => {
    expect(moveSelection(-1, 'ArrowDown', 10, 5)).toBe(0);
    expect(moveSelection(3, 'ArrowDown', 10, 5)).toBe(4);
    expect(moveSelection(9, 'ArrowDown', 10, 5)).toBe(9);
    expect(moveSelection(0, 'ArrowUp', 10, 5)).toBe(0);
    expect(moveSelection(2, 'PageDown', 10, 5)).toBe(6);
    expect(moveSelection(8, 'PageUp', 10, 5)).toBe(4);
    expect(moveSelection(4, 'End', 10, 5)).toBe(9);
    expect(moveSelection(4, 'Home', 10, 5)).toBe(0);
    expect(moveSelection(4, 'a', 10, 5)).toBeNull();
    expect(moveSelection(-1, 'ArrowDown', 0, 5)).toBeNull();
  });
});

describe('gridTemplate', () => {
  it('turns widths into tracks', () => {
    expect(gridTemplate(columns as Column<unknown>[])).toBe('minmax(6rem, 1fr) minmax(6rem, 1fr) 80px');
  });
});
