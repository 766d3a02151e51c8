/**
 * Saving a session's frames (all, or a display-filter view's matches) as pcap or pcapng.
 *
 * The frames go to a temporary file beside the target, which is flushed to disk and renamed over
 * the target only once complete: a full disk, a missing permission, a cancel or a closed session
 * never leaves a half file under the user's name (nor the temporary one). Time stamps keep their
 * nanoseconds (pcapng if_tsresol 9, the nanosecond pcap magic); pcapng keeps every interface's
 * description block (name, description, capture filter, OS, snap length, in the session's order,
 * so frames keep their interface ids) and each frame's direction.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CaptureReader } from '../../pcap/reader';
import { PcapWriter } from '../../pcap/pcap-writer';
import { PcapngWriter, type PcapngInterfaceOptions } from '../../pcap/pcapng-writer';
import { temporaryNameFor } from '../../presets/config';
import type { CaptureFormat, EngineResult } from '../../rpc/engine-protocol';
import { FLAG } from '../columns';
import type { PacketStore } from '../store';
import { EngineError } from './plain';

/** Frames written between two looks at the clock. */
const FRAMES_PER_STEP = 256;

export interface SaveRequest {
  store: PacketStore;
  /** The interfaces' description blocks, by interface id. */
  interfaces: readonly PcapngInterfaceOptions[];
  path: string;
  format: CaptureFormat;
  /** How many frames to write, and the 0-based index of the i-th (all frames: i itself). */
  count: number;
  frameAt: (i: number) => number;
  signal: AbortSignal;
  sliceMs: number;
  onProgress: (done: number, total: number) => void;
}

const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** A system error as a sentence a user can act on, with its code. */
function reason(err: unknown, target: string): string {
  const e = err as NodeJS.ErrnoException;
  const dir = path.dirname(target);
  switch (e.code) {
    case 'ENOSPC': return 'the disk is full (ENOSPC)';
    case 'EDQUOT': return 'the disk quota is exhausted (EDQUOT)';
    case 'EACCES':
    case 'EPERM': return `no permission to write in ${dir} (${e.code})`;
    case 'EROFS': return `${dir} is on a read-only file system (EROFS)`;
    case 'ENOENT': return `the folder ${dir} does not exist (ENOENT)`;
    case 'ENOTDIR': return `${dir} is not a folder (ENOTDIR)`;
    case 'EFBIG': return 'the file is too large for the file system (EFBIG)';
    case 'EIO': return 'the disk reported an input/output error (EIO)';
    default: {
      // FdWriter's errors already carry a sentence and their code.
      return e.message ?? String(err);
    }
  }
}

function saveError(err: unknown, target: string): EngineError {
  if (err instanceof EngineError) return err;
  return new EngineError('ESAVE', `cannot save ${target}: ${reason(err, target)}; nothing was written under that name`);
}

/**
 * The description blocks of an opened file's interfaces, read again from its start (they precede
 * the packets that use them, so this reads little); link types only when the file cannot be read.
 */
export function fileInterfaces(file: string, linkTypes: readonly number[]): PcapngInterfaceOptions[] {
  const fallback = linkTypes.map((linkType) => ({ linkType, snapLen: 0 }));
  let reader: CaptureReader | null = null;
  try {
    reader = CaptureReader.open(file);
    while (reader.interfaces.length < linkTypes.length && reader.nextView() !== null);
    return linkTypes.map((linkType, k) => {
      const i = reader!.interfaces[k];
      if (!i || i.linkType !== linkType) return { linkType, snapLen: 0 };
      return { linkType, snapLen: i.snapLen, name: i.name, description: i.description, filter: i.filter, os: i.os };
    });
  } catch {
    return fallback;
  } finally {
    reader?.close();
  }
}

export async function saveFrames(req: SaveRequest): Promise<EngineResult<'saveFile'>> {
  const target = path.resolve(req.path);
  const { store, count } = req;
  const ix = store.index;
  // What the frames need of the file's header: their link types (pcap holds one) and their sizes.
  const usedLinkTypes = new Set<number>();
  const maxCapLen = new Map<number, number>();
  for (let i = 0; i < count; i++) {
    const k = req.frameAt(i);
    const iface = ix.interfaceId[k]!;
    usedLinkTypes.add(store.interfaceLinkTypes[iface] ?? -1);
    maxCapLen.set(iface, Math.max(maxCapLen.get(iface) ?? 0, ix.capLen[k]!));
  }
  if (req.format === 'pcap' && usedLinkTypes.size > 1) {
    throw new EngineError('ESAVE', `cannot save ${target} as pcap: its frames have ${usedLinkTypes.size} link types (${[...usedLinkTypes].join(', ')}) and a pcap file holds one; save it as pcapng`);
  }
  try {
    if (fs.statSync(target).isDirectory()) throw new EngineError('ESAVE', `cannot save ${target}: it is a folder (EISDIR)`);
  } catch (err) {
    if (err instanceof EngineError) throw err;
    // Absent: it will be created.
  }

  const temporary = temporaryNameFor(target);
  let fd: number;
  try {
    fd = fs.openSync(temporary, 'wx', 0o666);
  } catch (err) {
    throw saveError(err, target);
  }
  let renamed = false;
  let fdOpen = true;
  try {
    const out = { fd, name: target, closeFd: false };
    let write: (k: number) => void;
    let finish: () => number;
    if (req.format === 'pcap') {
      const linkType = usedLinkTypes.size === 1 ? [...usedLinkTypes][0]! : (store.interfaceLinkTypes[0] ?? 1);
      const snapLen = Math.max(262144, ...maxCapLen.values());
      const writer = new PcapWriter(out, { linkType, snapLen, nanosecond: true });
      write = (k) => {
        const f = store.frameInput(k, false);
        writer.writePacket({ tsNs: f.tsNs, data: f.data, origLen: f.origLen });
      };
      finish = () => {
        writer.close();
        return writer.out.bytesWritten;
      };
    } else {
      const interfaces = store.interfaceLinkTypes.map((linkType, id) => {
        const declared = req.interfaces[id] ?? { linkType };
        const recorded = declared.snapLen ?? 0;
        const needed = maxCapLen.get(id) ?? 0;
        // A frame longer than the recorded snap length (a file that broke its own rule) is kept whole.
        return { ...declared, linkType, snapLen: recorded === 0 || recorded >= needed ? recorded : 0 };
      });
      const writer = new PcapngWriter(out, { interfaces });
      write = (k) => {
        const f = store.frameInput(k, false);
        const flags = ix.flags[k]!;
        const direction = flags & FLAG.INBOUND ? 1 : flags & FLAG.OUTBOUND ? 2 : 0;
        writer.writePacket({ interfaceId: ix.interfaceId[k]!, tsNs: f.tsNs, data: f.data, origLen: f.origLen, flags: direction || undefined });
      };
      finish = () => {
        writer.close();
        return writer.out.bytesWritten;
      };
    }
    let deadline = performance.now() + req.sliceMs;
    req.onProgress(0, count);
    for (let i = 0; i < count; ) {
      const end = Math.min(count, i + FRAMES_PER_STEP);
      for (; i < end; i++) {
        let k: number;
        try {
          k = req.frameAt(i);
          write(k);
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code) throw err;
          throw new EngineError('EREAD', `cannot save ${target}: the captured bytes cannot be read back (${(err as Error).message}); nothing was written under that name`);
        }
      }
      if (performance.now() >= deadline) {
        req.onProgress(i, count);
        await yieldToEventLoop();
        if (req.signal.aborted) throw req.signal.reason;
        deadline = performance.now() + req.sliceMs;
      }
    }
    const bytes = finish();
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    fdOpen = false;
    if (req.signal.aborted) throw req.signal.reason;
    fs.renameSync(temporary, target);
    renamed = true;
    req.onProgress(count, count);
    return { path: target, format: req.format, frames: count, bytes };
  } catch (err) {
    if (req.signal.aborted) throw req.signal.reason;
    throw saveError(err, target);
  } finally {
    if (fdOpen) {
      try {
        fs.closeSync(fd);
      } catch {
        // already closed by a failed writer
      }
    }
    if (!renamed) fs.rmSync(temporary, { force: true });
  }
}
