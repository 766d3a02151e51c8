/**
 * A stand-in for the 'electron' module, enough of it to load the desktop app's main process
 * (dist/app/main/main.js) under Node and watch what it asks of Electron: windows, menus, dialogs,
 * IPC handlers, the app:// protocol, session hardening, utility processes and message ports. Every
 * call is recorded; dialogs answer what the test queues. Not a simulation of Electron's behaviour
 * beyond that.
 */
import { EventEmitter } from 'node:events';
import * as path from 'node:path';

type Listener = (...args: any[]) => unknown;

export class FakeEvent {
  defaultPrevented = false;
  preventDefault(): void {
    this.defaultPrevented = true;
  }
}

export class FakeWebContents extends EventEmitter {
  static nextId = 1;
  readonly id = FakeWebContents.nextId++;
  readonly sent: Array<{ channel: string; args: unknown[] }> = [];
  readonly posted: Array<{ channel: string; message: unknown; transfer: unknown[] }> = [];
  reloads = 0;
  readonly mainFrame = { url: 'app://sievecap/index.html', parent: null };
  windowOpenHandler: Listener | null = null;
  send(channel: string, ...args: unknown[]): void {
    this.sent.push({ channel, args });
  }
  postMessage(channel: string, message: unknown, transfer: unknown[] = []): void {
    this.posted.push({ channel, message, transfer });
  }
  reload(): void {
    this.reloads++;
  }
  toggleDevTools(): void {}
  setWindowOpenHandler(handler: Listener): void {
    this.windowOpenHandler = handler;
  }
  getURL(): string {
    return this.mainFrame.url;
  }
}

export class FakeBrowserWindow extends EventEmitter {
  static all: FakeBrowserWindow[] = [];
  static focused: FakeBrowserWindow | null = null;
  static getFocusedWindow(): FakeBrowserWindow | null {
    return FakeBrowserWindow.focused;
  }
  readonly webContents = new FakeWebContents();
  loadedUrl: string | null = null;
  destroyed = false;
  closeCalls = 0;
  /** Normal bounds (the options' size and place; the system's place 100,100 when none is given) and the maximized state. */
  bounds: { x: number; y: number; width: number; height: number };
  maximized = false;
  constructor(readonly options: Record<string, any>) {
    super();
    this.bounds = { x: options.x ?? 100, y: options.y ?? 100, width: options.width ?? 800, height: options.height ?? 600 };
    FakeBrowserWindow.all.push(this);
  }
  getNormalBounds(): { x: number; y: number; width: number; height: number } {
    return { ...this.bounds };
  }
  isMaximized(): boolean {
    return this.maximized;
  }
  maximize(): void {
    this.maximized = true;
  }
  loadURL(url: string): Promise<void> {
    this.loadedUrl = url;
    return Promise.resolve();
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  isMinimized(): boolean {
    return false;
  }
  restore(): void {}
  focus(): void {
    FakeBrowserWindow.focused = this;
  }
  show(): void {}
  /** As Electron: a `close` event that may be prevented, then `closed`. */
  close(): void {
    this.closeCalls++;
    if (this.destroyed) return;
    const event = new FakeEvent();
    this.emit('close', event);
    if (event.defaultPrevented) return;
    this.destroyed = true;
    this.emit('closed');
  }
}

export class FakeUtilityProcess extends EventEmitter {
  static forks: FakeUtilityProcess[] = [];
  static nextPid = 5000;
  readonly pid = FakeUtilityProcess.nextPid++;
  readonly messages: Array<{ message: unknown; transfer: unknown[] }> = [];
  killed = false;
  constructor(readonly modulePath: string, readonly args: string[], readonly options: Record<string, unknown>) {
    super();
  }
  postMessage(message: unknown, transfer: unknown[] = []): void {
    this.messages.push({ message, transfer });
  }
  kill(): boolean {
    this.killed = true;
    return true;
  }
}

export class FakeMessagePort extends EventEmitter {
  static next = 1;
  readonly name = `port${FakeMessagePort.next++}`;
  start(): void {}
  postMessage(): void {}
  close(): void {}
}

export interface FakeElectron {
  module: Record<string, unknown>;
  appEvents: EventEmitter;
  ready(): void;
  calls: string[];
  privilegedSchemes: unknown[];
  ipcHandlers: Map<string, Listener>;
  ipcListeners: Map<string, Listener>;
  protocolHandlers: Map<string, Listener>;
  session: {
    permissionRequest: Listener | null;
    permissionCheck: Listener | null;
    devicePermission: Listener | null;
    beforeRequest: Listener | null;
    headersReceived: Listener | null;
  };
  menus: unknown[][];
  /** Answers for dialog.showMessageBox / showOpenDialog / showSaveDialog, taken in order. */
  messageBoxAnswers: number[];
  messageBoxes: unknown[];
  openDialogAnswers: Array<{ canceled: boolean; filePaths: string[] }>;
  saveDialogAnswers: Array<{ canceled: boolean; filePath?: string }>;
  nativeTheme: EventEmitter & { themeSource: string; shouldUseDarkColors: boolean };
  recentDocuments: string[];
  /** screen.getAllDisplays' work areas. */
  displays: Array<{ x: number; y: number; width: number; height: number }>;
}

export function createFakeElectron(userData: string): FakeElectron {
  FakeBrowserWindow.all = [];
  FakeBrowserWindow.focused = null;
  FakeUtilityProcess.forks = [];
  const appEvents = new EventEmitter();
  let resolveReady!: () => void;
  const readyPromise = new Promise<void>((resolve) => (resolveReady = resolve));
  const fake: FakeElectron = {
    module: {},
    appEvents,
    ready: () => resolveReady(),
    calls: [],
    privilegedSchemes: [],
    ipcHandlers: new Map(),
    ipcListeners: new Map(),
    protocolHandlers: new Map(),
    session: { permissionRequest: null, permissionCheck: null, devicePermission: null, beforeRequest: null, headersReceived: null },
    menus: [],
    messageBoxAnswers: [],
    messageBoxes: [],
    openDialogAnswers: [],
    saveDialogAnswers: [],
    nativeTheme: Object.assign(new EventEmitter(), { themeSource: 'system', shouldUseDarkColors: false }),
    recentDocuments: [],
    displays: [{ x: 0, y: 0, width: 1920, height: 1050 }],
  };
  const app = Object.assign(appEvents, {
    isPackaged: false,
    requestSingleInstanceLock: () => true,
    enableSandbox: () => fake.calls.push('enableSandbox'),
    whenReady: () => readyPromise,
    getPath: (name: string) => path.join(userData, name),
    quit: () => fake.calls.push('quit'),
    exit: (code: number) => fake.calls.push(`exit ${code}`),
    addRecentDocument: (file: string) => fake.recentDocuments.push(file),
    clearRecentDocuments: () => (fake.recentDocuments.length = 0),
  });
  const defaultSession = {
    setPermissionRequestHandler: (h: Listener) => (fake.session.permissionRequest = h),
    setPermissionCheckHandler: (h: Listener) => (fake.session.permissionCheck = h),
    setDevicePermissionHandler: (h: Listener) => (fake.session.devicePermission = h),
    webRequest: {
      onBeforeRequest: (h: Listener) => (fake.session.beforeRequest = h),
      onHeadersReceived: (h: Listener) => (fake.session.headersReceived = h),
    },
    protocol: { handle: (scheme: string, h: Listener) => fake.protocolHandlers.set(scheme, h) },
  };
  fake.module = {
    app,
    BrowserWindow: FakeBrowserWindow,
    Menu: {
      buildFromTemplate: (template: unknown[]) => ({ template }),
      setApplicationMenu: (menu: { template: unknown[] }) => fake.menus.push(menu.template),
    },
    nativeTheme: fake.nativeTheme,
    screen: { getAllDisplays: () => fake.displays.map((workArea) => ({ workArea, bounds: workArea })) },
    dialog: {
      showMessageBox: (_window: unknown, options: unknown) => {
        fake.messageBoxes.push(options);
        return Promise.resolve({ response: fake.messageBoxAnswers.shift() ?? 0, checkboxChecked: false });
      },
      showOpenDialog: () => Promise.resolve(fake.openDialogAnswers.shift() ?? { canceled: true, filePaths: [] }),
      showSaveDialog: () => Promise.resolve(fake.saveDialogAnswers.shift() ?? { canceled: true }),
      showErrorBox: (title: string, content: string) => fake.calls.push(`errorBox ${title}: ${content}`),
    },
    ipcMain: {
      handle: (channel: string, h: Listener) => fake.ipcHandlers.set(channel, h),
      on: (channel: string, h: Listener) => fake.ipcListeners.set(channel, h),
    },
    protocol: {
      registerSchemesAsPrivileged: (schemes: unknown[]) => {
        fake.calls.push('registerSchemesAsPrivileged');
        fake.privilegedSchemes.push(...schemes);
      },
    },
    session: { defaultSession },
    utilityProcess: {
      fork: (modulePath: string, args: string[] = [], options: Record<string, unknown> = {}) => {
        const child = new FakeUtilityProcess(modulePath, args, options);
        FakeUtilityProcess.forks.push(child);
        return child;
      },
    },
    MessageChannelMain: class {
      port1 = new FakeMessagePort();
      port2 = new FakeMessagePort();
    },
  };
  return fake;
}
