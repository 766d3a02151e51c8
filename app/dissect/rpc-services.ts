/**
 * Portmap/rpcbind (program 100000) and MOUNT (program 100005) inside ONC RPC, as tshark 4.0 shows
 * them (epan/dissectors/packet-portmap.c, packet-mount.c): Portmap v2's SET, UNSET, GETPORT
 * ("V2 GETPORT Call MOUNT(100005) V:3 UDP", "... Reply (Call In 1) Port:20048" or
 * "PROGRAM_NOT_AVAILABLE"), DUMP and CALLIT's header; rpcbind v3/v4's rpcb structures, GETADDR's
 * universal address and DUMP; MOUNT's paths (" /export"), MNT replies with their file handle and
 * flavors, " Error:ERR_ACCESS", DUMP and EXPORT lists. Left out: CALLIT's indirect call and
 * reply bodies, rpcbind's GETTIME, GETSTAT and the rest of v4, MOUNT's SGI procedures.
 */
import type { LayerBuilder } from './builder';
import { nfsFh2, nfsFh3 } from './nfs';
import { AUTH_FLAVORS, procedureName, programName, rpcString, type RpcBody } from './rpc';

const IP_PROTOS: Record<number, string> = { 6: 'TCP', 17: 'UDP' };

function u32(b: LayerBuilder, at: number, abbrev: string, label: (v: number) => string): number {
  const v = b.u32(at, abbrev);
  b.add(abbrev, () => label(v), v, at, 4);
  return v;
}

/** A portmap v2 mapping (prog, vers, prot, port) as SET, UNSET and DUMP show it. */
function mapping(b: LayerBuilder, at: number): number {
  u32(b, at, 'portmap.prog', (v) => `Program: ${programName(v)} (${v})`);
  u32(b, at + 4, 'portmap.version', (v) => `Version: ${v}`);
  u32(b, at + 8, 'portmap.proto', (v) => `Protocol: ${IP_PROTOS[v] ?? `Unknown (${v})`} (${v})`);
  u32(b, at + 12, 'portmap.port', (v) => `Port: ${v}`);
  return at + 16;
}

function rpcb(body: RpcBody, at: number): number {
  const { b, data } = body;
  const start = at;
  const f = b.group('portmap.rpcb', 'RPCB', null, at, 0, () => {
    u32(b, at, 'portmap.rpcb.prog', (v) => `Program: ${programName(v)} (${v})`);
    u32(b, at + 4, 'portmap.rpcb.version', (v) => `Version: ${v}`);
    at = rpcString(b, data, at + 8, 'portmap.rpcb.netid', 'Network Id').next;
    at = rpcString(b, data, at, 'portmap.rpcb.addr', 'Universal Address').next;
    at = rpcString(b, data, at, 'portmap.rpcb.owner', 'Owner of this Service').next;
  });
  if (b.tree || f.abbrev !== '') f.length = at - start;
  return at;
}

/** An XDR optional-data list (dissect_rpc_list): value-follows words, each followed by an item. */
function list(body: RpcBody, at: number, item: (at: number) => number): number {
  const { b } = body;
  for (let guard = 0; guard < 100000; guard++) {
    const follows = b.u32(at, 'value follows');
    b.add('rpc.value_follows', () => `Value Follows: ${follows ? 'Yes' : 'No'}`, follows !== 0, at, 4);
    at += 4;
    if (!follows) break;
    at = item(at);
  }
  return at;
}

export function portmapBody(body: RpcBody): number | undefined {
  const { b, call, request, data } = body;
  let at = body.at;
  const proc = call.proc;
  if (call.vers === 1) {
    const bytes = data.subarray(at, Math.min(body.end, data.length));
    b.add('rpc.unknown_body', 'Unknown body', bytes, at, bytes.length);
    return at + bytes.length;
  }
  if (call.vers === 2) {
    if (request) {
      switch (proc) {
        case 1: case 2: return mapping(b, at);
        case 3: {
          const prog = b.u32(at, 'program');
          const name = programName(prog);
          b.add('portmap.prog', () => `Program: ${name} (${prog})`, prog, at, 4);
          body.info(` ${name}(${prog})`);
          body.title(` GETPORT Call ${name}(${prog})`);
          const version = u32(b, at + 4, 'portmap.version', (v) => `Version: ${v}`);
          body.info(` V:${version | 0}`);
          body.title(` Version:${version | 0}`);
          const proto = b.u32(at + 8, 'protocol');
          const protoName = IP_PROTOS[proto] ?? `Unknown (${proto})`;
          b.add('portmap.proto', () => `Proto: ${protoName} (${proto})`, proto, at + 8, 4);
          body.info(` ${protoName}`);
          body.title(` ${protoName}`);
          u32(b, at + 12, 'portmap.port', (v) => `Port: ${v}`);
          call.privateData = proto;
          return at + 16;
        }
        case 5: {
          const prog = u32(b, at, 'portmap.prog', (v) => `Program: ${programName(v)} (${v})`);
          const vers = u32(b, at + 4, 'portmap.version', (v) => `Version: ${v}`);
          u32(b, at + 8, 'portmap.proc', (v) => `Procedure: ${procedureName(prog, vers, v)} (${v})`);
          at += 12;
          const length = b.u32(at, 'arguments');
          const args = b.bytes(at + 4, length);
          b.add('portmap.args', () => `Arguments: ${args.toString('hex')}`, args, at + 4, length, () => args.toString('hex'));
          return at + 4 + ((length + 3) & ~3);
        }
        default: return at;
      }
    }
    switch (proc) {
      case 1: case 2: {
        const v = b.u32(at, 'answer');
        b.add('portmap.answer', () => `Answer: ${v ? 'True' : 'False'}`, v !== 0, at, 4);
        return at + 4;
      }
      case 3: {
        const port = u32(b, at, 'portmap.port', (v) => `Port: ${v}`);
        body.title(` GETPORT Reply Port:${port | 0}`);
        body.info(port ? ` Port:${port | 0}` : ' PROGRAM_NOT_AVAILABLE');
        if (!port) body.title(' PROGRAM_NOT_AVAILABLE');
        return at + 4;
      }
      case 4:
        return list(body, at, (o) => {
          let next = o;
          const f = b.group('', 'Map Entry', null, o, 16, () => { next = mapping(b, o); });
          void f;
          return next;
        });
      case 5: {
        u32(b, at, 'portmap.port', (v) => `Port: ${v}`);
        const length = b.u32(at + 4, 'result');
        const result = b.bytes(at + 8, length);
        b.add('portmap.result', () => `Result: ${result.toString('hex')}`, result, at + 8, length, () => result.toString('hex'));
        return at + 8 + ((length + 3) & ~3);
      }
      default: return at;
    }
  }
  // rpcbind versions 3 and 4
  if (request) {
    if (proc === 1 || proc === 2 || proc === 3) return rpcb(body, at);
    return at;
  }
  switch (proc) {
    case 1: case 2: {
      const v = b.u32(at, 'answer');
      b.add('portmap.answer', () => `Answer: ${v ? 'True' : 'False'}`, v !== 0, at, 4);
      return at + 4;
    }
    case 3: case 8: {
      return rpcString(b, data, at, 'portmap.uaddr', 'Universal Address').next;
    }
    case 4: return list(body, at, (o) => rpcb(body, o));
    default: return at;
  }
}

const MOUNT_STATUS: Record<number, string> = { 0: 'OK', 1: 'ERR_PERM', 2: 'ERR_NOENT', 5: 'ERR_IO', 13: 'ERR_ACCESS', 20: 'ERR_NOTDIR', 22: 'ERR_INVAL', 63: 'ERR_NAMETOOLONG', 10004: 'ERR_NOTSUPP', 10006: 'ERR_SERVERFAULT' };

function mountStatusText(v: number): string {
  return MOUNT_STATUS[v] ?? `Unknown (0x${v.toString(16).toUpperCase().padStart(8, '0')})`;
}

export function mountBody(body: RpcBody): number | undefined {
  const { b, call, request, data } = body;
  const at = body.at;
  const proc = call.proc;
  if (call.vers < 1 || call.vers > 3) return undefined;
  if (request) {
    if (proc === 1 || proc === 3 || (call.vers === 2 && proc === 7)) {
      const s = rpcString(b, data, at, 'mount.path', 'Path');
      body.info(` ${s.value}`);
      return s.next;
    }
    return at;
  }
  switch (proc) {
    case 1: {
      const status = b.u32(at, 'status');
      b.add('mount.status', () => `Status: ${mountStatusText(status)} (${status})`, status, at, 4);
      if (status !== 0) {
        body.info(` Error:${mountStatusText(status)}`);
        return at + 4;
      }
      if (call.vers < 3) return nfsFh2(body, at + 4, 'fhandle');
      let o = nfsFh3(body, at + 4, 'fhandle');
      const count = u32(b, o, 'mount.flavors', (v) => `Flavors: ${v}`);
      o += 4;
      for (let i = 0; i < count; i++, o += 4) u32(b, o, 'mount.flavor', (v) => `Flavor: ${AUTH_FLAVORS[v] ?? v} (${v})`);
      return o;
    }
    case 2:
      return list(body, at, (o) => {
        let next = o;
        b.group('mount.dump.entry', 'Mount List Entry', null, o, 0, () => {
          next = rpcString(b, data, o, 'mount.dump.hostname', 'Hostname').next;
          next = rpcString(b, data, next, 'mount.dump.directory', 'Directory').next;
        });
        return next;
      });
    case 5:
      return list(body, at, (o) => {
        let next = o;
        b.group('mount.export.entry', 'Export List Entry', null, o, 0, () => {
          next = rpcString(b, data, o, 'mount.export.directory', 'Directory').next;
          next = list(body, next, (g) => rpcString(b, data, g, 'mount.export.group', 'Group').next);
        });
        return next;
      });
    default:
      return at;
  }
}

