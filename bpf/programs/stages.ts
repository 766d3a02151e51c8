/**
 * Building blocks for programs made of stages: a map spec type, a stack allocator shared by the
 * stages, and the composition of stages into one flat program (LD_ABS is refused in bpf-to-bpf
 * calls, so stages are spliced, not called).
 */
import { dropJumpsToNext, Label, type AsmItem, type Register } from '../asm';

/** What the loader needs to create a map: plain data, printable and comparable. */
export interface MapSpec {
  /** Name used by LdMapFd and given to the kernel (at most 15 characters). */
  name: string;
  /** BPF_MAP_TYPE_*. */
  type: number;
  keySize: number;
  valueSize: number;
  maxEntries: number;
  flags?: number;
}

/** Hands out frame-pointer offsets so stages never overlap on the 512-byte stack. */
export class StackAllocator {
  private used = 0;
  private readonly owners: string[] = [];

  /** Reserves `bytes` (rounded up to 8) and returns the offset from r10 of the lowest byte. */
  allocate(owner: string, bytes: number): number {
    const size = Math.ceil(bytes / 8) * 8;
    if (this.used + size > 512) {
      throw new RangeError(`stack exhausted: ${owner} needs ${size} bytes but ${this.owners.join(', ')} already use ${this.used} of 512`);
    }
    this.used += size;
    this.owners.push(owner);
    return -this.used;
  }
}

export interface StageContext {
  /** Register holding the verdict (bytes to keep, 0 = drop) between stages; r9. */
  result: Register;
  /** Label of the next stage: a stage ends by falling through or jumping here. */
  next: string;
  stack: StackAllocator;
}

export interface Stage {
  /** Short identifier, also the prefix of the stage's labels. */
  name: string;
  /** Maps the stage reads or writes (deduplicated by name when stages share one). */
  maps: MapSpec[];
  emit(ctx: StageContext): AsmItem[];
}

export interface ComposedProgram {
  insns: AsmItem[];
  maps: MapSpec[];
}

/** Splices the stages in order; each stage's entry is labelled `stage_<name>`. */
export function composeStages(stages: readonly Stage[], result: Register): ComposedProgram {
  const stack = new StackAllocator();
  const insns: AsmItem[] = [];
  const maps = new Map<string, MapSpec>();
  stages.forEach((stage, i) => {
    const next = i + 1 < stages.length ? `stage_${stages[i + 1]!.name}` : 'stage_end';
    insns.push(Label(`stage_${stage.name}`), ...stage.emit({ result, next, stack }));
    for (const map of stage.maps) {
      const known = maps.get(map.name);
      if (known && JSON.stringify(known) !== JSON.stringify(map)) throw new Error(`two stages define map '${map.name}' differently`);
      maps.set(map.name, map);
    }
  });
  return { insns: dropJumpsToNext(insns), maps: [...maps.values()] };
}
