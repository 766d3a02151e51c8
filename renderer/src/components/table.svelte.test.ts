import { describe, expect, it } from 'vitest';
import { TableState } from './table.svelte';
import type { Column } from './table';

interface Row {
  id: number;
  name: string;
}

const columns: Column<Row>[] = [
  { id: 'id', title: 'No.', value: (r) => r.id },
  { id: 'name', title: 'Name', value: (r) => r.name },
];

function state(rows: Row[]): TableState<Row> {
  return new TableState<Row>({ rows: () => rows, columns: () => columns, keyOf: (r) => r.id, rowHeight: 20 });
}

describe('TableState', () => {
  it('keeps the selection by key across sorting and filtering', () => {
    const rows = [
      { id: 1, name: 'c' },
      { id: 2, name: 'a' },
      { id: 3, name: 'b' },
    ];
    const t = state(rows);
    t.viewportHeight = 40;
    t.select(0);
    expect(t.selectedRow?.id).toBe(1);
    t.sortBy('name');
    expect(t.shown.map((r) => r.id)).toEqual([2, 3, 1]);
    expect(t.selectedIndex).toBe(2);
    t.query = 'a';
    expect(t.selectedRow).toBeNull();
    t.query = '';
    expect(t.selectedRow?.id).toBe(1);
  });
  it('moves with the keyboard and scrolls the selection into view', () => {
    const rows = Array.from({ length: 1000 }, (_, i) => ({ id: i, name: `n${i}` }));
    const t = state(rows);
    t.viewportHeight = 100; // five rows
    expect(t.navigate('ArrowDown')).toBe(0);
    expect(t.selectedIndex).toBe(0);
    expect(t.navigate('PageDown')).toBe(0);
    expect(t.selectedIndex).toBe(4);
    const top = t.navigate('End')!;
    expect(t.selectedIndex).toBe(999);
    expect(top).toBe(1000 * 20 - 100);
    t.scrollTop = top;
    expect(t.window.end).toBe(1000);
    expect(t.window.start).toBeGreaterThan(900);
    expect(t.navigate('x')).toBeNull();
  });
});
