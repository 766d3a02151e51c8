/**
 * A DataTable's state: the rows and columns it was given, the user's sort, filter text and
 * selection, and the scroll position behind the virtual window. The maths is in table.ts.
 */
import {
  filterRows,
  moveSelection,
  nextSort,
  rowWindow,
  scrollToShow,
  sortRows,
  type Column,
  type SortState,
} from './table';

export interface TableSource<Row> {
  /** Read inside the class's deriveds: pass getters of props (`() => props.rows`). */
  rows(): readonly Row[];
  columns(): readonly Column<Row>[];
  keyOf(row: Row): unknown;
  rowHeight: number;
  sort?: SortState | null;
  /** Orders the filtered rows for a sort (a tree keeps children under their parent); default sortRows. */
  order?: (rows: readonly Row[], columns: readonly Column<Row>[], sort: SortState | null) => readonly Row[];
}

export class TableState<Row> {
  readonly #source: TableSource<Row>;
  sort = $state<SortState | null>(null);
  query = $state('');
  /** The selected row's key (kept across re-sorting, filtering and refreshed rows). */
  selectedKey = $state<unknown>(null);
  scrollTop = $state(0);
  viewportHeight = $state(0);

  constructor(source: TableSource<Row>) {
    this.#source = source;
    this.sort = source.sort ?? null;
  }

  get rows(): readonly Row[] {
    return this.#source.rows();
  }

  get columns(): readonly Column<Row>[] {
    return this.#source.columns();
  }

  /** The table's way of ordering rows for a sort. */
  get order(): NonNullable<TableSource<Row>['order']> {
    return this.#source.order ?? sortRows;
  }

  get rowHeight(): number {
    return this.#source.rowHeight;
  }

  /** The rows the table shows, filtered then sorted. */
  readonly shown: readonly Row[] = $derived(this.order(filterRows(this.rows, this.columns, this.query), this.columns, this.sort));

  readonly selectedIndex: number = $derived.by(() => {
    if (this.selectedKey === null) return -1;
    const key = this.selectedKey;
    return this.shown.findIndex((row) => this.#source.keyOf(row) === key);
  });

  readonly selectedRow: Row | null = $derived(this.selectedIndex >= 0 ? this.shown[this.selectedIndex]! : null);

  readonly window = $derived(rowWindow(this.shown.length, this.rowHeight, this.scrollTop, this.viewportHeight));

  keyOf(row: Row): unknown {
    return this.#source.keyOf(row);
  }

  sortBy(column: string): void {
    this.sort = nextSort(this.sort, column);
  }

  /** Selects the shown row at `index` and returns the scrollTop that shows it. */
  select(index: number): number {
    const row = this.shown[index];
    if (row === undefined) return this.scrollTop;
    this.selectedKey = this.#source.keyOf(row);
    return scrollToShow(index, this.rowHeight, this.scrollTop, this.viewportHeight);
  }

  /** Handles a navigation key; returns the new scrollTop, or null when the key is not one. */
  navigate(key: string): number | null {
    const pageRows = Math.max(1, Math.floor(this.viewportHeight / this.rowHeight));
    const next = moveSelection(this.selectedIndex, key, this.shown.length, pageRows);
    return next === null ? null : this.select(next);
  }
}
