/** The display filter bar's history: newest first, no repeats, kept in localStorage. */

export const HISTORY_KEY = 'sievecap.displayFilterHistory';
export const MAX_HISTORY = 30;

export function loadHistory(storage: Pick<Storage, 'getItem'> | null): string[] {
  try {
    const parsed: unknown = JSON.parse(storage?.getItem(HISTORY_KEY) ?? '[]');
    return Array.isArray(parsed) ? parsed.filter((x): x is string => typeof x === 'string' && x.trim() !== '').slice(0, MAX_HISTORY) : [];
  } catch {
    return [];
  }
}

/** The history with `filter` put first (an empty filter changes nothing). */
export function addToHistory(history: readonly string[], filter: string): string[] {
  const f = filter.trim();
  if (f === '') return [...history];
  return [f, ...history.filter((h) => h !== f)].slice(0, MAX_HISTORY);
}

export function saveHistory(storage: Pick<Storage, 'setItem'> | null, history: readonly string[]): void {
  try {
    storage?.setItem(HISTORY_KEY, JSON.stringify(history.slice(0, MAX_HISTORY)));
  } catch {
    // storage full or refused: the history lives for this window only
  }
}
