/**
 * The engine in Electron's utilityProcess (forked by engine-host.ts, one per window): each
 * `{type: 'connect'}` message from main carries a MessagePortMain in `ports[0]` — the other end is
 * the window's page — and gets an EngineService of its own, closed with its sessions when the port
 * closes (the page reloaded or the window closed). Replies and events are plain data (strings,
 * numbers, arrays, objects; bytes as base64), so nothing here sends a Buffer, which a utility
 * process could not post (its external ArrayBuffers cannot be cloned).
 *
 * Engine options come from main as JSON in the argument --engine-options=...
 */
import type { MessagePortMain } from 'electron';
import { tuneJit } from '../engine/jit';
import { EngineService, type EngineServiceOptions } from '../engine/service';
import { connectEngine } from '../engine/service/transport';
import { prepareAppImageHelper, type AppImageHelper } from '../helper/appimage';
import { captureRouteFacts, desktopCaptureRoute } from './capture-route';
import { parseEngineProcessMessage, parseEngineProcessOptions } from './engine-process-protocol';

tuneJit();
const parentPort = process.parentPort;
if (!parentPort) throw new Error('engine-process.js runs in an Electron utilityProcess (utilityProcess.fork), which gives it process.parentPort');

/** An AppImage's own launcher, written outside its mount the first time a capture needs it; removed at exit. */
let appImageHelper: AppImageHelper | null = null;
function appImageLauncher(): string {
  appImageHelper ??= prepareAppImageHelper();
  if (!appImageHelper) throw new Error('not running from an AppImage');
  return appImageHelper.launcher;
}
process.on('exit', () => appImageHelper?.remove());

const options: EngineServiceOptions = {
  ...parseEngineProcessOptions(process.argv),
  captureRoute: () => desktopCaptureRoute(captureRouteFacts(), appImageLauncher),
};

function serve(port: MessagePortMain): void {
  const service = new EngineService(options);
  const connection = connectEngine(service, (message) => port.postMessage(message));
  port.on('message', (event) => connection.receive(event.data));
  port.on('close', () => {
    connection.detach();
    service.close();
  });
  port.start();
}

parentPort.on('message', (event) => {
  const message = parseEngineProcessMessage(event.data);
  if (message?.type === 'connect' && event.ports[0]) serve(event.ports[0]);
  else process.emitWarning(`the engine process ignored a message from main: ${JSON.stringify(event.data)?.slice(0, 200)}`);
});
// Nothing started by a request may end the process: the service answers every failure as data.
process.on('unhandledRejection', (reason) => process.emitWarning(`engine: unhandled rejection: ${(reason as Error)?.stack ?? String(reason)}`));
