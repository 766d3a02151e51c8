/**
 * The pure logic behind DataTable: columns declared as data, sorting, the filter box and the
 * fixed-row-height virtual window. No Svelte here, so every function is unit-tested directly.
 */

export type CellValue = string | number | boolean | null | undefined;

export interface Column<Row> {
  /** Stable id (sort state, cell ids). */
  id: string;
  title: string;
  /** Pixels, or one CSS grid track size ('12rem', 'minmax(8rem, 2fr)'); absent: a share of what is left. */
  width?: number | string;
  align?: 'left' | 'right' | 'center';
  /** The value sorted on (and shown, unless `format` is given). */
  value(row: Row): CellValue;
  /** The text shown in the cell (and searched by the filter box). */
  format?(row: Row): string;
  /** Sort order of two rows by this column, ascending; default compares `value`. */
  compare?(a: Row, b: Row): number;
  /** A tooltip for the cell; default: its text (the whole of a cut one). */
  tooltip?(row: Row): string;
}

export interface SortState {
  column: string;
  descending: boolean;
}

const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });

/** Compares two cell values: numbers numerically, text naturally ('10.0.0.9' < '10.0.0.10'); empty values last. */
export function compareValues(a: CellValue, b: CellValue): number {
  const aEmpty = a === null || a === undefined || a === '';
  const bEmpty = b === null || b === undefined || b === '';
  if (aEmpty || bEmpty) return aEmpty === bEmpty ? 0 : aEmpty ? 1 : -1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
  return collator.compare(String(a), String(b));
}

/** The text a cell shows. */
export function cellText<Row>(column: Column<Row>, row: Row): string {
  if (column.format) return column.format(row);
  const value = column.value(row);
  return value === null || value === undefined ? '' : String(value);
}

/** Rows whose shown text contains `query` (case-insensitive) in any of `columns`; '' keeps every row. */
export function filterRows<Row>(rows: readonly Row[], columns: readonly Column<Row>[], query: string): readonly Row[] {
  const needle = query.trim().toLowerCase();
  if (!needle) return rows;
  return rows.filter((row) => columns.some((c) => cellText(c, row).toLowerCase().includes(needle)));
}

/**
 * Rows in the order of one column; equal rows keep their order (a stable sort), and so do all rows
 * when `sort` is null or names no column. Descending reverses the comparison, not the empties:
 * empty cells stay last either way, as in Wireshark.
 */
export function sortRows<Row>(rows: readonly Row[], columns: readonly Column<Row>[], sort: SortState | null): readonly Row[] {
  const column = sort ? columns.find((c) => c.id === sort.column) : undefined;
  if (!sort || !column) return rows;
  const sign = sort.descending ? -1 : 1;
  const indexed = rows.map((row, index) => ({ row, index, value: column.value(row) }));
  indexed.sort((a, b) => {
    let order: number;
    if (column.compare) order = sign * column.compare(a.row, b.row);
    else {
      const aEmpty = a.value === null || a.value === undefined || a.value === '';
      const bEmpty = b.value === null || b.value === undefined || b.value === '';
      order = aEmpty || bEmpty ? compareValues(a.value, b.value) : sign * compareValues(a.value, b.value);
    }
    return order || a.index - b.index;
  });
  return indexed.map((x) => x.row);
}

/** Clicking a header: a new column sorts ascending, the same one flips. */
export function nextSort(current: SortState | null, column: string): SortState {
  if (current && current.column === column) return { column, descending: !current.descending };
  return { column, descending: false };
}

export interface RowWindow {
  /** First and one-past-last row index to render. */
  start: number;
  end: number;
  /** Height of the space above and below the rendered rows, px. */
  before: number;
  after: number;
}

/**
 * Which rows a fixed-row-height list renders for a scroll position: those in view plus `overscan`
 * on each side. Up to `threshold` rows it renders them all (the window is the whole list).
 */
export function rowWindow(total: number, rowHeight: number, scrollTop: number, viewportHeight: number, overscan = 10, threshold = 300): RowWindow {
  if (total <= threshold) return { start: 0, end: total, before: 0, after: 0 };
  const first = Math.floor(Math.max(0, scrollTop) / rowHeight);
  const shown = Math.ceil(Math.max(viewportHeight, rowHeight) / rowHeight) + 1;
  const start = Math.max(0, Math.min(first - overscan, total - 1));
  const end = Math.min(total, first + shown + overscan);
  return { start, end, before: start * rowHeight, after: (total - end) * rowHeight };
}

/** The scrollTop that brings row `index` fully into view, or `scrollTop` when it is already. */
export function scrollToShow(index: number, rowHeight: number, scrollTop: number, viewportHeight: number): number {
  const top = index * rowHeight;
  const bottom = top + rowHeight;
  if (top < scrollTop) return top;
  if (bottom > scrollTop + viewportHeight) return Math.max(0, bottom - viewportHeight);
  return scrollTop;
}

/**
 * The row the keyboard moves to from `current` (-1: none selected). Page keys move by a viewport's
 * worth of rows; the result stays in [0, total). null: the key moves nothing (or the table is empty).
 */
export function moveSelection(current: number, key: string, total: number, pageRows: number): number | null {
  if (total === 0) return null;
  const page = Math.max(1, pageRows - 1);
  let next: number;
  switch (key) {
    case 'ArrowDown': next = current < 0 ? 0 : current + 1; break;
    case 'ArrowUp': next = current < 0 ? 0 : current - 1; break;
    case 'PageDown': next = current < 0 ? 0 : current + page; break;
    case 'PageUp': next = current < 0 ? 0 : current - page; break;
    case 'Home': next = 0; break;
    case 'End': next = total - 1; break;
    default: return null;
  }
  return Math.max(0, Math.min(total - 1, next));
}

/** A CSS grid-template-columns value for the columns' widths (no width: a share of what is left). */
export function gridTemplate(columns: readonly Column<unknown>[]): string {
  return columns
    .map((c) => (typeof c.width === 'number' ? `${c.width}px` : c.width ?? 'minmax(6rem, 1fr)'))
    .join(' ');
}
