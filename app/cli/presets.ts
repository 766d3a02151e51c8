/**
 * `--preset NAME` and `--list-presets`: the presets the desktop app's picker shows (built-in ones,
 * then the user's from the same presets file), on the command line.
 */
import { builtinPresets, defaultConfigDir, UserPresets } from '../presets';
import type { Preset } from '../rpc/engine-protocol';
import { describeStages } from '../../bpf/programs/capture';
import { UsageError, type CliOptions } from './args';
import type { CliIo } from './io';

function presetList(env: NodeJS.ProcessEnv): { presets: Preset[]; file: string; problem: string | null } {
  const context = { sshConnection: env.SSH_CONNECTION };
  try {
    return new UserPresets(defaultConfigDir(env), context).list();
  } catch (err) {
    // No home to read the user's file from: the built-in presets still are there.
    return { presets: builtinPresets(context), file: '', problem: (err as Error).message };
  }
}

/** A preset's filter and the user's, combined as the kernel runs them. */
export function combineFilters(preset: string, user: string): string {
  if (!preset.trim()) return user;
  if (!user.trim()) return preset;
  return `(${preset}) and (${user})`;
}

/**
 * The options with the named preset applied and --watch prefixes added to its kernel stages;
 * UsageError for an unknown name or a preset a file cannot take.
 */
export function applyPreset(opts: CliOptions, env: NodeJS.ProcessEnv = process.env): CliOptions {
  const withStages = withWatches(opts.preset === undefined ? opts : withPreset(opts, env));
  if (withStages.payloadSnap === undefined) return withStages;
  return { ...withStages, stages: { ...withStages.stages, payloadSnap: { bytes: withStages.payloadSnap } } };
}

/** --watch CIDR[=RULE]: rules (in first-seen order) added to the preset's watchlist, if it has one. */
function withWatches(opts: CliOptions): CliOptions {
  if (opts.watches.length === 0) return opts;
  const rules = (opts.stages?.watchlist?.rules ?? []).map((r) => ({ name: r.name, prefixes: [...r.prefixes] }));
  for (const { rule, prefix } of opts.watches) {
    const known = rules.find((r) => r.name === rule);
    if (known) known.prefixes.push(prefix);
    else rules.push({ name: rule, prefixes: [prefix] });
  }
  if (rules.length > 64) throw new UsageError(`a watchlist has at most 64 rules; --watch gives ${rules.length}`);
  return { ...opts, stages: { ...opts.stages, watchlist: { rules } } };
}

function withPreset(opts: CliOptions, env: NodeJS.ProcessEnv): CliOptions {
  const { presets, problem } = presetList(env);
  const preset = presets.find((p) => p.name.toLowerCase() === opts.preset!.trim().toLowerCase());
  if (!preset) {
    throw new UsageError(
      `there is no preset named '${opts.preset}'; the presets are ${presets.map((p) => p.name).join(', ')}` +
        (problem ? ` (your presets file could not be read: ${problem})` : '') + ' (sievecap --list-presets describes them)',
    );
  }
  const stages = preset.stages && Object.values(preset.stages).some(Boolean) ? preset.stages : undefined;
  if (stages && opts.readFile !== undefined) {
    throw new UsageError(
      `the '${preset.name}' preset runs in the kernel during a live capture (${describeStages(stages).map((l) => l.split(':')[0]).join(', ')}); ` +
        `it cannot filter a file: read it with a display filter instead, e.g. -Y http`,
    );
  }
  const interfaces = opts.interfaces.length === 0 && opts.readFile === undefined && preset.interfaces?.length ? preset.interfaces : opts.interfaces;
  return {
    ...opts,
    filter: combineFilters(preset.filter, opts.filter),
    presetFilter: preset.filter,
    ...(opts.explain !== undefined ? { explain: combineFilters(preset.filter, opts.explain) } : {}),
    stages,
    snapLen: !opts.snapLenGiven && preset.snapLen !== undefined ? preset.snapLen : opts.snapLen,
    interfaces,
    interface: interfaces[0],
  };
}

/** `--list-presets`: one block per preset. */
export function listPresets(io: CliIo, env: NodeJS.ProcessEnv = process.env): number {
  const { presets, file, problem } = presetList(env);
  const blocks = presets.map((p) => {
    const lines = [`${p.name}${p.builtin ? '' : ' (yours)'}: ${p.description}`];
    lines.push(`    filter: ${p.filter.trim() ? p.filter : '(none)'}`);
    for (const stage of describeStages(p.stages)) lines.push(`    in the kernel: ${stage}`);
    if (p.snapLen !== undefined) lines.push(`    snap length: ${p.snapLen}`);
    if (p.interfaces?.length) lines.push(`    interfaces: ${p.interfaces.join(', ')}`);
    return lines.join('\n');
  });
  io.out(blocks.join('\n') + '\n');
  if (problem) io.error(`sievecap: your presets${file ? ` (${file})` : ''} could not be read: ${problem}`);
  return 0;
}
