/**
 * A window of the desktop app: one capture or one opened file, its own engine (engine-host.ts) and
 * the close guard that asks before unsaved packets are lost (close-guard.ts).
 */
import { BrowserWindow, dialog, nativeTheme, type MessagePortMain } from 'electron';
import * as path from 'node:path';
import type { DocumentState, MenuAction } from '../rpc/desktop-bridge';
import { APP_INDEX_URL } from './app-protocol';
import { CloseGuard, closePrompt } from './close-guard';
import { EngineHost } from './engine-host';
import { IPC } from './ipc-contract';
import { MIN_SIZE, windowStateOf, type WindowPlace, type WindowState } from './window-state';

export interface WindowHost {
  /** The app is quitting (Quit, or the session ends): prompts say so. */
  readonly quitting: boolean;
  /** A prompt during a quit was answered "stay": the quit is off. */
  quitCancelled(): void;
  /** The window closed after a prompt during a quit: carry on quitting. */
  continueQuit(): void;
  /** What the window shows changed (title, unsaved, capturing): menus follow. */
  documentChanged(window: DocumentWindow): void;
  /** The window is closing: its place and size, to be remembered for the next window. */
  windowStateChanged(state: WindowState): void;
  closed(window: DocumentWindow): void;
  readonly developer: boolean;
}

let nextWindowId = 1;

export class DocumentWindow {
  readonly id = nextWindowId++;
  readonly browserWindow: BrowserWindow;
  /** Its page's webContents id, which IPC events name (kept: a destroyed window's cannot be read). */
  readonly webContentsId: number;
  private readonly engine: EngineHost;
  private readonly guard = new CloseGuard();
  /** The file to open once the page is up (a start's argument, Open in a new window). */
  private pendingFile: string | null;

  /** `place`: where it opens (initialWindowState of the remembered one). */
  constructor(private readonly host: WindowHost, file: string | null, place: WindowPlace) {
    this.pendingFile = file;
    this.browserWindow = new BrowserWindow({
      ...place.bounds,
      minWidth: MIN_SIZE.width,
      minHeight: MIN_SIZE.height,
      show: false,
      title: file ? `${path.basename(file)} — Sievecap` : 'Sievecap',
      backgroundColor: nativeTheme.shouldUseDarkColors ? '#1e1e1e' : '#ffffff',
      autoHideMenuBar: false,
      webPreferences: {
        preload: path.join(__dirname, '..', 'preload', 'preload.js'),
        contextIsolation: true,
        nodeIntegration: false,
        nodeIntegrationInWorker: false,
        nodeIntegrationInSubFrames: false,
        sandbox: true,
        webSecurity: true,
        allowRunningInsecureContent: false,
        webviewTag: false,
        navigateOnDragDrop: false,
        spellcheck: false,
        devTools: host.developer,
        safeDialogs: true,
      },
    });
    this.webContentsId = this.browserWindow.webContents.id;
    this.engine = new EngineHost({
      label: `window ${this.id}`,
      onExit: (code) => void this.engineLost(code),
    });
    this.engine.start();

    const win = this.browserWindow;
    win.once('ready-to-show', () => {
      if (place.maximized) win.maximize();
      win.show();
    });
    win.on('close', (event) => this.onClose(event));
    // Told on every close asked for (a prompt may keep the window open: the last one told wins).
    win.on('close', () => this.host.windowStateChanged(windowStateOf(win.getNormalBounds(), win.isMaximized())));
    win.on('closed', () => {
      this.engine.stop();
      this.host.closed(this);
    });
    win.webContents.on('render-process-gone', (_event, details) => {
      if (details.reason !== 'clean-exit') console.error(`sievecap: window ${this.id}'s page ended (${details.reason}, exit ${details.exitCode})`);
    });
    void win.loadURL(APP_INDEX_URL);
  }

  get document(): DocumentState | null {
    return this.guard.document;
  }


  /** The preload asked for its page's engine port (the page (re)loaded): a new channel to the engine. */
  sendEnginePort(): void {
    const port: MessagePortMain = this.engine.connect();
    this.browserWindow.webContents.postMessage(IPC.enginePort, null, [port]);
    if (this.pendingFile) {
      // The preload keeps menu actions until the page listens: the page opens the file as Open Recent would.
      this.sendMenuAction({ command: 'open-recent', path: this.pendingFile });
      this.pendingFile = null;
    }
  }

  sendMenuAction(action: MenuAction): void {
    if (!this.browserWindow.isDestroyed()) this.browserWindow.webContents.send(IPC.menuAction, action);
  }

  setDocumentState(state: DocumentState): void {
    // The page titles the window itself (document.title); main keeps the state for menus and closing.
    const decision = this.guard.documentChanged(state);
    this.host.documentChanged(this);
    if (decision === 'close') this.closeNow();
  }

  /** A Save dialog answered: cancelled, a close waiting for that save is off. */
  saveDialogClosed(cancelled: boolean): void {
    if (cancelled && this.guard.waitingForSave) {
      this.guard.saveCancelled();
      if (this.host.quitting) this.host.quitCancelled();
    }
  }

  focus(): void {
    if (this.browserWindow.isMinimized()) this.browserWindow.restore();
    this.browserWindow.focus();
  }

  toggleDevTools(): void {
    if (this.host.developer) this.browserWindow.webContents.toggleDevTools();
  }

  private closeNow(): void {
    if (this.browserWindow.isDestroyed()) return;
    this.browserWindow.close();
    if (this.host.quitting) this.host.continueQuit();
  }

  private onClose(event: Electron.Event): void {
    const request = this.guard.request();
    if (request === 'allow') return;
    event.preventDefault();
    if (request === 'wait') return;
    const prompt = closePrompt(this.guard.document, this.host.quitting)!;
    void dialog.showMessageBox(this.browserWindow, prompt).then(({ response }) => {
      const answer = this.guard.answer(response);
      if (answer === 'close') this.closeNow();
      else if (answer === 'save') this.sendMenuAction({ command: 'save' });
      else if (this.host.quitting) this.host.quitCancelled();
    });
  }

  private async engineLost(code: number): Promise<void> {
    if (this.browserWindow.isDestroyed()) return;
    console.error(`sievecap: the engine of window ${this.id} ended (exit ${code})`);
    const { response } = await dialog.showMessageBox(this.browserWindow, {
      type: 'error',
      title: 'Engine Stopped',
      message: 'The engine of this window stopped unexpectedly.',
      detail: `It exited with code ${code}. Reload the window to start a new engine (the frames of a live capture are in its spool file), or close the window.`,
      buttons: ['Reload', 'Close Window'],
      defaultId: 0,
      cancelId: 1,
      noLink: true,
    });
    if (this.browserWindow.isDestroyed()) return;
    if (response === 0) {
      this.engine.start();
      this.browserWindow.webContents.reload();
    } else {
      this.browserWindow.close();
    }
  }
}
