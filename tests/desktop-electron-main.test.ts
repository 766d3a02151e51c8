/**
 * The desktop app's main process (dist/app/main/main.js) loaded under Node with a stand-in for the
 * 'electron' module (tests/support/fake-electron.ts): what it asks of Electron, in order — the
 * app:// scheme and the sandbox before `ready`; a window per file named at start, sandboxed and
 * isolated, loading app://sievecap/; the protocol serving only the renderer's build, with the CSP;
 * permissions and foreign requests denied; navigation and new windows refused; the engine in a
 * utilityProcess whose port goes to the window; IPC checked (sender and arguments); the menus;
 * the unsaved-capture prompt; a lost engine. The Electron binary itself cannot run here.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import Module from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import { IPC } from '../app/main/ipc-contract';
import { CONTENT_SECURITY_POLICY } from '../app/main/app-protocol';
import { createFakeElectron, FakeBrowserWindow, FakeEvent, FakeUtilityProcess, FakeWebContents, type FakeElectron } from './support/fake-electron';

const ROOT = path.resolve(__dirname, '../..');
const MAIN = path.join(ROOT, 'dist/app/main/main.js');
const built = fs.existsSync(MAIN) && fs.existsSync(path.join(ROOT, 'dist/renderer/index.html'));
const tick = (): Promise<void> => new Promise((r) => setTimeout(r, 10));

interface MenuItem {
  label?: string;
  accelerator?: string;
  enabled?: boolean;
  click?: () => void;
  submenu?: MenuItem[];
}
function findItem(items: MenuItem[], label: string): MenuItem | undefined {
  for (const item of items) {
    if (item.label?.replace(/&/g, '') === label) return item;
    const inner = item.submenu && findItem(item.submenu, label);
    if (inner) return inner;
  }
  return undefined;
}

describe('Electron main under a stand-in electron module', { skip: built ? false : 'dist/app/main or dist/renderer is not built' }, () => {
  let fake: FakeElectron;
  let tmp: string;
  let win: FakeBrowserWindow;
  const startFile = '/captures/start.pcapng';
  const savedArgv = process.argv;

  const frameEvent = (sender: FakeWebContents, url = 'app://sievecap/index.html', parent: unknown = null): Record<string, unknown> => ({ sender, senderFrame: { url, parent } });

  before(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sievecap-main-'));
    fake = createFakeElectron(tmp);
    const electronPath = require.resolve('electron', { paths: [path.dirname(MAIN)] });
    const stub = new Module(electronPath);
    stub.exports = fake.module;
    stub.loaded = true;
    require.cache[electronPath] = stub;
    (process as { defaultApp?: boolean }).defaultApp = true;
    // Read at load and at `ready`: put back in the ready test.
    process.argv = ['/fake/electron', ROOT, startFile];
    require(MAIN);
  });

  after(() => {
    process.argv = savedArgv;
    delete (process as { defaultApp?: boolean }).defaultApp;
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  test('before ready: app:// is a privileged standard, secure scheme; the sandbox is on for every renderer', () => {
    assert.deepEqual(fake.calls.slice(0, 2), ['registerSchemesAsPrivileged', 'enableSandbox']);
    assert.deepEqual(fake.privilegedSchemes, [{ scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: true, corsEnabled: true, codeCache: true } }]);
    assert.equal(FakeBrowserWindow.all.length, 0, 'no window before ready');
  });

  test('at ready: one window for the file named at start, isolated and sandboxed, loading app://sievecap/', async () => {
    fake.ready();
    await tick();
    process.argv = savedArgv;
    assert.equal(FakeBrowserWindow.all.length, 1);
    win = FakeBrowserWindow.all[0]!;
    win.focus();
    const prefs = win.options.webPreferences as Record<string, unknown>;
    assert.deepEqual(
      { contextIsolation: prefs.contextIsolation, nodeIntegration: prefs.nodeIntegration, sandbox: prefs.sandbox, webSecurity: prefs.webSecurity, webviewTag: prefs.webviewTag, allowRunningInsecureContent: prefs.allowRunningInsecureContent },
      { contextIsolation: true, nodeIntegration: false, sandbox: true, webSecurity: true, webviewTag: false, allowRunningInsecureContent: false },
    );
    assert.equal(prefs.preload, path.join(ROOT, 'dist/app/preload/preload.js'));
    assert.ok(fs.existsSync(prefs.preload as string));
    assert.equal(win.loadedUrl, 'app://sievecap/index.html');
    assert.equal(FakeUtilityProcess.forks.length, 1, 'the window has its engine');
    assert.equal(FakeUtilityProcess.forks[0]!.modulePath, path.join(ROOT, 'dist/app/main/engine-process.js'));
  });

  test('app:// serves the renderer build with the CSP, and nothing outside it', async () => {
    const handler = fake.protocolHandlers.get('app')!;
    assert.ok(handler);
    const index = (await handler(new Request('app://sievecap/index.html'))) as Response;
    assert.equal(index.status, 200);
    assert.equal(index.headers.get('content-type'), 'text/html; charset=utf-8');
    assert.equal(index.headers.get('content-security-policy'), CONTENT_SECURITY_POLICY);
    assert.equal(await index.text(), fs.readFileSync(path.join(ROOT, 'dist/renderer/index.html'), 'utf8'));
    const script = fs.readdirSync(path.join(ROOT, 'dist/renderer/assets')).find((f) => f.endsWith('.js'))!;
    const js = (await handler(new Request(`app://sievecap/assets/${script}`))) as Response;
    assert.deepEqual([js.status, js.headers.get('content-type')], [200, 'text/javascript; charset=utf-8']);
    for (const url of ['app://sievecap/assets/..%2f..%2f..%2fpackage.json', 'app://sievecap/missing.js', 'app://elsewhere/index.html']) {
      assert.equal(((await handler(new Request(url))) as Response).status, 404, url);
    }
    assert.equal(((await handler(new Request('app://sievecap/index.html', { method: 'POST', body: 'x' }))) as Response).status, 405);
  });

  test('permissions are denied and requests leave for nowhere but app://', () => {
    let granted: boolean | undefined;
    fake.session.permissionRequest!(null, 'media', (ok: boolean) => (granted = ok));
    assert.equal(granted, false);
    assert.equal(fake.session.permissionCheck!(null, 'clipboard-read'), false);
    assert.equal(fake.session.devicePermission!({}), false);
    const verdict = (url: string): boolean => {
      let cancel: boolean | undefined;
      fake.session.beforeRequest!({ url }, (r: { cancel: boolean }) => (cancel = r.cancel));
      return cancel!;
    };
    assert.equal(verdict('app://sievecap/assets/x.js'), false);
    assert.equal(verdict('https://example.com/'), true);
    assert.equal(verdict('file:///etc/passwd'), true);
  });

  test('every web contents refuses navigation, redirects, webviews and new windows', () => {
    const contents = new FakeWebContents();
    fake.appEvents.emit('web-contents-created', new FakeEvent(), contents);
    for (const name of ['will-navigate', 'will-frame-navigate', 'will-redirect', 'will-attach-webview']) {
      const event = new FakeEvent();
      contents.emit(name, event);
      assert.ok(event.defaultPrevented, name);
    }
    assert.deepEqual(contents.windowOpenHandler!({ url: 'https://example.com/' }), { action: 'deny' });
  });

  test("the preload's request gets a new channel: one end to the engine, the other to the page; then the file given at start", () => {
    fake.ipcListeners.get(IPC.requestEnginePort)!(frameEvent(win.webContents));
    const engine = FakeUtilityProcess.forks[0]!;
    assert.equal(engine.messages.length, 1);
    assert.deepEqual(engine.messages[0]!.message, { type: 'connect' });
    const posted = win.webContents.posted;
    assert.equal(posted.length, 1);
    assert.equal(posted[0]!.channel, IPC.enginePort);
    assert.equal(posted[0]!.transfer.length, 1);
    assert.notEqual(posted[0]!.transfer[0], engine.messages[0]!.transfer[0], 'the two ends of one channel');
    assert.deepEqual(win.webContents.sent, [{ channel: IPC.menuAction, args: [{ command: 'open-recent', path: startFile }] }]);
  });

  test('IPC from another origin, a subframe or an unknown window is refused; bad arguments are refused', async () => {
    const open = fake.ipcHandlers.get(IPC.openFileDialog)!;
    await assert.rejects(() => Promise.resolve(open(frameEvent(win.webContents, 'https://evil.example/'))), /refused a call from https:\/\/evil/);
    await assert.rejects(() => Promise.resolve(open(frameEvent(win.webContents, 'app://sievecap/index.html', {}))), /refused/);
    await assert.rejects(() => Promise.resolve(open(frameEvent(new FakeWebContents()))), /refused/);
    const save = fake.ipcHandlers.get(IPC.saveFileDialog)!;
    await assert.rejects(() => Promise.resolve(save(frameEvent(win.webContents), { defaultName: '../x', format: 'pcap' })), /defaultName/);
    fake.openDialogAnswers.push({ canceled: false, filePaths: ['/captures/other.pcap'] });
    assert.equal(await open(frameEvent(win.webContents)), '/captures/other.pcap');
    fake.saveDialogAnswers.push({ canceled: false, filePath: '/captures/saved' });
    assert.equal(await save(frameEvent(win.webContents), { defaultName: 'x', format: 'pcapng' }), '/captures/saved.pcapng');
  });

  test('the menus: File to Help, items send their action to the focused window; Open Recent follows addRecentFile', () => {
    const menu = fake.menus.at(-1) as MenuItem[];
    assert.deepEqual(menu.map((m) => m.label?.replace(/&/g, '')), ['File', 'Edit', 'View', 'Go', 'Capture', 'Analyze', 'Statistics', 'Help']);
    win.webContents.sent.length = 0;
    findItem(menu, 'Find Packet…')!.click!();
    assert.deepEqual(win.webContents.sent, [{ channel: IPC.menuAction, args: [{ command: 'find' }] }]);
    fake.ipcListeners.get(IPC.addRecentFile)!(frameEvent(win.webContents), '/captures/recent.pcap');
    assert.deepEqual(fake.recentDocuments, ['/captures/recent.pcap']);
    const recent = findItem(fake.menus.at(-1) as MenuItem[], 'Open Recent')!;
    assert.equal(recent.submenu![0]!.label, '&1 /captures/recent.pcap');
    assert.deepEqual(JSON.parse(fs.readFileSync(path.join(tmp, 'userData/settings.json'), 'utf8')).recentFiles, ['/captures/recent.pcap']);
  });

  test('closing an unsaved capture asks; Cancel keeps it, Close without Saving closes it and its engine', async () => {
    fake.ipcListeners.get(IPC.setDocumentState)!(frameEvent(win.webContents), { title: 'Capturing from lo', unsaved: true, capturing: true });
    assert.equal(findItem(fake.menus.at(-1) as MenuItem[], 'Stop')!.enabled, true, 'menus follow the document');
    fake.messageBoxAnswers.push(2);
    win.close();
    await tick();
    assert.equal(win.destroyed, false);
    assert.match((fake.messageBoxes.at(-1) as { message: string }).message, /stop the capture and save/);
    fake.messageBoxAnswers.push(1);
    win.close();
    await tick();
    assert.equal(win.destroyed, true);
    assert.equal(FakeUtilityProcess.forks[0]!.killed, true);
  });

  test('a closed window is refused; a second start opens its file in a new window, whose page may open another', () => {
    const errors: unknown[] = [];
    const original = console.error;
    console.error = (...args: unknown[]) => errors.push(args.join(' '));
    try {
      fake.ipcListeners.get(IPC.openWindow)!(frameEvent(win.webContents), '/captures/b.pcap');
    } finally {
      console.error = original;
    }
    assert.equal(FakeBrowserWindow.all.length, 1, 'nothing opened for a closed window');
    assert.match(String(errors[0]), /refused a call/);
    fake.appEvents.emit('second-instance', new FakeEvent(), ['/fake/electron', ROOT, 'b.pcap'], '/captures');
    assert.equal(FakeBrowserWindow.all.length, 2);
    const second = FakeBrowserWindow.all[1]!;
    fake.ipcListeners.get(IPC.requestEnginePort)!(frameEvent(second.webContents));
    assert.deepEqual(second.webContents.sent.at(-1), { channel: IPC.menuAction, args: [{ command: 'open-recent', path: '/captures/b.pcap' }] });
    fake.ipcListeners.get(IPC.openWindow)!(frameEvent(second.webContents), null);
    assert.equal(FakeBrowserWindow.all.length, 3);
  });

  test('Save from the close prompt: the page is asked to save; a cancelled Save dialog keeps the window, a finished save closes it', async () => {
    const second = FakeBrowserWindow.all[1]!;
    second.focus();
    const event = frameEvent(second.webContents);
    fake.ipcListeners.get(IPC.setDocumentState)!(event, { title: 'Capture on lo', unsaved: true, capturing: false });
    fake.messageBoxAnswers.push(0);
    second.close();
    await tick();
    assert.deepEqual(second.webContents.sent.at(-1), { channel: IPC.menuAction, args: [{ command: 'save' }] });
    assert.equal(await fake.ipcHandlers.get(IPC.saveFileDialog)!(event, { defaultName: 'lo', format: 'pcapng' }), null, 'cancelled');
    fake.ipcListeners.get(IPC.setDocumentState)!(event, { title: 'lo.pcapng', unsaved: false, capturing: false });
    assert.equal(second.destroyed, false, 'a save after a cancelled close does not close the window');
    fake.ipcListeners.get(IPC.setDocumentState)!(event, { title: 'Capture on lo', unsaved: true, capturing: false });
    fake.messageBoxAnswers.push(0);
    second.close();
    await tick();
    fake.saveDialogAnswers.push({ canceled: false, filePath: '/captures/lo.pcapng' });
    await fake.ipcHandlers.get(IPC.saveFileDialog)!(event, { defaultName: 'lo', format: 'pcapng' });
    fake.ipcListeners.get(IPC.setDocumentState)!(event, { title: 'lo.pcapng', unsaved: false, capturing: false });
    assert.equal(second.destroyed, true, 'saved: the window closes');
  });

  test('a lost engine offers a reload, which starts a new engine', async () => {
    const third = FakeBrowserWindow.all[2]!;
    const engine = FakeUtilityProcess.forks.at(-1)!;
    fake.messageBoxAnswers.push(0);
    engine.emit('exit', 9);
    await tick();
    assert.match((fake.messageBoxes.at(-1) as { message: string }).message, /engine of this window stopped/);
    assert.equal(third.webContents.reloads, 1);
    assert.notEqual(FakeUtilityProcess.forks.at(-1), engine, 'a new engine process');
    third.close();
    assert.equal(FakeUtilityProcess.forks.at(-1)!.killed, true);
  });

  test('the last closed window’s place, size and maximized state are remembered for the next window, fitted to the displays', () => {
    // A window moved, resized and maximized, then closed.
    fake.appEvents.emit('second-instance', new FakeEvent(), ['/fake/electron', ROOT], '/captures');
    const moved = FakeBrowserWindow.all.at(-1)!;
    moved.bounds = { x: 200, y: 150, width: 1000, height: 700 };
    moved.maximized = true;
    moved.close();
    assert.equal(moved.destroyed, true);
    const saved = JSON.parse(fs.readFileSync(path.join(tmp, 'userData', 'settings.json'), 'utf8')) as { window?: unknown };
    assert.deepEqual(saved.window, { bounds: { x: 200, y: 150, width: 1000, height: 700 }, maximized: true });
    fake.appEvents.emit('second-instance', new FakeEvent(), ['/fake/electron', ROOT], '/captures');
    const next = FakeBrowserWindow.all.at(-1)!;
    assert.deepEqual([next.options.x, next.options.y, next.options.width, next.options.height], [200, 150, 1000, 700]);
    assert.equal(next.maximized, false, 'maximized once shown');
    next.emit('ready-to-show');
    assert.equal(next.maximized, true);
    // A second window opens a step down and right; on a smaller display, it fits.
    fake.displays = [{ x: 0, y: 0, width: 800, height: 600 }];
    fake.appEvents.emit('second-instance', new FakeEvent(), ['/fake/electron', ROOT, 'c.pcap'], '/captures');
    const fitted = FakeBrowserWindow.all.at(-1)!;
    assert.deepEqual([fitted.options.x, fitted.options.y, fitted.options.width, fitted.options.height], [0, 0, 800, 600]);
    fitted.close();
    next.close();
  });
});
