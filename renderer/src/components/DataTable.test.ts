import { afterEach, describe, expect, it, vi } from 'vitest';
import { cleanup, fireEvent, render } from '@testing-library/svelte';
import { tick } from 'svelte';
import DataTable from './DataTable.svelte';
import type { Column } from './table';

interface Row {
  id: number;
  host: string;
  bytes: number;
}

const columns: Column<Row>[] = [
  { id: 'id', title: 'No.', align: 'right', value: (r) => r.id },
  { id: 'host', title: 'Host', value: (r) => r.host },
  { id: 'bytes', title: 'Bytes', align: 'right', value: (r) => r.bytes, format: (r) => `${r.bytes} B` },
];

const rows: Row[] = [
  { id: 1, host: 'beta', bytes: 30 },
  { id: 2, host: 'alpha', bytes: 10 },
  { id: 3, host: 'gamma', bytes: 20 },
];

afterEach(cleanup);

function bodyRows(container: HTMLElement): string[] {
  return [...container.querySelectorAll('.body [role="row"]')].map((r) => [...r.querySelectorAll('[role="gridcell"]')].map((c) => c.textContent).join('|'));
}

describe('DataTable', () => {
  it('renders a labelled grid with its columns', () => {
    const { container, getByRole } = render(DataTable<Row>, { props: { columns, rows, label: 'Hosts', key: (r: Row) => r.id } });
    const grid = getByRole('grid', { name: 'Hosts' });
    expect(grid.getAttribute('aria-rowcount')).toBe('4');
    expect([...container.querySelectorAll('[role="columnheader"]')].map((h) => h.textContent?.trim())).toEqual(['No.', 'Host', 'Bytes']);
    expect(bodyRows(container)).toEqual(['1|beta|30 B', '2|alpha|10 B', '3|gamma|20 B']);
  });

  it('sorts by a header, both ways, and says so', async () => {
    const { container, getByRole } = render(DataTable<Row>, { props: { columns, rows, label: 'Hosts' } });
    const button = getByRole('button', { name: /Bytes/ });
    await fireEvent.click(button);
    expect(bodyRows(container).map((r) => r.split('|')[0])).toEqual(['2', '3', '1']);
    expect(button.parentElement!.getAttribute('aria-sort')).toBe('ascending');
    await fireEvent.click(button);
    expect(bodyRows(container).map((r) => r.split('|')[0])).toEqual(['1', '3', '2']);
    expect(button.parentElement!.getAttribute('aria-sort')).toBe('descending');
  });

  it('filters on the shown text', async () => {
    const { container, getByRole } = render(DataTable<Row>, { props: { columns, rows, label: 'Hosts' } });
    const box = getByRole('searchbox', { name: 'Filter Hosts' });
    await fireEvent.input(box, { target: { value: '20 b' } });
    expect(bodyRows(container)).toEqual(['3|gamma|20 B']);
    await fireEvent.input(box, { target: { value: 'zzz' } });
    expect(container.textContent).toContain('No row matches the filter');
  });

  it('moves the selection with the keyboard and activates with Enter', async () => {
    const onSelect = vi.fn();
    const onActivate = vi.fn();
    const { getByRole, container } = render(DataTable<Row>, { props: { columns, rows, label: 'Hosts', key: (r: Row) => r.id, onSelect, onActivate } });
    const grid = getByRole('grid');
    await fireEvent.keyDown(grid, { key: 'ArrowDown' });
    await fireEvent.keyDown(grid, { key: 'ArrowDown' });
    expect(onSelect).toHaveBeenLastCalledWith(rows[1]);
    const selected = container.querySelector('[aria-selected="true"]')!;
    expect(grid.getAttribute('aria-activedescendant')).toBe(selected.id);
    await fireEvent.keyDown(grid, { key: 'End' });
    expect(onSelect).toHaveBeenLastCalledWith(rows[2]);
    await fireEvent.keyDown(grid, { key: 'Enter' });
    expect(onActivate).toHaveBeenCalledWith(rows[2]);
    await fireEvent.click(container.querySelectorAll('.body [role="row"]')[0]!);
    expect(onSelect).toHaveBeenLastCalledWith(rows[0]);
  });

  it('renders only a window of a long list', async () => {
    const many = Array.from({ length: 20_000 }, (_, i) => ({ id: i, host: `h${i}`, bytes: i }));
    const { container, getByRole } = render(DataTable<Row>, { props: { columns, rows: many, label: 'Hosts', key: (r: Row) => r.id } });
    await tick();
    const rendered = container.querySelectorAll('.body [role="row"]').length;
    expect(rendered).toBeGreaterThan(0);
    expect(rendered).toBeLessThan(200);
    expect(getByRole('grid').getAttribute('aria-rowcount')).toBe('20001');
    await fireEvent.keyDown(getByRole('grid'), { key: 'End' });
    const last = container.querySelector('[aria-selected="true"]');
    expect(last?.getAttribute('aria-rowindex')).toBe('20001');
  });
});
