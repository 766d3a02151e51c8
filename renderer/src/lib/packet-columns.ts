/**
 * The packet list's columns, declared as data: title, width, alignment, the text a cell shows and
 * the engine's sort key (the `rows` request's sort param) for a click on the header.
 */
import type { PacketRow, SortColumn } from '../../../app/rpc/engine-protocol';

export interface PacketColumn {
  id: SortColumn;
  title: string;
  /** Default width, px; the last column takes what is left. */
  width: number;
  minWidth: number;
  align: 'left' | 'right';
  text(row: PacketRow): string;
  /** The full description read by screen readers on the header. */
  description: string;
}

export const PACKET_COLUMNS: readonly PacketColumn[] = [
  { id: 'number', title: 'No.', width: 72, minWidth: 40, align: 'right', text: (r) => String(r.number), description: 'Frame number' },
  { id: 'time', title: 'Time', width: 110, minWidth: 60, align: 'right', text: (r) => r.timeText ?? formatRelative(r.relativeSeconds), description: 'Time, in the View › Time Display Format chosen' },
  { id: 'source', title: 'Source', width: 170, minWidth: 60, align: 'left', text: (r) => r.source, description: 'Source address' },
  { id: 'destination', title: 'Destination', width: 170, minWidth: 60, align: 'left', text: (r) => r.destination, description: 'Destination address' },
  { id: 'protocol', title: 'Protocol', width: 92, minWidth: 50, align: 'left', text: (r) => r.protocol, description: 'Highest protocol dissected' },
  { id: 'length', title: 'Length', width: 84, minWidth: 40, align: 'right', text: (r) => String(r.length), description: 'Length on the wire, bytes' },
  { id: 'info', title: 'Info', width: 480, minWidth: 80, align: 'left', text: (r) => r.info, description: 'Summary' },
];

/** A field shown as a column (the details' "Apply as Column"): its values as tshark -T fields prints them. */
export interface FieldColumn {
  field: string;
  title: string;
}
/** Most field columns (the engine's MAX_FIELD_COLUMNS). */
export const MAX_FIELD_COLUMNS = 16;

/** A column of the list: one of Wireshark's (sortable by the engine) or a field's. */
export interface ListColumn {
  key: string;
  title: string;
  width: number;
  minWidth: number;
  align: 'left' | 'right';
  text(row: PacketRow): string;
  description: string;
  sort: SortColumn | null;
  /** The field of a field column, null for Wireshark's. */
  field: string | null;
}

/** The list's columns: Wireshark's, with the field columns before Info, in the order added. */
export function listColumns(fields: readonly FieldColumn[]): ListColumn[] {
  const own = PACKET_COLUMNS.map((c): ListColumn => ({ ...c, key: c.id, sort: c.id, field: null }));
  const added = fields.map((f, i): ListColumn => ({
    key: `field:${f.field}`,
    title: f.title,
    width: 130,
    minWidth: 40,
    align: 'left',
    text: (r) => r.columns?.[i] ?? '',
    description: `${f.field} (a field column: right click its header to remove it)`,
    sort: null,
    field: f.field,
  }));
  return [...own.slice(0, -1), ...added, own[own.length - 1]!];
}

/** The field columns with one more (none twice, at most MAX_FIELD_COLUMNS). */
export function withFieldColumn(columns: readonly FieldColumn[], field: string, title: string): FieldColumn[] {
  if (columns.some((c) => c.field === field) || columns.length >= MAX_FIELD_COLUMNS) return [...columns];
  return [...columns, { field, title }];
}

/** The field columns kept in storage (anything damaged there: none). */
export function loadFieldColumns(storage: Pick<Storage, 'getItem'> | null): FieldColumn[] {
  try {
    const saved = JSON.parse(storage?.getItem('sievecap.fieldColumns') ?? '[]') as unknown;
    if (!Array.isArray(saved)) return [];
    return saved
      .filter((c): c is FieldColumn => typeof c === 'object' && c !== null && typeof c.field === 'string' && /^[A-Za-z_][A-Za-z0-9_.-]{0,127}$/.test(c.field) && typeof c.title === 'string')
      .slice(0, MAX_FIELD_COLUMNS)
      .map((c) => ({ field: c.field, title: c.title.slice(0, 100) }));
  } catch {
    return [];
  }
}

export function saveFieldColumns(storage: Pick<Storage, 'setItem'> | null, columns: readonly FieldColumn[]): void {
  try {
    storage?.setItem('sievecap.fieldColumns', JSON.stringify(columns));
  } catch {
    // not kept
  }
}

/** Seconds as Wireshark's Time column shows them: six decimals. */
export function formatRelative(seconds: number): string {
  return seconds.toFixed(6);
}

/** The CSS grid template of the columns at these widths (the last one stretches). */
export function columnTemplate(widths: readonly number[]): string {
  return widths.map((w, i) => (i === widths.length - 1 ? `minmax(${w}px, 1fr)` : `${w}px`)).join(' ');
}

/** A column's width after dragging its edge by `dx` px, kept to its minimum and a sane maximum. */
export function resizedWidth(column: Pick<PacketColumn, 'minWidth'>, start: number, dx: number): number {
  return Math.round(Math.min(2000, Math.max(column.minWidth, start + dx)));
}

export interface SortOrder {
  column: SortColumn;
  descending: boolean;
}

/**
 * The sort after a click on `column`'s header, as Wireshark cycles it: ascending, descending,
 * then back to frame order (null).
 */
export function nextSort(current: SortOrder | null, column: SortColumn): SortOrder | null {
  if (!current || current.column !== column) return { column, descending: false };
  if (!current.descending) return { column, descending: true };
  return null;
}
