/**
 * What main and the engine's utility process (engine-process.ts) say to each other outside the
 * engine protocol: the options on the command line, and `connect` messages carrying a port.
 * Pure code, tested under Node.
 */
import * as v from 'valibot';
import type { EngineServiceOptions } from '../engine/service';

export const ENGINE_OPTIONS_ARG = '--engine-options=';

const OptionsSchema = v.strictObject({
  spoolDir: v.optional(v.pipe(v.string(), v.startsWith('/'))),
  sliceMs: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(1000))),
  eventIntervalMs: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(10000))),
  configDir: v.optional(v.pipe(v.string(), v.startsWith('/'))),
});
type ProcessOptions = v.InferOutput<typeof OptionsSchema>;
// Every option main may pass is one the service takes.
const optionsFit: ProcessOptions extends EngineServiceOptions ? true : false = true;
void optionsFit;

export function engineProcessArgs(options: ProcessOptions): string[] {
  return [`${ENGINE_OPTIONS_ARG}${JSON.stringify(v.parse(OptionsSchema, options))}`];
}

/** The options in the process's argv; throws a TypeError naming a bad one (main passed them, so it is a bug). */
export function parseEngineProcessOptions(argv: readonly string[]): ProcessOptions {
  const arg = argv.find((a) => a.startsWith(ENGINE_OPTIONS_ARG));
  if (!arg) return {};
  const result = v.safeParse(OptionsSchema, JSON.parse(arg.slice(ENGINE_OPTIONS_ARG.length)));
  if (!result.success) throw new TypeError(`engine process options: ${result.issues[0].message}`);
  return result.output;
}

export type EngineProcessMessage = { type: 'connect' };

export function parseEngineProcessMessage(data: unknown): EngineProcessMessage | null {
  return v.is(v.strictObject({ type: v.literal('connect') }), data) ? { type: 'connect' } : null;
}
