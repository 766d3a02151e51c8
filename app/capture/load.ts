/**
 * Loading a program spec from bpf/ into the kernel: create its maps, encode it with their fds,
 * load it. The only place the capture core turns specs into kernel objects.
 */
import { native } from './native';
import type { MapSpec } from '../../bpf/programs/stages';
import { BPF_PROG_TYPE_SOCKET_FILTER } from '../../bpf/opcodes';

export interface ProgramSpec {
  maps: readonly MapSpec[];
  assemble(mapFds: Record<string, number>): Buffer;
}

export interface LoadedProgram {
  progFd: number;
  mapFds: Record<string, number>;
  insns: Buffer;
  verifierLog: string;
  /** Closes the program and the maps it still owns. */
  close(): void;
  /** Gives up a map (another program took it over): close() leaves its fd open. */
  disown(name: string): void;
}

export function createMaps(maps: readonly MapSpec[], reuse: Readonly<Record<string, number>> = {}): Record<string, number> {
  const n = native();
  const fds: Record<string, number> = {};
  try {
    for (const m of maps) {
      if (reuse[m.name] !== undefined) continue;
      fds[m.name] = n.bpfMapCreate({
        mapType: m.type,
        keySize: m.keySize,
        valueSize: m.valueSize,
        maxEntries: m.maxEntries,
        flags: m.flags ?? 0,
        name: m.name,
      });
    }
  } catch (err) {
    for (const fd of Object.values(fds)) n.closeFd(fd);
    throw err;
  }
  return { ...fds, ...Object.fromEntries(maps.filter((m) => reuse[m.name] !== undefined).map((m) => [m.name, reuse[m.name]!])) };
}

/**
 * Creates the maps and loads the program; throws the verifier's complaint on rejection. Maps named
 * in `reuse` are not created: the program uses those fds (an earlier program's maps it takes over;
 * they are the new program's to close, and the earlier one must disown them).
 */
export function loadSocketFilter(spec: ProgramSpec, logLevel = 0, reuse: Readonly<Record<string, number>> = {}): LoadedProgram {
  const n = native();
  const mapFds = createMaps(spec.maps, reuse);
  const owned = new Set(Object.keys(mapFds));
  const closeMaps = (): void => Object.entries(mapFds).forEach(([name, fd]) => owned.has(name) && n.closeFd(fd));
  // Until the load succeeds, a reused map stays its earlier owner's.
  for (const name of Object.keys(reuse)) owned.delete(name);
  try {
    const insns = spec.assemble(mapFds);
    const load = (): ReturnType<typeof n.bpfProgLoad> =>
      n.bpfProgLoad({ insns, progType: BPF_PROG_TYPE_SOCKET_FILTER, license: 'GPL', name: 'sievecap', logLevel });
    let loaded: ReturnType<typeof n.bpfProgLoad>;
    // The verifier gives up with EAGAIN when a signal arrives while it works (a profiler's SIGPROF,
    // a SIGCHLD): try again, as libbpf does.
    for (let attempt = 1; ; attempt++) {
      try {
        loaded = load();
        break;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EAGAIN' || attempt >= 5) throw err;
      }
    }
    for (const name of Object.keys(reuse)) if (mapFds[name] !== undefined) owned.add(name);
    return {
      progFd: loaded.fd,
      mapFds,
      insns,
      verifierLog: loaded.log,
      close() {
        n.closeFd(loaded.fd);
        closeMaps();
      },
      disown(name) {
        owned.delete(name);
      },
    };
  } catch (err) {
    closeMaps();
    throw err;
  }
}
