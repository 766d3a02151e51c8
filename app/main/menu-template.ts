/**
 * The desktop app's native menus as plain data: menuTemplate(state) is a pure function of what the
 * focused window shows, so it is tested under Node and main only turns it into an Electron Menu
 * (menu.ts: each item's `run` becomes a click handler).
 *
 * Items that act on a window's contents send a MenuAction (app/rpc/desktop-bridge.ts) to the
 * focused window's renderer; the few that belong to the app itself (Quit, the theme, Open when no
 * window is open) are `app` commands that main runs. Accelerators are Wireshark's.
 */
import type { DocumentState, MenuAction, MenuCommand } from '../rpc/desktop-bridge';

/** Commands main runs itself. */
export const APP_COMMANDS = ['quit', 'open-in-new-window', 'clear-recent', 'use-dark-theme', 'use-light-theme', 'follow-system-theme', 'toggle-devtools'] as const;
export type AppCommand = (typeof APP_COMMANDS)[number];

/** What a menu item does: send a MenuAction to the focused window, or run an app command in main. */
export type MenuRun =
  | { kind: 'window'; action: MenuAction }
  /** `path`: the file of an Open Recent item when no window is open (open-in-new-window). */
  | { kind: 'app'; command: AppCommand; path?: string };

/** The roles of Electron's that the Edit menu uses (text fields' own clipboard commands). */
export type EditRole = 'undo' | 'redo' | 'cut' | 'copy' | 'paste' | 'selectAll';

/**
 * One item of the template: a subset of Electron's MenuItemConstructorOptions, plus `run`
 * (main's menu.ts type-checks the conversion against Electron's types).
 */
export type MenuItemSpec =
  | { type: 'separator' }
  | { role: EditRole }
  | { label: string; submenu: MenuItemSpec[]; enabled?: boolean }
  | {
      label: string;
      run: MenuRun;
      accelerator?: string;
      enabled: boolean;
      type?: 'checkbox';
      checked?: boolean;
    };

export type ThemeSource = 'system' | 'light' | 'dark';

export interface MenuState {
  /** A window has the focus (window commands go to it). */
  hasWindow: boolean;
  /** What the focused window shows, as its renderer last said (null: nothing yet, or no window). */
  document: DocumentState | null;
  /** Open Recent, newest first. */
  recentFiles: readonly string[];
  /** nativeTheme.themeSource, and whether dark colours are in use (the system's or the chosen). */
  themeSource: ThemeSource;
  darkColors: boolean;
  /** Show developer items (an unpackaged run). */
  developer: boolean;
}

/** Wireshark's shortcuts, by command (Electron's accelerator syntax). */
export const ACCELERATORS: Readonly<Partial<Record<MenuCommand | AppCommand, string>>> = {
  open: 'CmdOrCtrl+O',
  save: 'CmdOrCtrl+S',
  'save-as': 'CmdOrCtrl+Shift+S',
  'close-window': 'CmdOrCtrl+W',
  quit: 'CmdOrCtrl+Q',
  'capture-start-stop': 'CmdOrCtrl+E',
  'capture-restart': 'CmdOrCtrl+R',
  'capture-options': 'CmdOrCtrl+K',
  'view-statistics': 'CmdOrCtrl+Shift+K',
  find: 'CmdOrCtrl+F',
  'go-to-packet': 'CmdOrCtrl+G',
  'focus-display-filter': 'CmdOrCtrl+/',
  'zoom-in': 'CmdOrCtrl+Plus',
  'zoom-out': 'CmdOrCtrl+-',
  'zoom-reset': 'CmdOrCtrl+0',
  'toggle-devtools': 'CmdOrCtrl+Shift+I',
};

/** How many recent files Open Recent lists. */
export const MAX_RECENT_FILES = 10;

const separator: MenuItemSpec = { type: 'separator' };

/** The label Open Recent shows for a path: its last 60 characters are what tell files apart. */
export function recentLabel(file: string, index: number): string {
  const shown = file.length > 60 ? `…${file.slice(-59)}` : file;
  // '&' marks a mnemonic in GTK menu labels: double it to show it.
  return `${index < 9 ? `&${index + 1} ` : ''}${shown.replace(/&/g, '&&')}`;
}

export function menuTemplate(state: MenuState): MenuItemSpec[] {
  const win = state.hasWindow;
  const doc = win ? state.document : null;
  const capturing = doc?.capturing === true;
  /** `shortcut: false` for a second item of a command (an accelerator belongs to one item). */
  const send = (label: string, command: MenuCommand, enabled: boolean, shortcut = true): MenuItemSpec => {
    const accelerator = shortcut ? ACCELERATORS[command] : undefined;
    return { label, run: { kind: 'window', action: { command } }, enabled, ...(accelerator ? { accelerator } : {}) };
  };
  const app = (label: string, command: AppCommand, enabled = true, extra: { type?: 'checkbox'; checked?: boolean } = {}): MenuItemSpec => {
    const accelerator = ACCELERATORS[command];
    return { label, run: { kind: 'app', command }, enabled, ...(accelerator ? { accelerator } : {}), ...extra };
  };

  const recent: MenuItemSpec[] = state.recentFiles.slice(0, MAX_RECENT_FILES).map((file, i) => ({
    label: recentLabel(file, i),
    // With a window, its renderer decides (this window or a new one); without, main opens one.
    run: win ? { kind: 'window', action: { command: 'open-recent', path: file } } : { kind: 'app', command: 'open-in-new-window', path: file },
    enabled: true,
  }));

  const file: MenuItemSpec = {
    label: '&File',
    submenu: [
      win ? send('&Open…', 'open', true) : app('&Open…', 'open-in-new-window'),
      {
        label: 'Open &Recent',
        submenu: [
          ...recent,
          ...(recent.length ? [separator] : []),
          app('Clear Recent', 'clear-recent', recent.length > 0),
        ],
      },
      separator,
      send('&Save', 'save', doc !== null),
      send('Save &As…', 'save-as', doc !== null),
      separator,
      send('Export Specified Packets…', 'export-specified', doc !== null),
      send('Export HTTP Objects…', 'export-http-objects', doc !== null),
      separator,
      send('&Close', 'close-window', win),
      app('&Quit', 'quit'),
    ],
  };
  const edit: MenuItemSpec = {
    label: '&Edit',
    submenu: [
      { role: 'undo' },
      { role: 'redo' },
      separator,
      { role: 'cut' },
      { role: 'copy' },
      { role: 'paste' },
      { role: 'selectAll' },
      separator,
      send('&Find Packet…', 'find', doc !== null),
      send('&Go to Packet…', 'go-to-packet', doc !== null),
    ],
  };
  const view: MenuItemSpec = {
    label: '&View',
    submenu: [
      send('&Packet List', 'view-packet-list', win),
      send('&Sessions', 'view-sessions', win),
      send('&HTTP', 'view-http', win),
      send('Protocol Hie&rarchy', 'view-protocol-hierarchy', win),
      send('&Endpoints', 'view-endpoints', win),
      send('I/O &Graph', 'view-io-graph', win),
      send('HTTP Statisti&cs', 'view-http-statistics', win),
      send('S&tatistics', 'view-statistics', win),
      separator,
      send('Focus &Display Filter', 'focus-display-filter', win),
      separator,
      send('Zoom &In', 'zoom-in', win),
      send('Zoom &Out', 'zoom-out', win),
      send('&Normal Size', 'zoom-reset', win),
      separator,
      state.darkColors
        ? app('Dark &Theme', 'use-light-theme', true, { type: 'checkbox', checked: true })
        : app('Dark &Theme', 'use-dark-theme', true, { type: 'checkbox', checked: false }),
      app('Follow the System Theme', 'follow-system-theme', true, { type: 'checkbox', checked: state.themeSource === 'system' }),
      ...(state.developer ? [separator, app('Toggle Developer Tools', 'toggle-devtools', win)] : []),
    ],
  };
  const capture: MenuItemSpec = {
    label: '&Capture',
    submenu: [
      send(capturing ? 'St&op' : 'St&art', 'capture-start-stop', win),
      send('Start', 'capture-start', win && !capturing),
      send('Stop', 'capture-stop', capturing),
      send('&Restart', 'capture-restart', capturing),
      separator,
      send('O&ptions…', 'capture-options', win),
    ],
  };
  // Wireshark's Statistics menu: the conversations are the Sessions tab's tables.
  const statistics: MenuItemSpec = {
    label: '&Statistics',
    submenu: [
      send('Capture Statistics and &Watchlist', 'view-statistics', win, false),
      separator,
      send('&Protocol Hierarchy', 'view-protocol-hierarchy', doc !== null),
      send('&Conversations', 'view-sessions', doc !== null),
      send('&Endpoints', 'view-endpoints', doc !== null),
      send('&I/O Graph', 'view-io-graph', doc !== null),
      send('&HTTP', 'view-http-statistics', doc !== null),
      send('HTTP &Transactions', 'view-http', doc !== null),
    ],
  };
  const help: MenuItemSpec = { label: '&Help', submenu: [send('&About Sievecap', 'about', win)] };
  return [file, edit, view, capture, statistics, help];
}

/** Every item of a template, depth first (submenus' items after their parent). */
export function* menuItems(template: readonly MenuItemSpec[]): Generator<MenuItemSpec> {
  for (const item of template) {
    yield item;
    if ('submenu' in item) yield* menuItems(item.submenu);
  }
}

/** The MenuCommands a template can send (to check that every one of MENU_COMMANDS is reachable). */
export function reachableCommands(template: readonly MenuItemSpec[]): Set<MenuCommand | 'open-recent'> {
  const out = new Set<MenuCommand | 'open-recent'>();
  for (const item of menuItems(template)) if ('run' in item && item.run.kind === 'window') out.add(item.run.action.command);
  return out;
}

