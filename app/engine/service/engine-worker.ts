/**
 * The engine in a worker thread: an EngineService served over the MessagePort passed as
 * `workerData.port` (or the worker's parentPort), closed with its sessions when the port closes.
 * Electron's utilityProcess entry does the same over `process.parentPort`.
 *
 *   const { port1, port2 } = new MessageChannel();
 *   new Worker('dist/app/engine/service/engine-worker.js', { workerData: { port: port2, options: {} }, transferList: [port2] });
 *   port1.on('message', (reply) => ...); port1.postMessage({ id: 1, method: 'openFile', path });
 */
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { EngineService, type EngineServiceOptions } from './service';
import { connectEngine } from './transport';

const data = (workerData ?? {}) as { port?: MessagePort; options?: EngineServiceOptions };
const port = data.port ?? parentPort;
if (!port) throw new Error('engine-worker.js runs in a worker thread (new Worker(...)), with a MessagePort in workerData.port or its parentPort');

const service = new EngineService(data.options ?? {});
const connection = connectEngine(service, (message) => port.postMessage(message));
port.on('message', (message: unknown) => connection.receive(message));
port.on('close', () => {
  connection.detach();
  service.close();
});
