/**
 * The start page's state: interfaces with their live rates, the capture filter and its check, the
 * presets, recent files, and what Start hands on. The engine is asked through `call` only, so a
 * test can stand in for it.
 */
import type { NetworkInterface, Preset, PresetSettings } from '../../../app/rpc/engine-protocol';
import type { KernelStagesSpec } from '../../../app/rpc/helper-protocol';
import { describeKernelStages, type KernelStageDescription } from '../../../app/rpc/kernel-stages';
import type { CallEngine } from './call-engine';
import { applyPreset, matchingPreset, mergePresets, presetProblem, type PresetList } from './presets';
import { RateHistory } from './sparkline';

export type FilterCheck =
  | { state: 'empty' }
  | { state: 'checking' }
  | { state: 'valid'; instructions: number }
  | { state: 'invalid'; message: string }
  /** The check itself failed (no engine): the filter may be fine; Start lets libpcap decide. */
  | { state: 'unknown'; message: string };

export interface StartSettings {
  interfaces: string[];
  filter: string;
  snapLen?: number;
  preset?: string;
  /** Kernel stages after the filter (the chosen preset's). */
  stages?: KernelStagesSpec;
}

/** What "Apply to running capture" changes: the program's filter and stages (interfaces and snap length stay). */
export interface ApplySettings {
  filter: string;
  preset?: string;
  stages?: KernelStagesSpec;
}

/** The settings of the capture running when the page opens (the page starts from them). */
export interface RunningCapture {
  interfaces: string[];
  filter: string;
  preset: string | null;
  stages?: KernelStagesSpec;
  snapLen: number;
}

export interface RecentFile {
  path: string;
  openedAt: number;
  exists: boolean;
}

export class StartPageState {
  interfaces = $state.raw<NetworkInterface[]>([]);
  /** Packets per second per interface, oldest first. */
  rates = $state.raw<Record<string, readonly number[]>>({});
  interfacesError = $state<string | null>(null);
  selected = $state<string[]>([]);

  filter = $state('');
  check = $state.raw<FilterCheck>({ state: 'empty' });
  snapLen = $state<number | null>(null);

  presets = $state.raw<PresetList>(mergePresets(null));
  presetsFile = $state('');
  presetsProblem = $state<string | null>(null);
  presetsError = $state<string | null>(null);
  /** The preset last chosen; it stays "the preset" while the filter and the kernel stages are unchanged. */
  chosenPreset = $state<string | null>(null);
  /**
   * Kernel stages after the filter: those of the preset last chosen (another preset replaces them),
   * kept while the filter is edited (the filter combines with them) until removed. Null: none.
   */
  stages = $state.raw<KernelStagesSpec | null>(null);
  /** The preset the stages came from. */
  stagesFrom = $state<string | null>(null);
  /**
   * Count the traffic mix in the kernel (per-CPU counters per ethertype and IP protocol of every
   * packet seen; cheap, and it never changes what is captured): on unless the user turns it off.
   */
  trafficMix = $state(true);

  recent = $state.raw<RecentFile[]>([]);
  recentError = $state<string | null>(null);

  readonly activePreset: Preset | null = $derived(matchingPreset(this.presets, this.chosenPreset, this.filter, this.stages));
  /** What runs in the kernel after the filter, in words (empty: the filter alone). */
  readonly stageDescriptions: KernelStageDescription[] = $derived(describeKernelStages(this.stages));
  /** How many of them let only some packets through (the others count). */
  readonly choosingStages: number = $derived(this.stageDescriptions.filter((d) => d.choosesPackets).length);
  readonly canStart: boolean = $derived(this.selected.length > 0 && this.check.state !== 'invalid' && this.check.state !== 'checking');

  readonly #engine: CallEngine;
  readonly #history = new RateHistory(60);
  #checkController: AbortController | null = null;
  #checkTimer: ReturnType<typeof setTimeout> | null = null;
  readonly #debounceMs: number;

  constructor(engine: CallEngine, debounceMs = 250) {
    this.#engine = engine;
    this.#debounceMs = debounceMs;
  }

  /** Reads the interfaces and their counters once (the page polls this every second). */
  async pollInterfaces(): Promise<void> {
    try {
      const r = await this.#engine.call('listInterfaces', {});
      this.#history.add(r.interfaces, r.time);
      const rates: Record<string, readonly number[]> = {};
      for (const i of r.interfaces) rates[i.name] = [...this.#history.rates(i.name)];
      this.interfaces = r.interfaces;
      this.rates = rates;
      this.interfacesError = null;
      // An interface that vanished cannot stay picked.
      const names = new Set(r.interfaces.map((i) => i.name));
      if (this.selected.some((n) => !names.has(n))) this.selected = this.selected.filter((n) => names.has(n));
    } catch (e) {
      this.interfacesError = (e as Error).message;
    }
  }

  currentRate(name: string): number | null {
    return this.#history.current(name);
  }

  toggleInterface(name: string, on: boolean): void {
    const had = this.selected.includes(name);
    if (on && !had) this.selected = [...this.selected, name];
    else if (!on && had) this.selected = this.selected.filter((n) => n !== name);
    else return;
    this.#scheduleCheck(0);
  }

  setFilter(filter: string): void {
    if (filter === this.filter) return;
    this.filter = filter;
    this.#scheduleCheck(this.#debounceMs);
  }

  setSnapLen(value: number | null): void {
    this.snapLen = value !== null && Number.isInteger(value) && value >= 1 && value <= 262144 ? value : null;
  }

  /** Checks the filter now (the debounce's end, or a test). */
  async checkNow(): Promise<void> {
    if (this.#checkTimer !== null) clearTimeout(this.#checkTimer);
    this.#checkTimer = null;
    this.#checkController?.abort();
    const filter = this.filter;
    if (!filter.trim()) {
      this.check = { state: 'empty' };
      return;
    }
    const controller = new AbortController();
    this.#checkController = controller;
    this.check = { state: 'checking' };
    const iface = this.selected[0];
    try {
      const r = await this.#engine.call('checkCaptureFilter', { filter, ...(iface ? { interface: iface } : {}) }, { signal: controller.signal });
      if (this.#checkController !== controller) return;
      this.check = { state: 'valid', instructions: r.instructions };
    } catch (e) {
      if (this.#checkController !== controller) return;
      const err = e as Error & { code?: string };
      if (err.code === 'ECANCELED') return;
      this.check = err.code === 'ECAPFILTER' ? { state: 'invalid', message: err.message } : { state: 'unknown', message: err.message };
    }
    if (this.#checkController === controller) this.#checkController = null;
  }

  #scheduleCheck(ms: number): void {
    if (this.#checkTimer !== null) clearTimeout(this.#checkTimer);
    this.#checkController?.abort();
    this.#checkController = null;
    if (!this.filter.trim()) {
      this.check = { state: 'empty' };
      return;
    }
    this.check = { state: 'checking' };
    this.#checkTimer = setTimeout(() => void this.checkNow(), ms);
  }

  choosePreset(preset: Preset): void {
    const choice = applyPreset(preset);
    this.chosenPreset = preset.name;
    this.filter = choice.filter;
    this.stages = choice.stages ?? null;
    this.stagesFrom = choice.stages ? preset.name : null;
    if (choice.snapLen !== undefined) this.snapLen = choice.snapLen;
    if (choice.interfaces) {
      const names = new Set(this.interfaces.map((i) => i.name));
      // Interfaces the preset names that this machine has (all of them before the list arrives).
      this.selected = this.interfaces.length === 0 ? choice.interfaces : choice.interfaces.filter((n) => names.has(n));
    }
    this.#scheduleCheck(0);
  }

  /** Captures with the filter alone: the kernel stages are dropped (the preset no longer applies). */
  removeStages(): void {
    this.stages = null;
    this.stagesFrom = null;
  }

  #setPresets(r: { presets: Preset[]; file: string; problem: string | null }): void {
    this.presets = mergePresets(r.presets);
    this.presetsFile = r.file;
    this.presetsProblem = r.problem;
  }

  async loadPresets(): Promise<void> {
    try {
      this.#setPresets(await this.#engine.call('listPresets', {}));
      this.presetsError = null;
    } catch (e) {
      this.presetsError = (e as Error).message;
    }
  }

  /** The preset "Save as preset…" would save from the current settings. */
  presetFromSettings(name: string, description: string, withInterfaces: boolean): PresetSettings {
    const preset: PresetSettings = { name: name.trim(), description: description.trim(), filter: this.filter.trim() };
    if (this.snapLen !== null) preset.snapLen = this.snapLen;
    if (this.stages) preset.stages = structuredClone(this.stages);
    if (withInterfaces && this.selected.length > 0) preset.interfaces = [...this.selected];
    return preset;
  }

  /** Saves a preset; resolves to null when saved, else the sentence saying why not. */
  async savePreset(preset: PresetSettings): Promise<string | null> {
    const problem = presetProblem(preset, this.presets.builtin);
    if (problem) return problem;
    try {
      this.#setPresets(await this.#engine.call('savePreset', { preset }));
      this.chosenPreset = preset.name;
      if (this.stages) this.stagesFrom = preset.name;
      return null;
    } catch (e) {
      return (e as Error).message;
    }
  }

  async deletePreset(name: string): Promise<string | null> {
    try {
      this.#setPresets(await this.#engine.call('deletePreset', { name }));
      if (this.chosenPreset === name) this.chosenPreset = null;
      return null;
    } catch (e) {
      return (e as Error).message;
    }
  }

  async loadRecent(): Promise<void> {
    try {
      this.recent = (await this.#engine.call('recentFiles', {})).files;
      this.recentError = null;
    } catch (e) {
      this.recentError = (e as Error).message;
    }
  }

  /** The kernel stages a capture runs: the preset's (or those kept), and the traffic mix when on. */
  kernelStages(): KernelStagesSpec | undefined {
    const stages: KernelStagesSpec = { ...structuredClone(this.stages ?? {}) };
    if (this.trafficMix) stages.trafficMix = true;
    else delete stages.trafficMix;
    return Object.keys(stages).length > 0 ? stages : undefined;
  }

  /** What Start hands on; null when it cannot start yet. */
  startSettings(): StartSettings | null {
    if (!this.canStart) return null;
    const settings: StartSettings = { interfaces: [...this.selected], filter: this.filter.trim() };
    if (this.snapLen !== null) settings.snapLen = this.snapLen;
    if (this.activePreset) settings.preset = this.activePreset.name;
    const stages = this.kernelStages();
    if (stages) settings.stages = stages;
    return settings;
  }

  /**
   * Starts from the running capture's settings: its interfaces, filter, snap length, kernel stages
   * (the traffic mix as the checkbox) and preset.
   */
  takeRunning(running: RunningCapture): void {
    this.selected = [...running.interfaces];
    this.filter = running.filter;
    this.snapLen = running.snapLen > 0 && running.snapLen < 262144 ? running.snapLen : null;
    const { trafficMix, ...others } = structuredClone(running.stages ?? {});
    this.trafficMix = trafficMix === true;
    this.stages = Object.keys(others).length > 0 ? others : null;
    this.stagesFrom = this.stages ? running.preset : null;
    this.chosenPreset = running.preset;
    this.#scheduleCheck(0);
  }

  /**
   * What "Apply to running capture" hands on, once libpcap has checked the filter: null when it
   * is refused (check.message says why; the capture keeps its program) or still being typed.
   */
  async applySettings(): Promise<ApplySettings | null> {
    await this.checkNow();
    if (this.check.state === 'invalid' || this.check.state === 'checking') return null;
    const settings: ApplySettings = { filter: this.filter.trim() };
    if (this.activePreset) settings.preset = this.activePreset.name;
    const stages = this.kernelStages();
    if (stages) settings.stages = stages;
    return settings;
  }

  dispose(): void {
    if (this.#checkTimer !== null) clearTimeout(this.#checkTimer);
    this.#checkController?.abort();
  }
}
