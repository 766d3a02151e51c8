/**
 * Network namespaces for tests that need real traffic: two namespaces joined by a veth pair (or,
 * with `bridged`, by a third namespace whose bridge forwards between two veth pairs: a hop in the
 * middle where a test can impair the path), created with unique names and deleted afterwards.
 * Traffic stays inside them.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';

export interface NetnsPair {
  /** Namespace where captures run (holds vethA, 10.77.x.1, fd77:x::1). */
  nsA: string;
  /** Peer namespace (holds vethB, 10.77.x.2, fd77:x::2). */
  nsB: string;
  vethA: string;
  vethB: string;
  ipA: string;
  ipB: string;
  ip6A: string;
  ip6B: string;
  /** With `bridged`: the middle namespace and its ports towards A and towards B. */
  nsMiddle?: string;
  middleToA?: string;
  middleToB?: string;
  /** Run a command inside a namespace and return its stdout. */
  exec(ns: string, cmd: string[], timeoutMs?: number): string;
  /** Start a long-running command inside a namespace. */
  spawn(ns: string, cmd: string[]): ChildProcess;
  destroy(): void;
}

let counter = 0;

function ip(...args: string[]): void {
  execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

/** Needs root (CAP_NET_ADMIN); throws a clear error otherwise. */
export function createNetnsPair(options: { mtu?: number; bridged?: boolean } = {}): NetnsPair {
  if (process.getuid?.() !== 0) throw new Error('this test needs root to create network namespaces');
  const id = `${process.pid % 10000}${counter++}`;
  const octet = (process.pid + counter * 7) % 200 + 20;
  const nsA = `sc${id}a`;
  const nsB = `sc${id}b`;
  const vethA = `scv${id}a`;
  const vethB = `scv${id}b`;
  const ipA = `10.77.${octet}.1`;
  const ipB = `10.77.${octet}.2`;
  const ip6A = `fd77:${octet.toString(16)}::1`;
  const ip6B = `fd77:${octet.toString(16)}::2`;
  const nsMiddle = options.bridged ? `sc${id}m` : undefined;
  const middleToA = options.bridged ? `scv${id}ma` : undefined;
  const middleToB = options.bridged ? `scv${id}mb` : undefined;
  const pair: NetnsPair = {
    nsA, nsB, vethA, vethB, ipA, ipB, ip6A, ip6B, nsMiddle, middleToA, middleToB,
    exec(ns, cmd, timeoutMs = 20000) {
      return execFileSync('ip', ['netns', 'exec', ns, ...cmd], { encoding: 'utf8', timeout: timeoutMs });
    },
    spawn(ns, cmd) {
      return spawn('ip', ['netns', 'exec', ns, ...cmd], { stdio: ['ignore', 'pipe', 'pipe'] });
    },
    destroy() {
      for (const ns of [nsA, nsB, ...(nsMiddle ? [nsMiddle] : [])]) {
        try {
          ip('netns', 'del', ns);
        } catch {
          // already gone
        }
      }
    },
  };
  try {
    ip('netns', 'add', nsA);
    ip('netns', 'add', nsB);
    if (nsMiddle && middleToA && middleToB) {
      ip('netns', 'add', nsMiddle);
      ip('link', 'add', vethA, 'netns', nsA, 'type', 'veth', 'peer', 'name', middleToA, 'netns', nsMiddle);
      ip('link', 'add', vethB, 'netns', nsB, 'type', 'veth', 'peer', 'name', middleToB, 'netns', nsMiddle);
      ip('-n', nsMiddle, 'link', 'add', 'br0', 'type', 'bridge');
      for (const dev of [middleToA, middleToB, 'br0']) {
        if (options.mtu) ip('-n', nsMiddle, 'link', 'set', dev, 'mtu', String(options.mtu));
        if (dev !== 'br0') ip('-n', nsMiddle, 'link', 'set', dev, 'master', 'br0');
        ip('-n', nsMiddle, 'link', 'set', dev, 'up');
      }
    } else ip('link', 'add', vethA, 'netns', nsA, 'type', 'veth', 'peer', 'name', vethB, 'netns', nsB);
    for (const [ns, dev, v4, v6] of [
      [nsA, vethA, ipA, ip6A],
      [nsB, vethB, ipB, ip6B],
    ] as const) {
      ip('-n', ns, 'link', 'set', 'lo', 'up');
      if (options.mtu) ip('-n', ns, 'link', 'set', dev, 'mtu', String(options.mtu));
      ip('-n', ns, 'addr', 'add', `${v4}/24`, 'dev', dev);
      ip('-n', ns, '-6', 'addr', 'add', `${v6}/64`, 'dev', dev, 'nodad');
      ip('-n', ns, 'link', 'set', dev, 'up');
    }
  } catch (err) {
    pair.destroy();
    throw err;
  }
  return pair;
}

/**
 * Resolves with what the child wrote on `stream` once `pattern` appears in it; rejects when the
 * child exits first or after `timeoutMs`, naming `what` and quoting the output so far.
 */
export function waitForOutput(child: ChildProcess, stream: 'stdout' | 'stderr', pattern: RegExp, what: string, timeoutMs = 10000): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    const timer = setTimeout(() => reject(new Error(`${what}: timed out waiting for ${pattern} on ${stream}; got: ${text}`)), timeoutMs);
    const onData = (chunk: Buffer): void => {
      text += chunk.toString();
      if (pattern.test(text)) {
        clearTimeout(timer);
        child[stream]?.off('data', onData);
        resolve(text);
      }
    };
    child[stream]?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${what} exited (${code}) before ${pattern} on ${stream}: ${text}`));
    });
  });
}

/** Resolves once `pattern` appears on the child's stderr (both tools announce "listening on"). */
export function waitForStderr(child: ChildProcess, pattern: RegExp, timeoutMs = 10000): Promise<string> {
  return waitForOutput(child, 'stderr', pattern, 'process', timeoutMs);
}

/** Resolves once `pattern` appears on the child's stdout (servers that print when they are ready). */
export async function waitForStdout(child: ChildProcess, pattern: RegExp, what: string, timeoutMs = 10000): Promise<void> {
  await waitForOutput(child, 'stdout', pattern, what, timeoutMs);
}

/** Collects the rest of a child's output and resolves with its exit code once it ends. */
export function finished(child: ChildProcess): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
    if (child.exitCode !== null) resolve({ code: child.exitCode, stdout, stderr });
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
