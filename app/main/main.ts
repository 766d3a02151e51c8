/**
 * Sievecap's Electron main process: windows (one per capture or opened file, each with its own
 * engine in a utilityProcess), native menus, file dialogs, Open Recent and the theme. Thin by
 * design: decisions are pure modules beside it (menu-template, close-guard, ipc-contract,
 * app-protocol, file-dialogs, settings, launch-args), tested under Node; this file wires them to
 * Electron.
 */
import { app, BrowserWindow, dialog, ipcMain, Menu, nativeTheme, screen, type IpcMainEvent, type IpcMainInvokeEvent } from 'electron';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isAppUrl } from './app-protocol';
import { DocumentWindow, type WindowHost } from './document-window';
import { directoryDialogSpec, openDialogSpec, saveDialogSpec, withExtension } from './file-dialogs';
import { IPC, IpcArgumentError, parseIpcArguments, type IncomingChannel, type IpcArguments } from './ipc-contract';
import { filesFromArgv } from './launch-args';
import { buildMenu } from './menu';
import { menuTemplate, type MenuRun } from './menu-template';
import { guardWebContents, hardenSession, registerAppScheme, serveAppProtocol, defaultSession } from './security';
import { addRecentFile, parseSettings, serializeSettings, type Settings } from './settings';
import { initialWindowState } from './window-state';

/** dist/app/main → dist/renderer (inside app.asar when packaged). */
const RENDERER_DIR = path.resolve(__dirname, '..', '..', 'renderer');
const developer = !app.isPackaged;

const windows = new Map<number, DocumentWindow>();
let quitting = false;
let settings: Settings = parseSettings(null);

function settingsFile(): string {
  return path.join(app.getPath('userData'), 'settings.json');
}

function loadSettings(): void {
  let text: string | null = null;
  try {
    text = fs.readFileSync(settingsFile(), 'utf8');
  } catch {
    text = null;
  }
  settings = parseSettings(text);
}

function saveSettings(): void {
  try {
    fs.mkdirSync(path.dirname(settingsFile()), { recursive: true });
    fs.writeFileSync(settingsFile(), serializeSettings(settings));
  } catch (err) {
    console.error(`sievecap: could not save settings: ${(err as Error).message}`);
  }
}

function focusedWindow(): DocumentWindow | null {
  const focused = BrowserWindow.getFocusedWindow();
  return [...windows.values()].find((w) => w.browserWindow === focused) ?? null;
}

function rebuildMenu(): void {
  const focused = focusedWindow() ?? (windows.size === 1 ? [...windows.values()][0]! : null);
  const template = menuTemplate({
    hasWindow: focused !== null,
    document: focused?.document ?? null,
    recentFiles: settings.recentFiles,
    themeSource: nativeTheme.themeSource,
    darkColors: nativeTheme.shouldUseDarkColors,
    developer,
  });
  Menu.setApplicationMenu(buildMenu(template, runMenuItem));
}

const host: WindowHost = {
  get quitting() {
    return quitting;
  },
  quitCancelled: () => {
    quitting = false;
  },
  continueQuit: () => {
    if (quitting) setImmediate(() => app.quit());
  },
  documentChanged: () => rebuildMenu(),
  windowStateChanged: (state) => {
    settings = { ...settings, window: state };
    saveSettings();
  },
  closed: (window) => {
    windows.delete(window.webContentsId);
    rebuildMenu();
  },
  developer,
};

function openWindow(file: string | null): DocumentWindow {
  const workAreas = screen.getAllDisplays().map((d) => d.workArea);
  const window = new DocumentWindow(host, file, initialWindowState(settings.window, workAreas, windows.size));
  windows.set(window.webContentsId, window);
  rebuildMenu();
  return window;
}

function recentDirectory(): string {
  const last = settings.recentFiles[0];
  return last ? path.dirname(last) : app.getPath('documents');
}

function rememberFile(file: string): void {
  settings = { ...settings, recentFiles: addRecentFile(settings.recentFiles, file) };
  app.addRecentDocument(file);
  saveSettings();
  rebuildMenu();
}

function runMenuItem(what: MenuRun): void {
  if (what.kind === 'window') {
    focusedWindow()?.sendMenuAction(what.action);
    return;
  }
  switch (what.command) {
    case 'quit':
      app.quit();
      return;
    case 'open-in-new-window':
      if (what.path) {
        openWindow(what.path);
        return;
      }
      void dialog.showOpenDialog(openDialogSpec(recentDirectory())).then((r) => {
        if (!r.canceled && r.filePaths[0]) openWindow(r.filePaths[0]);
      });
      return;
    case 'clear-recent':
      settings = { ...settings, recentFiles: [] };
      app.clearRecentDocuments();
      saveSettings();
      rebuildMenu();
      return;
    case 'use-dark-theme':
    case 'use-light-theme':
    case 'follow-system-theme': {
      const theme = what.command === 'use-dark-theme' ? 'dark' : what.command === 'use-light-theme' ? 'light' : 'system';
      nativeTheme.themeSource = theme;
      settings = { ...settings, theme };
      saveSettings();
      rebuildMenu();
      return;
    }
    case 'toggle-devtools':
      focusedWindow()?.toggleDevTools();
      return;
  }
}

// ---- IPC: every call checked at the boundary ---------------------------------------------------

/** The window a call came from, when it came from the top frame of one of the app's own pages. */
function senderWindow(event: IpcMainEvent | IpcMainInvokeEvent): DocumentWindow {
  const frame = event.senderFrame;
  const window = windows.get(event.sender.id);
  if (!window || !frame || frame.parent !== null || !isAppUrl(frame.url)) {
    throw new IpcArgumentError('sender', `refused a call from ${frame?.url ?? 'a frame that is gone'}`);
  }
  return window;
}

function handle<C extends IncomingChannel>(channel: C, run: (window: DocumentWindow, args: IpcArguments<C>) => Promise<unknown>): void {
  ipcMain.handle(channel, async (event, ...args: unknown[]) => run(senderWindow(event), parseIpcArguments(channel, args)));
}

function listen<C extends IncomingChannel>(channel: C, run: (window: DocumentWindow, args: IpcArguments<C>) => void): void {
  ipcMain.on(channel, (event, ...args: unknown[]) => {
    try {
      run(senderWindow(event), parseIpcArguments(channel, args));
    } catch (err) {
      // One-way messages have nobody to answer: say it where a developer looks.
      console.error(`sievecap: ${(err as Error).message}`);
    }
  });
}

function registerIpc(): void {
  handle(IPC.openFileDialog, async (window) => {
    const r = await dialog.showOpenDialog(window.browserWindow, openDialogSpec(recentDirectory()));
    return r.canceled || !r.filePaths[0] ? null : r.filePaths[0];
  });
  handle(IPC.saveFileDialog, async (window, [options]) => {
    const r = await dialog.showSaveDialog(window.browserWindow, saveDialogSpec(options, recentDirectory()));
    const chosen = r.canceled || !r.filePath ? null : withExtension(r.filePath, options.format);
    window.saveDialogClosed(chosen === null);
    return chosen;
  });
  handle(IPC.chooseDirectoryDialog, async (window, [title]) => {
    const r = await dialog.showOpenDialog(window.browserWindow, directoryDialogSpec(title, recentDirectory()));
    return r.canceled || !r.filePaths[0] ? null : r.filePaths[0];
  });
  listen(IPC.setDocumentState, (window, [state]) => window.setDocumentState(state));
  listen(IPC.addRecentFile, (_window, [file]) => rememberFile(file));
  listen(IPC.openWindow, (_window, [file]) => void openWindow(file));
  listen(IPC.requestEnginePort, (window) => window.sendEnginePort());
}

// ---- start -------------------------------------------------------------------------------------

function start(): void {
  registerAppScheme();
  app.enableSandbox();
  if (!app.requestSingleInstanceLock()) {
    // The first instance opens this start's files (second-instance below).
    app.quit();
    return;
  }
  guardWebContents();
  app.on('second-instance', (_event, argv, workingDirectory) => {
    const files = filesFromArgv(argv, { defaultApp: process.defaultApp === true, cwd: workingDirectory });
    const existing = [...windows.values()][0];
    if (files.length) for (const f of files) openWindow(f);
    else if (existing) existing.focus();
    else openWindow(null);
  });
  app.on('before-quit', () => {
    quitting = true;
  });
  app.on('window-all-closed', () => app.quit());
  app.on('browser-window-focus', () => rebuildMenu());
  nativeTheme.on('updated', () => rebuildMenu());

  void app.whenReady().then(() => {
    loadSettings();
    nativeTheme.themeSource = settings.theme;
    const target = defaultSession();
    hardenSession(target, developer);
    serveAppProtocol(target, RENDERER_DIR);
    registerIpc();
    if (!fs.existsSync(path.join(RENDERER_DIR, 'index.html'))) {
      dialog.showErrorBox('Sievecap', `The user interface is not built: ${path.join(RENDERER_DIR, 'index.html')} is missing (npm run build:renderer).`);
      app.exit(1);
      return;
    }
    const files = filesFromArgv(process.argv, { defaultApp: process.defaultApp === true, cwd: process.cwd() });
    if (files.length) for (const f of files) openWindow(f);
    else openWindow(null);
  });
}

start();
