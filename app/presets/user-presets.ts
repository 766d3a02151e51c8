/**
 * The user's own presets: `presets.json` in the user's configuration directory, validated with
 * valibot every time it is read. A file that is not what Sievecap writes (bad JSON, a bad field, two
 * presets of one name, a built-in's name) is reported in `problem` (its path and what is wrong) and
 * never overwritten: saving or deleting then answers EPRESET, asking the user to fix or move it.
 * Writes are atomic (config.ts). Filters are checked with libpcap by the caller before save().
 *
 *   { "version": 1, "presets": [ { "name": "lab", "description": "...", "filter": "host 10.0.0.1" } ] }
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as v from 'valibot';
import { describeIssues, PresetSettings, type Preset } from '../rpc/engine-protocol';
import { builtinPresets, isBuiltinName, sameName, type PresetContext } from './builtin';
import { writeFileAtomic } from './config';

export const PRESETS_FILE = 'presets.json';

const PresetsFile = v.strictObject({
  version: v.literal(1, 'version: this Sievecap writes version 1'),
  presets: v.array(PresetSettings),
});
type PresetsFile = v.InferOutput<typeof PresetsFile>;

export interface PresetList {
  presets: Preset[];
  file: string;
  problem: string | null;
}

/** An error a UI shows as it is: code EPRESET and a sentence. */
export class PresetError extends Error {
  readonly code = 'EPRESET';
  override name = 'PresetError';
}

type Loaded = { presets: PresetsFile['presets']; problem: null } | { presets: []; problem: string };

export class UserPresets {
  readonly file: string;

  constructor(configDir: string, private readonly context: PresetContext = {}) {
    this.file = path.join(configDir, PRESETS_FILE);
  }

  /** Built-in presets, then the user's (none when the file has a problem). */
  list(): PresetList {
    const loaded = this.load();
    return this.listOf(loaded);
  }

  /** Adds or replaces (same name) one of the user's presets. Its filter must already be checked. */
  save(preset: PresetSettings): PresetList {
    if (isBuiltinName(preset.name)) {
      throw new PresetError(`'${preset.name}' is the name of a built-in preset, which cannot be changed: give your preset another name`);
    }
    const presets = [...this.writable()];
    const at = presets.findIndex((p) => sameName(p.name, preset.name));
    if (at >= 0) presets[at] = preset;
    else presets.push(preset);
    return this.write(presets);
  }

  delete(name: string): PresetList {
    if (isBuiltinName(name)) throw new PresetError(`'${name}' is a built-in preset: it cannot be deleted`);
    const presets = this.writable();
    const kept = presets.filter((p) => !sameName(p.name, name));
    if (kept.length === presets.length) {
      throw new PresetError(`there is no preset named '${name}'${presets.length ? ` (yours: ${presets.map((p) => p.name).join(', ')})` : ' (you have none)'}`);
    }
    return this.write(kept);
  }

  private writable(): PresetsFile['presets'] {
    const loaded = this.load();
    if (loaded.problem !== null) {
      throw new PresetError(`${loaded.problem}. Sievecap does not overwrite it: fix it, or move it away to start a new list`);
    }
    return loaded.presets;
  }

  private write(presets: PresetsFile['presets']): PresetList {
    const data: PresetsFile = { version: 1, presets };
    writeFileAtomic(this.file, `${JSON.stringify(data, null, 2)}\n`);
    return this.listOf({ presets, problem: null });
  }

  private listOf(loaded: Loaded): PresetList {
    return {
      presets: [...builtinPresets(this.context), ...loaded.presets.map((p) => ({ ...p, builtin: false }))],
      file: this.file,
      problem: loaded.problem,
    };
  }

  private load(): Loaded {
    let text: string;
    try {
      text = fs.readFileSync(this.file, 'utf8');
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      if (e.code === 'ENOENT') return { presets: [], problem: null };
      return { presets: [], problem: `the presets file ${this.file} cannot be read: ${e.message}` };
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (err) {
      return { presets: [], problem: `the presets file ${this.file} is not valid JSON (${(err as Error).message})` };
    }
    const parsed = v.safeParse(PresetsFile, json);
    if (!parsed.success) return { presets: [], problem: `the presets file ${this.file} is damaged: ${describeIssues(parsed.issues)}` };
    const seen: string[] = [];
    for (const [k, p] of parsed.output.presets.entries()) {
      if (isBuiltinName(p.name)) return { presets: [], problem: `the presets file ${this.file} is damaged: presets.${k}.name '${p.name}' is the name of a built-in preset` };
      if (seen.some((n) => sameName(n, p.name))) return { presets: [], problem: `the presets file ${this.file} is damaged: presets.${k}.name '${p.name}' is used twice` };
      seen.push(p.name);
    }
    return { presets: parsed.output.presets, problem: null };
  }
}
