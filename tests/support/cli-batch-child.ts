/**
 * Runs the real CLI (app/cli/main.ts's main) several times in this one process: the argument lists
 * come as JSON on stdin, the results ({ status, stdout, stderr } per run) go as JSON to stdout.
 * Used by tests/support/agree.ts so a test comparing many `-Y` filters with tshark starts Node once,
 * not once per filter; each run is the same code path `bin/sievecap ARGS` takes, output included.
 */
import * as fs from 'node:fs';
import { main } from '../../app/cli/main';
import type { CliIo } from '../../app/cli/io';

export interface CliRun {
  status: number;
  stdout: string;
  stderr: string;
}

async function runAll(): Promise<void> {
  const runs = JSON.parse(fs.readFileSync(0, 'utf8')) as string[][];
  const results: CliRun[] = [];
  for (const argv of runs) {
    const out: Buffer[] = [];
    let stderr = '';
    const io: CliIo = {
      out: (text) => void out.push(Buffer.from(text)),
      outBytes: (bytes, length) => void out.push(Buffer.from(bytes.subarray(0, length))),
      error: (text) => void (stderr += text.endsWith('\n') ? text : `${text}\n`),
      interfaceName: () => undefined,
      onOutputClosed: () => undefined,
    };
    let status: number;
    try {
      status = await main(argv, io);
    } catch (err) {
      status = 70;
      stderr += `sievecap: internal error: ${(err as Error).stack ?? String(err)}\n`;
    }
    results.push({ status, stdout: Buffer.concat(out).toString('utf8'), stderr });
  }
  const json = Buffer.from(JSON.stringify(results));
  for (let done = 0; done < json.length; ) done += fs.writeSync(1, json, done, json.length - done);
}

void runAll().then(
  () => process.exit(0),
  (err) => {
    process.stderr.write(`cli-batch-child: ${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  },
);
