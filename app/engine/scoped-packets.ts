/**
 * ScopedPackets: for the field names a display filter (or a report) looks at, each frame as the
 * one Dissector dissects it without a tree (Wireshark's tree == NULL): every layer with its byte
 * range and status, but only the named fields, and no payload layer nobody names (a filter on
 * tcp.port runs no DNS or HTTP dissector; one on dns.qry.name runs DNS alone above UDP). Through a
 * RowDissector, so stream numbers and relative sequence numbers agree with a whole-file
 * dissection. Frames are asked for in capture order.
 */
import type { DissectedPacket, DissectOptions } from '../dissect/model';
import type { FilterSource } from './filter-view';
import { RowDissector } from './row-dissector';
import { namesException } from '../filter';

export interface ScopedPacket {
  packet: DissectedPacket;
  /** The frame's bytes (valid until the next call). */
  data: Buffer;
}

export class ScopedPackets {
  private readonly dissector: RowDissector;
  /** How frames are dissected for these names: no tree, only their fields (undefined: the whole tree). */
  private readonly options: DissectOptions | undefined;

  /** `names`: the field and protocol names asked about, null for the whole tree. */
  constructor(source: FilterSource, names: readonly string[] | null) {
    this.options = names === null || namesException(names) ? undefined : { fields: new Set(names), columns: false };
    this.dissector = new RowDissector(source, true, null, this.options?.fields);
  }

  /** The packet of frame k (0-based), for the names given. */
  packet(k: number): ScopedPacket {
    const packet = this.dissector.dissect(k, false, this.options);
    // The tree may hold views of the frame's bytes: it is tested before the next read.
    return { packet, data: this.dissector.lastData };
  }
}
