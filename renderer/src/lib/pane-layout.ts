/**
 * The packet list, details and bytes panes' sizes (the two splitters between them), kept in
 * localStorage as Wireshark keeps its pane sizes in its `recent` file: each splitter's share of the
 * space it divides, 0.1–0.9.
 */
export interface PaneLayout {
  /** The packet list's share of the three panes' height. */
  list: number;
  /** The details' share of what the list leaves (the bytes get the rest). */
  details: number;
}

export const DEFAULT_PANE_LAYOUT: PaneLayout = { list: 0.5, details: 0.6 };
const KEY = 'sievecap.panes';

const share = (x: unknown, fallback: number): number => (typeof x === 'number' && Number.isFinite(x) ? Math.min(0.9, Math.max(0.1, x)) : fallback);

export function loadPaneLayout(storage: Pick<Storage, 'getItem'> | null): PaneLayout {
  try {
    const saved = JSON.parse(storage?.getItem(KEY) ?? 'null') as Partial<Record<keyof PaneLayout, unknown>> | null;
    if (saved && typeof saved === 'object') return { list: share(saved.list, DEFAULT_PANE_LAYOUT.list), details: share(saved.details, DEFAULT_PANE_LAYOUT.details) };
  } catch {
    // the default
  }
  return { ...DEFAULT_PANE_LAYOUT };
}

export function savePaneLayout(storage: Pick<Storage, 'setItem'> | null, layout: PaneLayout): void {
  try {
    storage?.setItem(KEY, JSON.stringify({ list: share(layout.list, DEFAULT_PANE_LAYOUT.list), details: share(layout.details, DEFAULT_PANE_LAYOUT.details) }));
  } catch {
    // not kept
  }
}
