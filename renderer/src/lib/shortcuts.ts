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
  { key: 'f', command: 'find', label: 'Find packet (display filter, hex value or string)', inMenu: true },
  { key: 'n', command: 'find-next', label: 'Find the next packet', inMenu: true },
  { key: 'b', command: 'find-previous', label: 'Find the previous packet', inMenu: true },
  { key: 'm', command: 'mark-packet', label: 'Mark or unmark the selected packet', inMenu: true },
  { key: 'm', shift: true, command: 'mark-all-displayed', label: 'Mark all displayed packets', inMenu: true },
  { key: 'm', alt: true, command: 'unmark-all-displayed', label: 'Unmark all displayed packets', inMenu: true },
  { key: 'n', shift: true, command: 'next-mark', label: 'Go to the next marked packet', inMenu: true },
  { key: 'b', shift: true, command: 'previous-mark', label: 'Go to the previous marked packet', inMenu: true },
  { key: 'd', command: 'ignore-packet', label: 'Ignore or unignore the selected packet', inMenu: true },
  { key: 'd', shift: true, command: 'ignore-all-displayed', label: 'Ignore all displayed packets', inMenu: true },
  { key: 'd', alt: true, command: 'unignore-all-displayed', label: 'Unignore all displayed packets', inMenu: true },
  { key: '.', command: 'next-in-conversation', label: 'Next packet in the conversation', inMenu: true },
  { key: ',', command: 'previous-in-conversation', label: 'Previous packet in the conversation', inMenu: true },
  { key: 'c', shift: true, alt: true, command: 'capture-properties', label: 'Capture file properties', inMenu: true },
  { key: 'u', shift: true, command: 'decode-as', label: 'Decode As (a port’s payloads as another protocol)', inMenu: true },
  { key: '1', alt: true, command: 'time-format-ad', label: 'Time: date and time of day', inMenu: true },
  { key: '2', alt: true, command: 'time-format-a', label: 'Time: time of day', inMenu: true },
  { key: '3', alt: true, command: 'time-format-e', label: 'Time: seconds since 1970-01-01', inMenu: true },
  { key: '4', alt: true, command: 'time-format-r', label: 'Time: seconds since the beginning of the capture', inMenu: true },
  { key: '5', alt: true, command: 'time-format-d', label: 'Time: seconds since the previous captured packet', inMenu: true },
  { key: '6', alt: true, command: 'time-format-dd', label: 'Time: seconds since the previous displayed packet', inMenu: true },
  { key: '7', alt: true, command: 'time-format-ud', label: 'Time: UTC date and time of day', inMenu: true },
  { key: '8', alt: true, command: 'time-format-u', label: 'Time: UTC time of day', inMenu: true },
  { key: '0', alt: true, command: 'time-hms', label: 'Time: seconds with hours and minutes', inMenu: true },
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
