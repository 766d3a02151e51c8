/**
 * Command-line options of the benchmarks (bench/{capture,cli,decode,engine,ui}/run.ts).
 *
 * A benchmark runs for minutes with the machine's namespaces, captures and temporary files, so an
 * option it does not know (`--help`, a misspelt `--packet`) or a value that is not a number ends
 * it at once with its usage, instead of a long run with the defaults.
 */
import { parseArgs } from 'node:util';

export interface BenchOptionSpec {
  /** Takes a value (`--packets N`); otherwise a flag. */
  value?: boolean;
  /** May be given more than once (values collected in order). */
  multiple?: boolean;
}

export interface BenchArgs {
  /** The option's value (the last one given), or `fallback`. */
  string(name: string, fallback: string): string;
  /** The option's value as a number ≥ 0, or `fallback`; anything else ends the run with usage. */
  number(name: string, fallback: number): number;
  /** Every value of a repeatable option, in order. */
  all(name: string): string[];
  flag(name: string): boolean;
  /** True when the option was given at all. */
  has(name: string): boolean;
}

/**
 * Parses `argv` (process.argv.slice(2) by default) against `spec` (names without the leading
 * dashes). `--help`/`-h` prints `usage` and exits 0; an unknown option, a missing value or a
 * positional argument prints the problem and `usage` to stderr and exits 2.
 */
export function benchArgs(usage: string, spec: Record<string, BenchOptionSpec>, argv: string[] = process.argv.slice(2)): BenchArgs {
  const options: Record<string, { type: 'string' | 'boolean'; multiple?: boolean }> = { help: { type: 'boolean' } };
  for (const [name, s] of Object.entries(spec)) options[name] = { type: s.value ? 'string' : 'boolean', ...(s.multiple ? { multiple: true } : {}) };
  let values: Record<string, string | boolean | Array<string | boolean> | undefined>;
  try {
    if (argv.includes('-h')) throw Object.assign(new Error(''), { help: true });
    values = parseArgs({ args: argv, options, strict: true, allowPositionals: false }).values;
  } catch (err) {
    if ((err as { help?: boolean }).help) return printHelp(usage);
    return exitWithUsage(usage, (err as Error).message);
  }
  if (values.help) return printHelp(usage);
  const last = (name: string): string | undefined => {
    const v = values[name];
    if (Array.isArray(v)) return v.length ? String(v[v.length - 1]) : undefined;
    return typeof v === 'string' ? v : undefined;
  };
  const known = (name: string): void => {
    if (!(name in spec)) throw new Error(`bench option --${name} is read but not declared`);
  };
  return {
    string(name, fallback) {
      known(name);
      return last(name) ?? fallback;
    },
    number(name, fallback) {
      known(name);
      const text = last(name);
      if (text === undefined) return fallback;
      const n = Number(text);
      if (text.trim() === '' || !Number.isFinite(n) || n < 0) return exitWithUsage(usage, `--${name} wants a number ≥ 0, not '${text}'`);
      return n;
    },
    all(name) {
      known(name);
      const v = values[name];
      return Array.isArray(v) ? v.map(String) : typeof v === 'string' ? [v] : [];
    },
    flag(name) {
      known(name);
      return values[name] === true;
    },
    has(name) {
      known(name);
      return values[name] !== undefined;
    },
  };
}

function printHelp(usage: string): never {
  process.stdout.write(usage.trimEnd() + '\n');
  process.exit(0);
}

function exitWithUsage(usage: string, problem: string): never {
  process.stderr.write(`${problem}\n\n${usage.trimEnd()}\n`);
  process.exit(2);
}
