/**
 * The desktop app's decisions, under Node without Electron: the native menus (menuTemplate), the
 * unsaved-capture prompt on close (CloseGuard), the check of every IPC argument main receives, the
 * app:// origin (which file a URL names, the CSP), the file dialogs, the settings file (with the
 * window's place and size), the files a start names, the capture helper's route, and what
 * `npm start` launches (chooseStart).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { MessageChannel, Worker } from 'node:worker_threads';
import { sampleTraffic, writeCapture } from '../app/engine/service/test-traffic';
import { MENU_COMMANDS, type DocumentState, type MenuCommand } from '../app/rpc/desktop-bridge';
import { ACCELERATORS, menuItems, menuTemplate, reachableCommands, type MenuItemSpec, type MenuState } from '../app/main/menu-template';
import { CLOSE_RESPONSE, CloseGuard, closePrompt } from '../app/main/close-guard';
import { IPC, IPC_ARGUMENTS, IpcArgumentError, parseIpcArguments } from '../app/main/ipc-contract';
import { APP_INDEX_URL, CONTENT_SECURITY_POLICY, contentTypeFor, isAllowedRequest, isAppUrl, rendererFileFor } from '../app/main/app-protocol';
import { CAPTURE_FILE_FILTERS, openDialogSpec, saveDialogSpec, withExtension } from '../app/main/file-dialogs';
import { addRecentFile, parseSettings, serializeSettings } from '../app/main/settings';
import { filesFromArgv } from '../app/main/launch-args';
import { initialWindowState, parseWindowState, windowStateOf } from '../app/main/window-state';
import { chooseStart, electronBinary, type StartFacts } from '../app/main/start-choice';
import { desktopCaptureRoute, type CaptureRouteFacts } from '../app/main/capture-route';
import { engineProcessArgs, parseEngineProcessMessage, parseEngineProcessOptions } from '../app/main/engine-process-protocol';

const baseState: MenuState = { hasWindow: true, document: null, recentFiles: [], themeSource: 'system', darkColors: false, developer: false };
const doc = (over: Partial<DocumentState> = {}): DocumentState => ({ title: 'capture.pcapng', unsaved: false, capturing: false, ...over });

type ActionItem = Extract<MenuItemSpec, { run: unknown }>;
const actionItems = (template: MenuItemSpec[]): ActionItem[] => [...menuItems(template)].filter((i): i is ActionItem => 'run' in i);
function itemFor(template: MenuItemSpec[], command: string): ActionItem {
  const found = actionItems(template).find((i) => (i.run.kind === 'window' ? i.run.action.command : i.run.command) === command);
  assert.ok(found, `an item runs ${command}`);
  return found;
}
function topLabels(template: MenuItemSpec[]): string[] {
  return template.map((m) => ('label' in m ? m.label.replace(/&/g, '') : '?'));
}

describe('menuTemplate', () => {
  const states: MenuState[] = [
    baseState,
    { ...baseState, document: doc() },
    { ...baseState, document: doc({ capturing: true, unsaved: true }), recentFiles: ['/a.pcap', '/b & c.pcapng'] },
    { ...baseState, hasWindow: false, recentFiles: ['/a.pcap'] },
    { ...baseState, darkColors: true, themeSource: 'dark', developer: true, document: doc() },
  ];

  test('menus are File, Edit, View, Go, Capture, Analyze, Statistics, Help', () => {
    assert.deepEqual(topLabels(menuTemplate(baseState)), ['File', 'Edit', 'View', 'Go', 'Capture', 'Analyze', 'Statistics', 'Help']);
  });

  test('View › Time Display Format checks what the window shows (its document state)', () => {
    const checked = (t: MenuItemSpec[]): string[] => actionItems(t).filter((i) => i.checked === true && i.run.kind === 'window').map((i) => (i.run.kind === 'window' ? i.run.action.command : ''));
    assert.deepEqual(checked(menuTemplate({ ...baseState, document: doc() })), ['time-format-r', 'time-precision-auto']);
    assert.deepEqual(checked(menuTemplate({ ...baseState, document: doc({ time: { format: 'ud', precision: 3, hms: true } }) })), ['time-format-ud', 'time-precision-3', 'time-hms']);
    assert.equal(itemFor(menuTemplate(baseState), 'time-format-ad').type, 'radio');
  });

  test('View › Name Resolution: three checkboxes, off by default, checked as the window shows', () => {
    const names = ['name-resolution-mac', 'name-resolution-network', 'name-resolution-transport'];
    const checked = (t: MenuItemSpec[]): boolean[] => names.map((n) => itemFor(t, n).checked === true);
    assert.deepEqual(checked(menuTemplate({ ...baseState, document: doc() })), [false, false, false]);
    assert.deepEqual(checked(menuTemplate({ ...baseState, document: doc({ names: { mac: false, network: true, transport: true } }) })), [false, true, true]);
    assert.deepEqual(names.map((n) => itemFor(menuTemplate(baseState), n).type), ['checkbox', 'checkbox', 'checkbox']);
    assert.deepEqual(names.map((n) => itemFor(menuTemplate(baseState), n).label.replace(/&/g, '')), ['Resolve Physical Addresses', 'Resolve Network Addresses', 'Resolve Transport Addresses']);
    // The renderer's document state reaches main whole (the preload copies time and names too).
    const state = doc({ time: { format: 'ud', precision: 3, hms: false }, names: { mac: true, network: false, transport: false } });
    assert.deepEqual(parseIpcArguments(IPC.setDocumentState, [state]), [state]);
  });

  test("Statistics holds Wireshark's views, enabled with a document", () => {
    const statisticsMenu = (t: MenuItemSpec[]): MenuItemSpec[] => {
      const menu = t.find((m) => 'label' in m && m.label.replace(/&/g, '') === 'Statistics');
      assert.ok(menu && 'submenu' in menu);
      return menu.submenu;
    };
    const commands = (items: MenuItemSpec[]): string[] => items.flatMap((i) => ('run' in i && i.run.kind === 'window' ? [i.run.action.command] : []));
    const withDoc = statisticsMenu(menuTemplate({ ...baseState, document: doc() }));
    assert.deepEqual(commands(withDoc), ['capture-properties', 'view-statistics', 'view-protocol-hierarchy', 'view-sessions', 'view-endpoints', 'view-io-graph', 'view-http-statistics', 'view-http']);
    assert.ok(withDoc.every((i) => !('run' in i) || i.enabled));
    const empty = statisticsMenu(menuTemplate(baseState));
    assert.ok(empty.filter((i) => 'run' in i && i.run.kind === 'window' && i.run.action.command !== 'view-statistics').every((i) => 'run' in i && !i.enabled), 'no document, no views of one');
  });

  test('every MENU_COMMAND is reachable, and Open Recent when there are recent files', () => {
    const reachable = reachableCommands(menuTemplate({ ...baseState, document: doc(), recentFiles: ['/x.pcap'] }));
    for (const command of MENU_COMMANDS) assert.ok(reachable.has(command), `${command} is in a menu`);
    assert.ok(reachable.has('open-recent'));
  });

  test("accelerators are Wireshark's", () => {
    const t = menuTemplate({ ...baseState, document: doc({ capturing: true }) });
    const expected: Array<[string, string]> = [
      ['open', 'CmdOrCtrl+O'], ['save', 'CmdOrCtrl+S'], ['save-as', 'CmdOrCtrl+Shift+S'], ['close-window', 'CmdOrCtrl+W'], ['quit', 'CmdOrCtrl+Q'],
      ['capture-start-stop', 'CmdOrCtrl+E'], ['capture-restart', 'CmdOrCtrl+R'], ['capture-options', 'CmdOrCtrl+K'],
      ['find', 'CmdOrCtrl+F'], ['go-to-packet', 'CmdOrCtrl+G'], ['focus-display-filter', 'CmdOrCtrl+/'],
      ['zoom-in', 'CmdOrCtrl+Plus'], ['zoom-out', 'CmdOrCtrl+-'], ['zoom-reset', 'CmdOrCtrl+0'],
      ['mark-packet', 'CmdOrCtrl+M'], ['ignore-packet', 'CmdOrCtrl+D'], ['find-next', 'CmdOrCtrl+N'], ['find-previous', 'CmdOrCtrl+B'],
      ['next-in-conversation', 'CmdOrCtrl+.'], ['previous-in-conversation', 'CmdOrCtrl+,'], ['capture-properties', 'CmdOrCtrl+Alt+Shift+C'],
      ['time-format-ad', 'CmdOrCtrl+Alt+1'], ['time-format-r', 'CmdOrCtrl+Alt+4'], ['time-format-u', 'CmdOrCtrl+Alt+8'], ['time-hms', 'CmdOrCtrl+Alt+0'],
    ];
    for (const [command, accelerator] of expected) assert.equal(itemFor(t, command).accelerator, accelerator, command);
    for (const command of ['capture-start', 'capture-stop', 'export-specified', 'export-http-objects']) {
      assert.equal(itemFor(t, command).accelerator, undefined, `${command} has no shortcut (as in Wireshark, Ctrl+E starts and stops)`);
    }
  });

  test('no accelerator is used twice, no label twice within a menu, in any state', () => {
    for (const state of states) {
      const t = menuTemplate(state);
      const accelerators = actionItems(t).map((i) => i.accelerator).filter((a): a is string => a !== undefined);
      assert.equal(new Set(accelerators.map((a) => a.toLowerCase())).size, accelerators.length, `duplicate accelerator in ${JSON.stringify(accelerators)}`);
      const walk = (items: MenuItemSpec[]): void => {
        const labels = items.filter((i) => 'label' in i).map((i) => (i as { label: string }).label);
        assert.equal(new Set(labels).size, labels.length, `duplicate labels: ${labels.join(', ')}`);
        for (const i of items) if ('submenu' in i) walk(i.submenu);
      };
      walk(t);
      // Every accelerator comes from the one table.
      for (const item of actionItems(t)) {
        if (item.accelerator === undefined) continue;
        const key = item.run.kind === 'window' ? item.run.action.command : item.run.command;
        assert.equal(ACCELERATORS[key as MenuCommand], item.accelerator);
      }
    }
  });

  test('items follow the document: Save needs one, Stop and Restart a running capture, Start none', () => {
    const empty = menuTemplate(baseState);
    assert.equal(itemFor(empty, 'save').enabled, false);
    assert.equal(itemFor(empty, 'capture-stop').enabled, false);
    assert.equal(itemFor(empty, 'capture-start').enabled, true);
    assert.equal(itemFor(empty, 'capture-start-stop').label.replace(/&/g, ''), 'Start');
    const live = menuTemplate({ ...baseState, document: doc({ capturing: true }) });
    assert.equal(itemFor(live, 'save').enabled, true);
    assert.equal(itemFor(live, 'capture-stop').enabled, true);
    assert.equal(itemFor(live, 'capture-restart').enabled, true);
    assert.equal(itemFor(live, 'capture-start').enabled, false);
    assert.equal(itemFor(live, 'capture-start-stop').label.replace(/&/g, ''), 'Stop');
  });

  test('Open Recent lists files newest first, escapes & for GTK, and Clear Recent; without a window main opens them', () => {
    const t = menuTemplate({ ...baseState, recentFiles: ['/b & c.pcapng', '/a.pcap'] });
    const recent = actionItems(t).filter((i) => i.run.kind === 'window' && i.run.action.command === 'open-recent');
    assert.deepEqual(recent.map((i) => i.run.kind === 'window' && i.run.action), [
      { command: 'open-recent', path: '/b & c.pcapng' },
      { command: 'open-recent', path: '/a.pcap' },
    ]);
    assert.equal(recent[0]!.label, '&1 /b && c.pcapng');
    assert.equal(itemFor(t, 'clear-recent').enabled, true);
    assert.equal(itemFor(menuTemplate(baseState), 'clear-recent').enabled, false);
    const none = menuTemplate({ ...baseState, hasWindow: false, recentFiles: ['/a.pcap'] });
    assert.deepEqual(actionItems(none).filter((i) => i.run.kind === 'app' && i.run.command === 'open-in-new-window').map((i) => i.run), [
      { kind: 'app', command: 'open-in-new-window' },
      { kind: 'app', command: 'open-in-new-window', path: '/a.pcap' },
    ]);
    // Without a window, nothing is sent to one: every window item is disabled.
    for (const item of actionItems(none)) if (item.run.kind === 'window') assert.equal(item.enabled, false, item.label);
  });

  test('View > Dark Theme reflects and toggles the colours in use; Follow the System Theme is checked when followed', () => {
    const light = menuTemplate(baseState);
    assert.deepEqual([itemFor(light, 'use-dark-theme').checked, itemFor(light, 'follow-system-theme').checked], [false, true]);
    const dark = menuTemplate({ ...baseState, darkColors: true, themeSource: 'dark' });
    assert.deepEqual([itemFor(dark, 'use-light-theme').checked, itemFor(dark, 'follow-system-theme').checked], [true, false]);
    assert.ok(!actionItems(light).some((i) => i.run.kind === 'app' && i.run.command === 'toggle-devtools'), 'no developer tools when packaged');
  });
});

describe('CloseGuard and closePrompt', () => {
  test('a saved or empty document closes without asking', () => {
    const guard = new CloseGuard();
    assert.equal(guard.request(), 'allow');
    guard.documentChanged(doc({ unsaved: false }));
    assert.equal(guard.request(), 'allow');
    assert.equal(closePrompt(doc(), false), null);
  });

  test('an unsaved capture asks once; Cancel keeps the window and asks again next time', () => {
    const guard = new CloseGuard();
    guard.documentChanged(doc({ unsaved: true, capturing: true, title: 'Capturing from lo' }));
    assert.equal(guard.request(), 'prompt');
    assert.equal(guard.request(), 'wait', 'a second close while the prompt shows waits');
    assert.equal(guard.answer(CLOSE_RESPONSE.cancel), 'stay');
    assert.equal(guard.request(), 'prompt');
    assert.equal(guard.answer(-1), 'stay', 'a dismissed prompt stays');
  });

  test('Close without Saving closes', () => {
    const guard = new CloseGuard();
    guard.documentChanged(doc({ unsaved: true }));
    assert.equal(guard.request(), 'prompt');
    assert.equal(guard.answer(CLOSE_RESPONSE.discard), 'close');
    assert.equal(guard.request(), 'allow');
  });

  test('Save asks the window to save, then closes once it is saved; a cancelled Save dialog keeps it', () => {
    const guard = new CloseGuard();
    guard.documentChanged(doc({ unsaved: true }));
    guard.request();
    assert.equal(guard.answer(CLOSE_RESPONSE.save), 'save');
    assert.equal(guard.request(), 'wait', 'closing again while the save runs waits');
    assert.equal(guard.documentChanged(doc({ unsaved: true, title: 'still' })), null);
    assert.equal(guard.documentChanged(doc({ unsaved: false })), 'close');
    assert.equal(guard.request(), 'allow');

    const other = new CloseGuard();
    other.documentChanged(doc({ unsaved: true }));
    other.request();
    other.answer(CLOSE_RESPONSE.save);
    other.saveCancelled();
    assert.equal(other.waitingForSave, false);
    assert.equal(other.documentChanged(doc({ unsaved: false })), null, 'a later save does not close the window');
  });

  test("the prompt's words follow the capture and the quit", () => {
    const p = closePrompt(doc({ unsaved: true, capturing: true, title: 'Capturing from lo' }), true)!;
    assert.deepEqual(p.buttons, ['Stop and Save', 'Stop and Quit without Saving', 'Cancel']);
    assert.match(p.message, /stop the capture and save .* before quitting/);
    assert.equal(p.buttons[p.cancelId], 'Cancel');
    assert.equal(p.defaultId, CLOSE_RESPONSE.save);
    const q = closePrompt(doc({ unsaved: true }), false)!;
    assert.deepEqual(q.buttons, ['Save', 'Close without Saving', 'Cancel']);
    assert.match(q.detail, /^capture\.pcapng: /);
  });
});

describe('IPC arguments main receives', () => {
  test('good calls parse', () => {
    assert.deepEqual(parseIpcArguments(IPC.openFileDialog, []), []);
    assert.deepEqual(parseIpcArguments(IPC.saveFileDialog, [{ defaultName: 'capture.pcapng', format: 'pcapng' }]), [{ defaultName: 'capture.pcapng', format: 'pcapng' }]);
    assert.deepEqual(parseIpcArguments(IPC.chooseDirectoryDialog, ['Export HTTP Objects']), ['Export HTTP Objects']);
    assert.deepEqual(parseIpcArguments(IPC.setDocumentState, [doc({ unsaved: true })]), [doc({ unsaved: true })]);
    assert.deepEqual(parseIpcArguments(IPC.addRecentFile, ['/home/u/a.pcap']), ['/home/u/a.pcap']);
    assert.deepEqual(parseIpcArguments(IPC.openWindow, [null]), [null]);
    assert.deepEqual(parseIpcArguments(IPC.requestEnginePort, []), []);
  });

  const bad: Array<[keyof typeof IPC_ARGUMENTS, unknown[], RegExp]> = [
    [IPC.openFileDialog, [1], /takes 0 arguments, not 1/],
    [IPC.saveFileDialog, [], /takes 1 argument, not 0/],
    [IPC.saveFileDialog, [{ defaultName: 'a', format: 'pcapng', extra: 1 }], /argument 1/],
    [IPC.saveFileDialog, [{ defaultName: '../../etc/passwd', format: 'pcap' }], /argument 1 \(defaultName\): a file name holds no \//],
    [IPC.saveFileDialog, [{ defaultName: 'a', format: 'exe' }], /'pcap' or 'pcapng'/],
    [IPC.chooseDirectoryDialog, ['x'.repeat(201)], /at most 200/],
    [IPC.chooseDirectoryDialog, [{ toString: () => 'x' }], /argument 1/],
    [IPC.setDocumentState, [{ title: 't', unsaved: 'yes', capturing: false }], /argument 1 \(unsaved\)/],
    [IPC.setDocumentState, [null], /argument 1/],
    [IPC.addRecentFile, ['relative.pcap'], /absolute/],
    [IPC.addRecentFile, ['/a\0b'], /NUL/],
    [IPC.addRecentFile, ['/' + 'a'.repeat(5000)], /at most 4096/],
    [IPC.openWindow, [undefined], /argument 1/],
    [IPC.openWindow, ['/a', '/b'], /takes 1 argument, not 2/],
  ];
  for (const [channel, args, message] of bad) {
    test(`${channel} refuses ${JSON.stringify(args).slice(0, 60)}`, () => {
      assert.throws(() => parseIpcArguments(channel, args), (err: unknown) => err instanceof IpcArgumentError && err instanceof TypeError && message.test(err.message) && err.message.startsWith(channel));
    });
  }

  test('an unknown channel is refused; every channel the renderer sends on has a schema', () => {
    assert.throws(() => parseIpcArguments('sievecap:evil' as never, []), /not a channel main listens on/);
    assert.throws(() => parseIpcArguments('__proto__' as never, []), /not a channel main listens on/);
    const outgoing = new Set<string>([IPC.menuAction, IPC.enginePort]);
    for (const channel of Object.values(IPC)) assert.equal(channel in IPC_ARGUMENTS, !outgoing.has(channel), channel);
  });
});

describe('app:// origin', () => {
  const dir = '/opt/app/dist/renderer';
  test('URLs name files inside the renderer build only', () => {
    assert.equal(rendererFileFor(APP_INDEX_URL, dir), `${dir}/index.html`);
    assert.equal(rendererFileFor('app://sievecap/', dir), `${dir}/index.html`);
    assert.equal(rendererFileFor('app://sievecap/assets/index-abc.js?x=1#y', dir), `${dir}/assets/index-abc.js`);
    assert.equal(rendererFileFor('app://sievecap/assets/a%20b.css', dir), `${dir}/assets/a b.css`);
    // The URL parser resolves dot segments before the path is seen: what is left stays inside.
    for (const url of ['app://sievecap/../../etc/passwd', 'app://sievecap/%2e%2e/%2e%2e/etc/passwd', 'app://sievecap/assets/../../../x']) {
      const file = rendererFileFor(url, dir);
      assert.ok(file !== null && file.startsWith(`${dir}/`), `${url} → ${file}`);
    }
    for (const url of [
      'app://sievecap/assets/..%2f..%2fsecret',
      'app://sievecap/a%00b', 'app://sievecap/a%5c..%5cb', 'app://other/index.html', 'https://sievecap/index.html',
      'file:///etc/passwd', 'app://user@sievecap/index.html', 'not a url', 'app://sievecap/%E0%A4%A',
    ]) {
      assert.equal(rendererFileFor(url, dir), null, url);
    }
  });

  test('content types, CSP and the requests let through', () => {
    assert.equal(contentTypeFor('a/index.html'), 'text/html; charset=utf-8');
    assert.equal(contentTypeFor('x.JS'), 'text/javascript; charset=utf-8');
    assert.equal(contentTypeFor('x.unknown'), 'application/octet-stream');
    assert.match(CONTENT_SECURITY_POLICY, /default-src 'none'/);
    assert.match(CONTENT_SECURITY_POLICY, /script-src 'self'(;|$)/);
    assert.doesNotMatch(CONTENT_SECURITY_POLICY, /unsafe-eval|https?:|\*/);
    assert.ok(isAppUrl('app://sievecap/index.html'));
    assert.ok(!isAppUrl('app://evil/index.html'));
    assert.ok(isAllowedRequest('app://sievecap/assets/x.js', false));
    assert.ok(!isAllowedRequest('https://example.com/', false));
    assert.ok(!isAllowedRequest('file:///etc/passwd', false));
    assert.ok(!isAllowedRequest('devtools://devtools/x', false));
    assert.ok(isAllowedRequest('devtools://devtools/x', true));
  });
});

describe('file dialogs, settings, start arguments', () => {
  test('Open offers capture files (pcapng, pcap, cap, gz) and all files', () => {
    assert.deepEqual(CAPTURE_FILE_FILTERS[0]!.extensions, ['pcapng', 'pcap', 'cap', 'gz']);
    assert.deepEqual(CAPTURE_FILE_FILTERS.at(-1), { name: 'All files', extensions: ['*'] });
    assert.deepEqual(openDialogSpec('/home/u').properties, ['openFile']);
    assert.equal(openDialogSpec(null).defaultPath, undefined);
  });

  test("Save proposes the format's extension and puts it on the chosen name", () => {
    assert.equal(withExtension('/x/cap', 'pcapng'), '/x/cap.pcapng');
    assert.equal(withExtension('/x/cap.pcapng', 'pcapng'), '/x/cap.pcapng');
    assert.equal(withExtension('/x/cap.pcapng', 'pcap'), '/x/cap.pcap');
    assert.equal(withExtension('/x/cap.PCAP', 'pcap'), '/x/cap.PCAP');
    const spec = saveDialogSpec({ defaultName: 'lo.pcapng', format: 'pcap' }, '/home/u');
    assert.equal(spec.defaultPath, '/home/u/lo.pcap');
    assert.deepEqual(spec.filters, [{ name: 'pcap', extensions: ['pcap'] }]);
    assert.ok(spec.properties.includes('showOverwriteConfirmation'));
  });

  test('settings: defaults for missing or damaged files, recent files absolute and unique', () => {
    assert.deepEqual(parseSettings(null), { recentFiles: [], theme: 'system', window: null });
    assert.deepEqual(parseSettings('{oops'), { recentFiles: [], theme: 'system', window: null });
    assert.deepEqual(parseSettings('{"theme":"purple"}'), { recentFiles: [], theme: 'system', window: null });
    assert.deepEqual(parseSettings('{"recentFiles":["/a","rel",3,"/a","/b"],"theme":"dark"}'), { recentFiles: ['/a', '/b'], theme: 'dark', window: null });
    const s = { recentFiles: ['/a.pcap'], theme: 'light' as const, window: { bounds: { x: -10, y: 20, width: 900, height: 700 }, maximized: true } };
    assert.deepEqual(parseSettings(serializeSettings(s)), s);
    // A damaged window state is dropped, the rest kept.
    assert.deepEqual(parseSettings('{"theme":"dark","window":{"bounds":{"x":"a"},"maximized":1}}'), { recentFiles: [], theme: 'dark', window: null });
    let list: string[] = [];
    for (let i = 0; i < 15; i++) list = addRecentFile(list, `/f${i}`);
    list = addRecentFile(list, '/f10');
    assert.deepEqual(list.slice(0, 3), ['/f10', '/f14', '/f13']);
    assert.equal(list.length, 10);
  });

  test('window state: the saved bounds, cascaded and fitted to the displays; none saved: the default size', () => {
    const screen = [{ x: 0, y: 0, width: 1920, height: 1050 }];
    assert.deepEqual(initialWindowState(null, screen), { bounds: { width: 1280, height: 800 }, maximized: false });
    const saved = { bounds: { x: 100, y: 80, width: 1000, height: 700 }, maximized: false };
    assert.deepEqual(initialWindowState(saved, screen), { bounds: { x: 100, y: 80, width: 1000, height: 700 }, maximized: false });
    // The next windows a step down and right each.
    assert.deepEqual(initialWindowState(saved, screen, 2).bounds, { x: 148, y: 128, width: 1000, height: 700 });
    // Past the display's edge: moved back onto it; larger than it: as large as it.
    assert.deepEqual(initialWindowState({ bounds: { x: 1500, y: 900, width: 1000, height: 700 }, maximized: true }, screen), { bounds: { x: 920, y: 350, width: 1000, height: 700 }, maximized: true });
    assert.deepEqual(initialWindowState({ bounds: { x: 0, y: 0, width: 3000, height: 2000 }, maximized: false }, screen).bounds, { x: 0, y: 0, width: 1920, height: 1050 });
    // Two displays: the one it is mostly on (the second, left of the first).
    const two = [...screen, { x: -1280, y: 0, width: 1280, height: 1024 }];
    assert.deepEqual(initialWindowState({ bounds: { x: -1200, y: 50, width: 1000, height: 700 }, maximized: false }, two).bounds, { x: -1200, y: 50, width: 1000, height: 700 });
    // On no display any more (unplugged): its size, the system's place; never below the least size.
    assert.deepEqual(initialWindowState({ bounds: { x: 5000, y: 5000, width: 300, height: 200 }, maximized: false }, screen).bounds, { width: 640, height: 400 });
    // What a window shows: whole pixels.
    assert.deepEqual(windowStateOf({ x: 10.4, y: 20.6, width: 1000.2, height: 700 }, true), { bounds: { x: 10, y: 21, width: 1000, height: 700 }, maximized: true });
    assert.equal(parseWindowState({ bounds: { x: 1, y: 2, width: 0, height: 5 }, maximized: false }), null);
  });

  test('files named at start: paths and file:// URLs, switches and the app folder skipped', () => {
    const cwd = '/home/u';
    assert.deepEqual(filesFromArgv(['/opt/Sievecap/sievecap-desktop', 'a.pcap', '--no-sandbox', 'file:///tmp/b%20c.pcapng', 'https://x/y'], { defaultApp: false, cwd }), ['/home/u/a.pcap', '/tmp/b c.pcapng']);
    assert.deepEqual(filesFromArgv(['electron', '--inspect', '/src/sievecap', '--no-sandbox', 'x.pcap'], { defaultApp: true, cwd }), ['/home/u/x.pcap']);
    assert.deepEqual(filesFromArgv(['electron', '/src/sievecap'], { defaultApp: true, cwd }), []);
    assert.deepEqual(filesFromArgv(['exe', '--', '-odd.pcap', 'a.pcap', 'a.pcap'], { defaultApp: false, cwd }), ['/home/u/-odd.pcap', '/home/u/a.pcap']);
  });

  test('engine process options and messages', () => {
    assert.deepEqual(parseEngineProcessOptions(['x', ...engineProcessArgs({ spoolDir: '/tmp/s' })]), { spoolDir: '/tmp/s' });
    assert.deepEqual(parseEngineProcessOptions(['x']), {});
    assert.throws(() => parseEngineProcessOptions(['--engine-options={"spoolDir":"rel"}']), TypeError);
    assert.deepEqual(parseEngineProcessMessage({ type: 'connect' }), { type: 'connect' });
    assert.equal(parseEngineProcessMessage({ type: 'connect', x: 1 }), null);
  });
});

describe('capture helper route of the desktop app', () => {
  const facts = (over: Partial<CaptureRouteFacts> = {}): CaptureRouteFacts => ({
    uid: 1000, gid: 1000, canCapture: false, launcher: '/usr/lib/sievecap/sievecap-helper', launcherInstalled: true,
    policyInstalled: true, pkexecAvailable: true, appImage: false, ...over,
  });
  const noAppImage = (): string => assert.fail('no AppImage launcher wanted');
  test('privileged: a child; installed: pkexec; no policy: sudo-prompt; AppImage: its own launcher; else EPERM', () => {
    assert.deepEqual(desktopCaptureRoute(facts({ canCapture: true, uid: 0, gid: 0 }), noAppImage), { kind: 'child', uid: 0, gid: 0 });
    assert.deepEqual(desktopCaptureRoute(facts(), noAppImage), { kind: 'pkexec', launcher: '/usr/lib/sievecap/sievecap-helper' });
    assert.deepEqual(desktopCaptureRoute(facts({ policyInstalled: false }), noAppImage), { kind: 'sudo-prompt', launcher: '/usr/lib/sievecap/sievecap-helper' });
    assert.deepEqual(desktopCaptureRoute(facts({ pkexecAvailable: false }), noAppImage), { kind: 'sudo-prompt', launcher: '/usr/lib/sievecap/sievecap-helper' });
    assert.deepEqual(desktopCaptureRoute(facts({ launcherInstalled: false, appImage: true }), () => '/tmp/sievecap-helper-x/launcher'), { kind: 'sudo-prompt', launcher: '/tmp/sievecap-helper-x/launcher' });
    assert.throws(() => desktopCaptureRoute(facts({ launcherInstalled: false }), noAppImage), (err: Error & { code?: string }) => err.code === 'EPERM' && /install the Sievecap package/.test(err.message));
  });
});

describe('npm start: Electron or serve', () => {
  const facts = (over: Partial<StartFacts> = {}): StartFacts => ({ env: { DISPLAY: ':0' }, uid: 1000, binary: '/e/electron', binaryRuns: { ok: true }, ...over });
  test('Electron with a display and a binary that starts', () => {
    assert.deepEqual(chooseStart(facts()), { kind: 'electron', binary: '/e/electron', args: [] });
    assert.deepEqual(chooseStart(facts({ env: { WAYLAND_DISPLAY: 'wayland-0' } })).kind, 'electron');
  });
  test('serve, saying why: no binary, no display, a binary that fails, root with the sandbox, asked for', () => {
    const reason = (f: StartFacts): string => {
      const c = chooseStart(f);
      assert.equal(c.kind, 'serve');
      return c.kind === 'serve' ? c.reason : '';
    };
    assert.match(reason(facts({ binary: null })), /Electron binary is not installed/);
    assert.match(reason(facts({ env: {} })), /no display/);
    assert.match(reason(facts({ binaryRuns: { ok: false, detail: 'libnss3.so: cannot open' } })), /does not start: libnss3/);
    assert.match(reason(facts({ uid: 0 })), /as root/);
    assert.match(reason(facts({ env: { DISPLAY: ':0', SIEVECAP_START: 'serve' } })), /SIEVECAP_START=serve/);
    assert.deepEqual(chooseStart(facts({ uid: 0, env: { DISPLAY: ':0', SIEVECAP_ELECTRON_NO_SANDBOX: '1' } })), { kind: 'electron', binary: '/e/electron', args: ['--no-sandbox'] });
  });
  test("the binary is found as the electron package finds it, without its download", () => {
    const files = new Set(['/p/electron/dist/electron', '/override/electron']);
    const exists = (f: string): boolean => files.has(f);
    // No path.txt (the download never ran): nothing, and nothing is fetched.
    assert.equal(electronBinary('/nonexistent/electron', {}, exists), null);
    assert.equal(electronBinary(null, {}, exists), null);
    assert.equal(electronBinary(null, { ELECTRON_OVERRIDE_DIST_PATH: '/override' }, exists), '/override/electron');
    assert.equal(electronBinary(null, { ELECTRON_OVERRIDE_DIST_PATH: '/elsewhere' }, exists), null);
    // This checkout's package: whatever it holds, the answer is a file that exists or null.
    const here = electronBinary(path.resolve(__dirname, '../../node_modules/electron'), {});
    assert.ok(here === null || here.endsWith('electron'), String(here));
  });
});

describe("the engine's utility-process entry (engine-process.js) under Node", () => {
  const entry = path.resolve(__dirname, '../app/main/engine-process.js');
  const built = fs.existsSync(entry) ? false : 'dist/app/main/engine-process.js is not built (npm run build:ts builds app/main with tsconfig.electron.json)';
  test('serves the engine protocol on each port main connects, with plain data only (no Buffer or ArrayBuffer, which a utility process cannot post)', { skip: built }, async (t) => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sievecap-engine-process-'));
    t.after(() => fs.rmSync(tmp, { recursive: true, force: true }));
    const file = path.join(tmp, 'sample.pcapng');
    writeCapture(file, sampleTraffic({ connections: 2, dnsQueries: 1, pings: 1 }), 'pcapng');
    // Stands in for Electron: process.parentPort, and MessagePortMain (events carry {data}), whose
    // postMessage checks what a utility process could post.
    const shim = `
const { parentPort: hostPort, workerData } = require('node:worker_threads');
const { EventEmitter } = require('node:events');
function binaryIn(value, where) {
  if (value === null || typeof value !== 'object') return typeof value === 'bigint' || typeof value === 'function' ? where : null;
  if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer || value instanceof SharedArrayBuffer) return where;
  const proto = Object.getPrototypeOf(value);
  if (!Array.isArray(value) && proto !== Object.prototype && proto !== null) return where + ' (' + (proto.constructor && proto.constructor.name) + ')';
  for (const [k, v] of Object.entries(value)) { const found = binaryIn(v, where + '.' + k); if (found) return found; }
  return null;
}
const parent = new EventEmitter();
process.parentPort = parent;
require(workerData.entry);
hostPort.once('message', ({ port }) => {
  const main = new EventEmitter();
  main.start = () => port.start();
  main.postMessage = (message) => {
    const bad = binaryIn(message, 'message');
    port.postMessage(bad ? { notPlain: bad } : message);
  };
  port.on('message', (data) => main.emit('message', { data }));
  port.on('close', () => main.emit('close'));
  parent.emit('message', { data: { type: 'connect' }, ports: [main] });
});`;
    const worker = new Worker(shim, {
      eval: true,
      workerData: { entry },
      argv: engineProcessArgs({ spoolDir: tmp, configDir: path.join(tmp, 'config'), eventIntervalMs: 0 }),
    });
    t.after(() => worker.terminate());
    const { port1, port2 } = new MessageChannel();
    worker.postMessage({ port: port2 }, [port2]);
    const received: Array<Record<string, unknown>> = [];
    const waiters = new Map<number, (reply: Record<string, unknown>) => void>();
    port1.on('message', (m: Record<string, unknown>) => {
      received.push(m);
      if (typeof m.id === 'number' && (m.type === 'result' || m.type === 'error')) waiters.get(m.id)?.(m);
    });
    let nextId = 1;
    const ask = (request: Record<string, unknown>): Promise<Record<string, unknown>> =>
      new Promise((resolve) => {
        const id = nextId++;
        waiters.set(id, resolve);
        port1.postMessage({ id, ...request });
      });
    const opened = await ask({ method: 'openFile', path: file });
    assert.equal(opened.type, 'result', JSON.stringify(opened));
    const session = (opened.result as { session: number }).session;
    const rows = await ask({ method: 'rows', session, start: 0, count: 50 });
    assert.equal(rows.type, 'result', JSON.stringify(rows));
    const packet = await ask({ method: 'packet', session, number: 1 });
    assert.equal(packet.type, 'result');
    assert.match((packet.result as { bytes: string }).bytes, /^[A-Za-z0-9+/]+=*$/, 'bytes travel as base64');
    const bad = await ask({ method: 'rows', session: 99, start: 0, count: 1 });
    assert.deepEqual([bad.type, (bad.error as { code: string }).code], ['error', 'ENOSESSION']);
    assert.deepEqual(received.filter((m) => 'notPlain' in m), [], 'every message was plain data');
    assert.ok(received.some((m) => m.type === 'event'), 'events come over the same port');
    port1.close();
  });
});
