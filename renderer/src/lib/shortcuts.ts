/**
 * Wireshark's keyboard shortcuts, as commands (the names of the desktop bridge's MenuCommands).
 * In Electron the native menu's accelerators send them, so the page handles only what no menu
 * item carries there; in serve mode the page handles them all.
 */

export interface KeyLike {
  key: string;
  ctrlKey: boolean;
  metaKey: boolean;
  shiftKey: boolean;
  altKey: boolean;
}

export interface Shortcut {
  key: string;
  shift?: boolean;
  alt?: boolean;
  command: string;
  label: string;
  /** Electron's menu carries it as an accelerator. */
  inMenu: boolean;
}

export const SHORTCUTS: readonly Shortcut[] = [
  { key: 'e', command: 'capture-start-stop', label: 'Start or stop capturing', inMenu: true },
  { key: 'k', command: 'capture-options', label: 'Capture options (start page)', inMenu: true },
  { key: 'k', shift: true, command: 'view-statistics', label: 'Capture statistics and watchlist (a live capture’s kernel counters)', inMenu: true },
  { key: 'r', command: 'capture-restart', label: 'Restart the capture', inMenu: true },
  { key: 'o', command: 'open', label: 'Open a capture file', inMenu: true },
  { key: 's', command: 'save', label: 'Save the capture', inMenu: true },
  { key: 's', shift: true, command: 'save-as', label: 'Save As', inMenu: true },
  { key: 'f', command: 'find', label: 'Find (focuses the display filter)', inMenu: true },
  { key: 'g', command: 'go-to-packet', label: 'Go to packet', inMenu: true },
  { key: '/', command: 'focus-display-filter', label: 'Focus the display filter', inMenu: true },
  // Not among the desktop menu's commands: the page handles it in Electron too.
  { key: 't', shift: true, alt: true, command: 'follow-stream', label: 'Follow the selected packet’s TCP or UDP stream', inMenu: false },
];

/** The command a key press runs, or null. `electron`: the native menu has already handled its accelerators. */
export function shortcutCommand(e: KeyLike, electron: boolean): string | null {
  const ctrl = e.ctrlKey || e.metaKey;
  if (!ctrl) return null;
  const key = e.key.length === 1 ? e.key.toLowerCase() : e.key;
  const match = SHORTCUTS.find((s) => s.key === key && (s.shift ?? false) === e.shiftKey && (s.alt ?? false) === e.altKey);
  if (!match || (electron && match.inMenu)) return null;
  return match.command;
}

/** How a shortcut is written ('Ctrl+Shift+S'). */
export function shortcutText(s: Shortcut): string {
  return `Ctrl+${s.alt ? 'Alt+' : ''}${s.shift ? 'Shift+' : ''}${s.key.toUpperCase()}`;
}
