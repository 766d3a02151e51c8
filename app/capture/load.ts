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
  /** Closes the program and its maps. */
  close(): void;
}

export function createMaps(maps: readonly MapSpec[]): Record<string, number> {
  const n = native();
  const fds: Record<string, number> = {};
  try {
    for (const m of maps) {
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
  return fds;
}

/** Creates the maps and loads the program; throws the verifier's complaint on rejection. */
export function loadSocketFilter(spec: ProgramSpec, logLevel = 0): LoadedProgram {
  const n = native();
  const mapFds = createMaps(spec.maps);
  const closeMaps = (): void => Object.values(mapFds).forEach((fd) => n.closeFd(fd));
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
    return {
      progFd: loaded.fd,
      mapFds,
      insns,
      verifierLog: loaded.log,
      close() {
        n.closeFd(loaded.fd);
        closeMaps();
      },
    };
  } catch (err) {
    closeMaps();
    throw err;
  }
}
