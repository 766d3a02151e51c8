/** Capture presets: the built-ins (builtin.ts, shared with the renderer) and the user's own (a JSON file). */
export { builtinPresets, isBuiltinName, notMySshFilter, type PresetContext } from './builtin';
export { UserPresets, PresetError, PRESETS_FILE, type PresetList } from './user-presets';
export { defaultConfigDir, writeFileAtomic, temporaryNameFor } from './config';
