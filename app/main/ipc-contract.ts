/**
 * The IPC channels between the preload (app/preload/preload.ts) and main, and the check of every
 * argument main receives on them (valibot, like the rest of app/rpc). The renderer is the least
 * trusted process: main validates each call here before it acts, and answers a bad one with an
 * IpcArgumentError naming what was wrong.
 *
 * A leaf of pure code (no Electron, no Node): tested under Node. The preload cannot load it (a
 * sandboxed preload requires nothing but 'electron'), so it keeps a copy of IPC that the
 * type-checker holds equal to this one.
 */
import * as v from 'valibot';
import { FilePath } from '../rpc/engine-protocol';
import type { DocumentState, SaveDialogOptions } from '../rpc/desktop-bridge';

export const IPC = {
  // renderer → main, answered (ipcRenderer.invoke / ipcMain.handle)
  openFileDialog: 'sievecap:open-file-dialog',
  saveFileDialog: 'sievecap:save-file-dialog',
  chooseDirectoryDialog: 'sievecap:choose-directory-dialog',
  // renderer → main, one way (ipcRenderer.send / ipcMain.on)
  setDocumentState: 'sievecap:set-document-state',
  addRecentFile: 'sievecap:add-recent-file',
  openWindow: 'sievecap:open-window',
  /** The preload asks for its page's engine port (once per page load). */
  requestEnginePort: 'sievecap:request-engine-port',
  // main → renderer
  menuAction: 'sievecap:menu-action',
  /** Carries the engine's MessagePort in `ports[0]`. */
  enginePort: 'sievecap:engine-port',
} as const;
export type IpcChannel = (typeof IPC)[keyof typeof IPC];

/** An absolute path of this machine, as a file dialog or drag and drop gives it. */
const AbsolutePath = v.pipe(FilePath, v.startsWith('/', 'a path must be absolute (start with /)'));
/** A file's name alone: what a Save dialog proposes. */
const FileName = v.pipe(
  v.string(),
  v.maxLength(255, 'a file name has at most 255 characters'),
  v.check((s) => !s.includes('/') && !s.includes('\0'), 'a file name holds no / or NUL'),
);
const DialogTitle = v.pipe(v.string(), v.maxLength(200, 'a dialog title has at most 200 characters'));

const SaveDialogOptionsSchema = v.strictObject({
  defaultName: FileName,
  format: v.picklist(['pcap', 'pcapng'], "the format is 'pcap' or 'pcapng'"),
});
const DocumentStateSchema = v.strictObject({
  title: v.pipe(v.string(), v.maxLength(500, 'a title has at most 500 characters')),
  unsaved: v.boolean(),
  capturing: v.boolean(),
  time: v.optional(v.strictObject({
    format: v.pipe(v.string(), v.maxLength(8, 'a time format has at most 8 characters')),
    precision: v.nullable(v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(9))),
    hms: v.boolean(),
  })),
  names: v.optional(v.strictObject({ mac: v.boolean(), network: v.boolean(), transport: v.boolean() })),
});

/** Each channel the renderer sends on, with the tuple of arguments it takes. */
export const IPC_ARGUMENTS = {
  [IPC.openFileDialog]: v.strictTuple([]),
  [IPC.saveFileDialog]: v.strictTuple([SaveDialogOptionsSchema]),
  [IPC.chooseDirectoryDialog]: v.strictTuple([DialogTitle]),
  [IPC.setDocumentState]: v.strictTuple([DocumentStateSchema]),
  [IPC.addRecentFile]: v.strictTuple([AbsolutePath]),
  [IPC.openWindow]: v.strictTuple([v.nullable(AbsolutePath)]),
  [IPC.requestEnginePort]: v.strictTuple([]),
} as const;
export type IncomingChannel = keyof typeof IPC_ARGUMENTS;
export type IpcArguments<C extends IncomingChannel> = v.InferOutput<(typeof IPC_ARGUMENTS)[C]>;

// The schemas and the bridge's contract describe the same values.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const sameSaveOptions: Same<IpcArguments<typeof IPC.saveFileDialog>[0], SaveDialogOptions> = true;
const sameDocumentState: Same<IpcArguments<typeof IPC.setDocumentState>[0], DocumentState> = true;
void sameSaveOptions;
void sameDocumentState;

export class IpcArgumentError extends TypeError {
  override name = 'IpcArgumentError';
  constructor(readonly channel: string, message: string) {
    super(`${channel}: ${message}`);
  }
}

/** The arguments of a call on `channel`, checked; throws an IpcArgumentError naming the first problem. */
export function parseIpcArguments<C extends IncomingChannel>(channel: C, args: readonly unknown[]): IpcArguments<C> {
  if (!Object.prototype.hasOwnProperty.call(IPC_ARGUMENTS, channel)) throw new IpcArgumentError(String(channel), 'not a channel main listens on');
  const schema = IPC_ARGUMENTS[channel];
  if (!Array.isArray(args) || args.length !== schema.items.length) {
    throw new IpcArgumentError(channel, `takes ${schema.items.length} argument${schema.items.length === 1 ? '' : 's'}, not ${Array.isArray(args) ? args.length : typeof args}`);
  }
  const result = v.safeParse(schema, [...args]);
  if (result.success) return result.output as IpcArguments<C>;
  const issue = result.issues[0];
  const keys = (issue.path ?? []).map((p) => String(p.key));
  const where = keys.length ? `argument ${Number(keys[0]) + 1}${keys.length > 1 ? ` (${keys.slice(1).join('.')})` : ''}: ` : '';
  throw new IpcArgumentError(channel, `${where}${issue.message}`);
}
