/**
 * V8's tier-up budget for the processes that dissect: the CLI (and `sievecap serve` in it) and the
 * desktop's engine process.
 *
 * V8 optimizes a function once it has run through an "interrupt budget" of bytecode (66 KiB by
 * default in Node 20's V8). The dissectors are large closures whose paths a capture reaches one by
 * one, so at that budget TurboFan compiles them early, on too little type feedback, then drops and
 * compiles them again: on a 13,000-packet capture, `sievecap -r F -Y 'tcp.port == 8080'` spent
 * about half of its 1.3 s of CPU in TurboFan (the TCP dissector alone compiled five times, 60 ms
 * each; `perf` and `--trace-opt`). A larger budget optimizes later, on fuller feedback, and less
 * often; too large and long runs lose (at 700 KB, a 300,000-packet `-T text` cost 11-15% more CPU:
 * its CPU profile spent 40% more in garbage collection). At 250 KB, medians of five interleaved
 * runs: 7-12% less CPU on captures of ~14,000 packets (`-T text`, `-Y`), within 3% either way on
 * 300,000 (bench/README.md, "2026-12-06 (session 40)").
 */
import { setFlagsFromString } from 'node:v8';

export const INTERRUPT_BUDGET = 250_000;

/** Sets the budget for functions compiled from now on; call first thing in a process. */
export function tuneJit(): void {
  setFlagsFromString(`--interrupt-budget=${INTERRUPT_BUDGET}`);
}
