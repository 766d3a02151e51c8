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
      type?: 'checkbox' | 'radio';
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
  'find-next': 'CmdOrCtrl+N',
  'find-previous': 'CmdOrCtrl+B',
  'mark-packet': 'CmdOrCtrl+M',
  'mark-all-displayed': 'CmdOrCtrl+Shift+M',
  'unmark-all-displayed': 'CmdOrCtrl+Alt+M',
  'next-mark': 'CmdOrCtrl+Shift+N',
  'previous-mark': 'CmdOrCtrl+Shift+B',
  'ignore-packet': 'CmdOrCtrl+D',
  'ignore-all-displayed': 'CmdOrCtrl+Shift+D',
  'unignore-all-displayed': 'CmdOrCtrl+Alt+D',
  'next-in-conversation': 'CmdOrCtrl+.',
  'previous-in-conversation': 'CmdOrCtrl+,',
  'capture-properties': 'CmdOrCtrl+Alt+Shift+C',
  'decode-as': 'CmdOrCtrl+Shift+U',
  'time-format-ad': 'CmdOrCtrl+Alt+1',
  'time-format-a': 'CmdOrCtrl+Alt+2',
  'time-format-e': 'CmdOrCtrl+Alt+3',
  'time-format-r': 'CmdOrCtrl+Alt+4',
  'time-format-d': 'CmdOrCtrl+Alt+5',
  'time-format-dd': 'CmdOrCtrl+Alt+6',
  'time-format-ud': 'CmdOrCtrl+Alt+7',
  'time-format-u': 'CmdOrCtrl+Alt+8',
  'time-hms': 'CmdOrCtrl+Alt+0',
};

/** View › Time Display Format, in Wireshark's order (the page's menu bar has the same: renderer/src/lib/time-display.ts). */
const TIME_FORMAT_ITEMS: ReadonlyArray<[MenuCommand, string, string]> = [
  ['time-format-ad', 'ad', 'Date and Time of Day (1970-01-01 01:02:03.123456)'],
  ['time-format-adoy', 'adoy', 'Year, Day of Year, and Time of Day (1970/001 01:02:03.123456)'],
  ['time-format-a', 'a', 'Time of Day (01:02:03.123456)'],
  ['time-format-e', 'e', 'Seconds Since 1970-01-01'],
  ['time-format-r', 'r', 'Seconds Since Beginning of Capture'],
  ['time-format-d', 'd', 'Seconds Since Previous Captured Packet'],
  ['time-format-dd', 'dd', 'Seconds Since Previous Displayed Packet'],
  ['time-format-ud', 'ud', 'UTC Date and Time of Day (1970-01-01 01:02:03.123456)'],
  ['time-format-udoy', 'udoy', 'UTC Year, Day of Year, and Time of Day (1970/001 01:02:03.123456)'],
  ['time-format-u', 'u', 'UTC Time of Day (01:02:03.123456)'],
];
const TIME_PRECISION_ITEMS: ReadonlyArray<[MenuCommand, number | null, string]> = [
  ['time-precision-auto', null, 'Automatic (from capture file)'],
  ['time-precision-0', 0, 'Seconds'],
  ['time-precision-1', 1, 'Tenths of a second'],
  ['time-precision-2', 2, 'Hundredths of a second'],
  ['time-precision-3', 3, 'Milliseconds'],
  ['time-precision-6', 6, 'Microseconds'],
  ['time-precision-9', 9, 'Nanoseconds'],
];

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
  const radio = (label: string, command: MenuCommand, checked: boolean, type: 'radio' | 'checkbox' = 'radio'): MenuItemSpec => {
    const accelerator = ACCELERATORS[command];
    return { label, run: { kind: 'window', action: { command } }, enabled: win, type, checked, ...(accelerator ? { accelerator } : {}) };
  };
  const time = doc?.time ?? { format: 'r', precision: null, hms: false };
  const names = doc?.names ?? { mac: false, network: false, transport: false };
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
      send('Find Ne&xt', 'find-next', doc !== null),
      send('Find Pre&vious', 'find-previous', doc !== null),
      separator,
      send('&Mark/Unmark Packet', 'mark-packet', doc !== null),
      send('Mark All Displayed', 'mark-all-displayed', doc !== null),
      send('Unmark All Displayed', 'unmark-all-displayed', doc !== null),
      send('Next Mark', 'next-mark', doc !== null),
      send('Previous Mark', 'previous-mark', doc !== null),
      separator,
      send('&Ignore/Unignore Packet', 'ignore-packet', doc !== null),
      send('Ignore All Displayed', 'ignore-all-displayed', doc !== null),
      send('Unignore All Displayed', 'unignore-all-displayed', doc !== null),
    ],
  };
  const go: MenuItemSpec = {
    label: '&Go',
    submenu: [
      send('&Go to Packet…', 'go-to-packet', doc !== null),
      send('Next Packet in Conversation', 'next-in-conversation', doc !== null),
      send('Previous Packet in Conversation', 'previous-in-conversation', doc !== null),
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
      {
        label: 'Time Display &Format',
        submenu: [
          ...TIME_FORMAT_ITEMS.map(([command, format, label]) => radio(label, command, time.format === format)),
          separator,
          ...TIME_PRECISION_ITEMS.map(([command, precision, label]) => radio(label, command, time.precision === precision)),
          separator,
          radio('Display Seconds With Hours and Minutes', 'time-hms', time.hms, 'checkbox'),
        ],
      },
      {
        label: 'Name Resol&ution',
        submenu: [
          radio('Resolve &Physical Addresses', 'name-resolution-mac', names.mac, 'checkbox'),
          radio('Resolve &Network Addresses', 'name-resolution-network', names.network, 'checkbox'),
          radio('Resolve &Transport Addresses', 'name-resolution-transport', names.transport, 'checkbox'),
        ],
      },
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
  const analyze: MenuItemSpec = { label: '&Analyze', submenu: [send('&Decode As…', 'decode-as', doc !== null)] };
  // Wireshark's Statistics menu: the conversations are the Sessions tab's tables.
  const statistics: MenuItemSpec = {
    label: '&Statistics',
    submenu: [
      send('Capture &File Properties', 'capture-properties', doc !== null),
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
  return [file, edit, view, go, capture, analyze, statistics, help];
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

