/**
 * What the Electron preload (app/preload) gives the renderer, and nothing more: the renderer's only
 * window onto the desktop. A leaf module of types and constants (no Node or Electron imports), shared
 * by app/preload, app/main and renderer/.
 *
 * The engine itself is not here: Electron main hands the renderer a MessagePort to the engine's
 * utilityProcess; the preload forwards it to the page with
 * `window.postMessage(ENGINE_PORT_MESSAGE, '*', [port])`, and the renderer speaks the engine protocol
 * (app/rpc/engine-protocol.ts) over it, as it speaks it over a WebSocket in `sievecap serve`.
 */

/** The name the preload exposes the bridge under: `window.sievecap`. */
export const BRIDGE_GLOBAL = 'sievecap';
/** The data of the window message that carries the engine's MessagePort in `ports[0]`. */
export const ENGINE_PORT_MESSAGE = 'sievecap:engine-port';

/** Commands the native menus (and their accelerators) send to the focused window's renderer. */
export const MENU_COMMANDS = [
  'open',
  'save',
  'save-as',
  'export-specified',
  'export-http-objects',
  'close-window',
  'capture-start-stop',
  'capture-start',
  'capture-stop',
  'capture-restart',
  'capture-options',
  'find',
  'go-to-packet',
  'focus-display-filter',
  'view-packet-list',
  'view-sessions',
  'view-http',
  'view-statistics',
  'view-protocol-hierarchy',
  'view-endpoints',
  'view-io-graph',
  'view-http-statistics',
  'zoom-in',
  'zoom-out',
  'zoom-reset',
  'about',
  // Edit: find, marks, ignored packets; Go: conversations; Statistics: properties
  'find-next',
  'find-previous',
  'mark-packet',
  'mark-all-displayed',
  'unmark-all-displayed',
  'next-mark',
  'previous-mark',
  'ignore-packet',
  'ignore-all-displayed',
  'unignore-all-displayed',
  'next-in-conversation',
  'previous-in-conversation',
  'capture-properties',
  'decode-as',
  // View › Time Display Format (tshark's -t choices, the precision, -u hms)
  'time-format-ad',
  'time-format-adoy',
  'time-format-a',
  'time-format-e',
  'time-format-r',
  'time-format-d',
  'time-format-dd',
  'time-format-ud',
  'time-format-udoy',
  'time-format-u',
  'time-precision-auto',
  'time-precision-0',
  'time-precision-1',
  'time-precision-2',
  'time-precision-3',
  'time-precision-6',
  'time-precision-9',
  'time-hms',
  // View › Name Resolution (Wireshark's three toggles)
  'name-resolution-mac',
  'name-resolution-network',
  'name-resolution-transport',
] as const;
export type MenuCommand = (typeof MENU_COMMANDS)[number];

/** A menu command with its argument: Open Recent carries the file's path. */
export type MenuAction = { command: MenuCommand } | { command: 'open-recent'; path: string };

/** What the window shows, so main can title it and ask before closing unsaved work. */
export interface DocumentState {
  /** 'capture.pcapng', or 'Capturing from lo' */
  title: string;
  /** Frames exist that no file holds yet (a live capture not saved). */
  unsaved: boolean;
  capturing: boolean;
  /** The packet list's Time column (View › Time Display Format's checked items); absent: tshark's default, r. */
  time?: { format: string; precision: number | null; hms: boolean };
  /** View › Name Resolution's checked items; absent: none. */
  names?: { mac: boolean; network: boolean; transport: boolean };
}

export interface SaveDialogOptions {
  defaultName: string;
  format: 'pcap' | 'pcapng';
}

export interface DesktopBridge {
  readonly kind: 'electron';
  /** Shows the Open dialog (capture files); resolves to the chosen path, or null when cancelled. */
  openFileDialog(): Promise<string | null>;
  /** Shows the Save dialog; resolves to the chosen path (with the format's extension), or null. */
  saveFileDialog(options: SaveDialogOptions): Promise<string | null>;
  /** Chooses a folder (Export HTTP Objects); null when cancelled. */
  chooseDirectoryDialog(title: string): Promise<string | null>;
  /** The path of a file dropped on the window (drag and drop). */
  pathForFile(file: File): string;
  /** Listens to menu commands for this window; returns the function that stops listening. */
  onMenuAction(listener: (action: MenuAction) => void): () => void;
  /** Tells main what the window shows (title, unsaved-capture prompt on close). */
  setDocumentState(state: DocumentState): void;
  /** Adds a file to Open Recent (the menu and the system's list). */
  addRecentFile(path: string): void;
  /** Opens a new window on a file (File > Open while this window already shows one). */
  openWindow(path: string | null): void;
}
