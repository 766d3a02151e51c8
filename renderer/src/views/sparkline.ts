/**
 * Live traffic per interface from listInterfaces' counters: packets per second from the deltas of
 * two readings, kept as a short history for a sparkline.
 */

export interface CounterReading {
  name: string;
  loopback: boolean;
  rxPackets: number;
  txPackets: number;
}

/** Packets an interface counted: on loopback every packet is both sent and received, so count it once. */
export function packetCount(reading: CounterReading): number {
  return reading.loopback ? reading.rxPackets : reading.rxPackets + reading.txPackets;
}

/**
 * Packets per second between two readings `seconds` apart. A counter that went down (the interface
 * was recreated, or its counters reset) or a clock that did not move gives null: no rate is known.
 */
export function packetRate(before: CounterReading, after: CounterReading, seconds: number): number | null {
  if (!(seconds > 0)) return null;
  const delta = packetCount(after) - packetCount(before);
  return delta < 0 ? null : delta / seconds;
}

/** Per-interface rate histories, fed one listInterfaces reading at a time. */
export class RateHistory {
  readonly length: number;
  #last = new Map<string, { reading: CounterReading; time: number }>();
  #rates = new Map<string, number[]>();

  constructor(length = 60) {
    this.length = length;
  }

  /** Adds a reading taken at `time` (ms); interfaces no longer listed are forgotten. */
  add(readings: readonly CounterReading[], time: number): void {
    const seen = new Set<string>();
    for (const reading of readings) {
      seen.add(reading.name);
      const last = this.#last.get(reading.name);
      if (last && time > last.time) {
        const rate = packetRate(last.reading, reading, (time - last.time) / 1000);
        const history = this.#rates.get(reading.name) ?? [];
        history.push(rate ?? 0);
        if (history.length > this.length) history.splice(0, history.length - this.length);
        this.#rates.set(reading.name, history);
      }
      if (!last || time > last.time) this.#last.set(reading.name, { reading: { ...reading }, time });
    }
    for (const name of [...this.#last.keys()]) {
      if (!seen.has(name)) {
        this.#last.delete(name);
        this.#rates.delete(name);
      }
    }
  }

  /** The interface's rates, oldest first (empty until two readings). */
  rates(name: string): readonly number[] {
    return this.#rates.get(name) ?? [];
  }

  /** The latest rate, or null before two readings. */
  current(name: string): number | null {
    const r = this.#rates.get(name);
    return r && r.length > 0 ? r[r.length - 1]! : null;
  }
}

/**
 * The `points` attribute of an SVG polyline drawing `values` right-aligned in a width × height box
 * (the newest value at the right edge, `slots` values across), scaled to the largest value (at least
 * `minScale`, so a quiet interface draws a flat line at the bottom, not noise blown up to full height).
 */
export function sparklinePoints(values: readonly number[], width: number, height: number, slots = 60, minScale = 1): string {
  if (values.length === 0) return '';
  const shown = values.slice(-slots);
  const max = Math.max(minScale, ...shown);
  const step = slots > 1 ? width / (slots - 1) : width;
  const first = slots - shown.length;
  const pad = 1; // keeps the stroke inside the box
  return shown
    .map((value, i) => {
      const x = (first + i) * step;
      const y = height - pad - (value / max) * (height - 2 * pad);
      return `${round(x)},${round(y)}`;
    })
    .join(' ');
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}
