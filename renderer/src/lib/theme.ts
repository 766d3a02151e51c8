/** Light, dark, or the system's choice (prefers-color-scheme), kept in localStorage. */

export type ThemeChoice = 'system' | 'light' | 'dark';
export const THEME_KEY = 'sievecap.theme';

export function loadTheme(storage: Pick<Storage, 'getItem'> | null): ThemeChoice {
  try {
    const t = storage?.getItem(THEME_KEY);
    return t === 'light' || t === 'dark' ? t : 'system';
  } catch {
    return 'system';
  }
}

export function saveTheme(storage: Pick<Storage, 'setItem'> | null, theme: ThemeChoice): void {
  try {
    storage?.setItem(THEME_KEY, theme);
  } catch {
    // kept for this window only
  }
}

/** Applies the choice: theme.css reads `data-theme` on the root element (absent: the system's). */
export function applyTheme(root: HTMLElement, theme: ThemeChoice): void {
  if (theme === 'system') delete root.dataset.theme;
  else root.dataset.theme = theme;
}
