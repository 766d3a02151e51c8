/**
 * An engine service in a process of its own, for tests that need it inside a network namespace
 * (`ip netns exec NS node engine-service-child.js OPTIONS_JSON`): requests come as JSON lines on
 * stdin, replies and events go out as JSON lines on stdout. A line `{"control": "helperPid"}` is
 * answered `{"control": "helperPid", "pid": N|null}`; `{"control": "startHelperNow"}` starts the
 * helper (EngineService.startHelperNow) and is answered `{"control": "startHelperNow", "pid": N}`. When stdin ends the engine shuts down (its
 * capture helper exits with it) and the process exits.
 */
import * as readline from 'node:readline';
import { connectEngine, EngineService, type EngineServiceOptions } from '../app/engine/service';

const options = JSON.parse(process.argv[2] ?? '{}') as EngineServiceOptions;
const service = new EngineService(options);
const write = (message: unknown): void => {
  process.stdout.write(`${JSON.stringify(message)}\n`);
};
const connection = connectEngine(service, write);
const lines = readline.createInterface({ input: process.stdin });
lines.on('line', (line) => {
  if (line.trim() === '') return;
  const message = JSON.parse(line) as { control?: string };
  if (message.control === 'helperPid') write({ control: 'helperPid', pid: service.helperPid });
  else if (message.control === 'startHelperNow') {
    service.startHelperNow().then(
      (pid) => write({ control: 'startHelperNow', pid }),
      (err: Error & { code?: string }) => write({ control: 'startHelperNow', pid: null, error: `${err.code}: ${err.message}` }),
    );
  } else connection.receive(message);
});
lines.on('close', () => {
  connection.detach();
  void service.shutdown().finally(() => process.exit(0));
});
