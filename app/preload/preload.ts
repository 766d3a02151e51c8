/**
 * The preload of every Sievecap window: exposes window.sievecap (DesktopBridge, the renderer's
 * only window onto the desktop) and hands the page its MessagePort to the engine.
 *
 * It runs sandboxed, where `require` gives nothing but 'electron': it imports types only, and keeps
 * copies of the constants it needs, which the type-checker holds equal to the originals (a changed
 * channel name or message fails to compile). Main checks every argument it receives (ipc-contract.ts);
 * this side only copies plain values across.
 */
import { contextBridge, ipcRenderer, webUtils, type IpcRendererEvent } from 'electron';
import type * as Bridge from '../rpc/desktop-bridge';
import type { DesktopBridge, DocumentState, MenuAction, SaveDialogOptions } from '../rpc/desktop-bridge';
import type * as Contract from '../main/ipc-contract';

const BRIDGE_GLOBAL: typeof Bridge.BRIDGE_GLOBAL = 'sievecap';
const ENGINE_PORT_MESSAGE: typeof Bridge.ENGINE_PORT_MESSAGE = 'sievecap:engine-port';
const IPC = {
  openFileDialog: 'sievecap:open-file-dialog',
  saveFileDialog: 'sievecap:save-file-dialog',
  chooseDirectoryDialog: 'sievecap:choose-directory-dialog',
  setDocumentState: 'sievecap:set-document-state',
  addRecentFile: 'sievecap:add-recent-file',
  openWindow: 'sievecap:open-window',
  requestEnginePort: 'sievecap:request-engine-port',
  menuAction: 'sievecap:menu-action',
  enginePort: 'sievecap:engine-port',
} as const satisfies typeof Contract.IPC;
// ...and no channel of main's is missing here.
const allChannels: Record<keyof typeof Contract.IPC, string> = IPC;
void allChannels;

/**
 * Menu actions wait until the page has its engine port (a task after the port's message, so that
 * the page's handling of it has run) and listens: the file given at start, sent right after the
 * port, is then opened by a page that can reach the engine.
 */
const MAX_EARLY_ACTIONS = 32;
const early: MenuAction[] = [];
const listeners = new Set<(action: MenuAction) => void>();
let pageHasEngine = false;

function flush(): void {
  if (!pageHasEngine || listeners.size === 0) return;
  for (const action of early.splice(0)) for (const listener of [...listeners]) listener(action);
}

ipcRenderer.on(IPC.menuAction, (_event: IpcRendererEvent, action: MenuAction) => {
  if (early.length < MAX_EARLY_ACTIONS) early.push(action);
  flush();
});

// The engine's port, handed to the page once it has loaded (its scripts listen by then).
const loaded = new Promise<void>((resolve) => {
  if (document.readyState === 'complete') resolve();
  else window.addEventListener('load', () => resolve(), { once: true });
});
window.addEventListener('message', (event: MessageEvent) => {
  if (event.source === window && event.data === ENGINE_PORT_MESSAGE) {
    setTimeout(() => {
      pageHasEngine = true;
      flush();
    }, 0);
  }
});
ipcRenderer.on(IPC.enginePort, (event: IpcRendererEvent) => {
  const port = event.ports[0];
  if (!port) return;
  void loaded.then(() => window.postMessage(ENGINE_PORT_MESSAGE, '*', [port]));
});
ipcRenderer.send(IPC.requestEnginePort);

const text = (value: unknown): string => String(value);

const bridge: DesktopBridge = {
  kind: 'electron',
  openFileDialog: () => ipcRenderer.invoke(IPC.openFileDialog) as Promise<string | null>,
  saveFileDialog: (options: SaveDialogOptions) =>
    ipcRenderer.invoke(IPC.saveFileDialog, { defaultName: text(options?.defaultName), format: options?.format }) as Promise<string | null>,
  chooseDirectoryDialog: (title: string) => ipcRenderer.invoke(IPC.chooseDirectoryDialog, text(title)) as Promise<string | null>,
  pathForFile: (file: File) => webUtils.getPathForFile(file),
  onMenuAction: (listener: (action: MenuAction) => void) => {
    if (typeof listener !== 'function') throw new TypeError('onMenuAction takes a function');
    listeners.add(listener);
    queueMicrotask(flush);
    return () => {
      listeners.delete(listener);
    };
  },
  // Copied field by field: only plain data crosses (main checks each against its schema).
  setDocumentState: (state: DocumentState) =>
    ipcRenderer.send(IPC.setDocumentState, {
      title: state?.title,
      unsaved: state?.unsaved,
      capturing: state?.capturing,
      ...(state?.time ? { time: { format: state.time.format, precision: state.time.precision, hms: state.time.hms } } : {}),
      ...(state?.names ? { names: { mac: state.names.mac, network: state.names.network, transport: state.names.transport } } : {}),
    }),
  addRecentFile: (path: string) => ipcRenderer.send(IPC.addRecentFile, text(path)),
  openWindow: (path: string | null) => ipcRenderer.send(IPC.openWindow, path === null ? null : text(path)),
};

contextBridge.exposeInMainWorld(BRIDGE_GLOBAL, bridge);
