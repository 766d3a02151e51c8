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

/** Seconds as Wireshark's Time column shows them: six decimals. */
export function formatRelative(seconds: number): string {
  return seconds.toFixed(6);
}

/** The CSS grid template of the columns at these widths (the last one stretches). */
export function columnTemplate(widths: readonly number[]): string {
  return widths.map((w, i) => (i === widths.length - 1 ? `minmax(${w}px, 1fr)` : `${w}px`)).join(' ');
}

/** A column's width after dragging its edge by `dx` px, kept to its minimum and a sane maximum. */
export function resizedWidth(column: PacketColumn, start: number, dx: number): number {
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
