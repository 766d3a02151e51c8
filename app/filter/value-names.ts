/**
 * Value names in display filters, as Wireshark takes them (epan/dfilter/semcheck.c,
 * mk_fvalue_from_val_string): where an integer field's literal is not a number, it may be one of
 * the field's value names (`ip.proto == "TCP"`, `_ws.expert.severity == error`), and a boolean
 * field's literal its names for true and false (`tcp.flags.syn == Set`) besides True and False,
 * all matched without regard to case; the first value of that name wins. The tables
 * (wireshark-value-names.ts, generated from `tshark -G values`) are loaded on the first such
 * literal.
 */
import * as path from 'node:path';
import { LiteralError } from './values';

type NamesModule = typeof import('./wireshark-value-names');

let loaded: NamesModule | undefined;
let tableOfField: Map<string, number> | undefined;
let booleans: Map<string, [string, string]> | undefined;
let extFields: Set<string> | undefined;
const parsedTables = new Map<number, Map<string, bigint>>();

function names(): NamesModule {
  // Synchronous: a filter is compiled synchronously, and only a literal that names a value gets
  // here. By a path the bundler leaves alone (scripts/bundle.mjs puts this module in dist/app/cli,
  // tsc in dist/app/filter; the table stays in dist/app/filter): ~850 KB that a filter without
  // value names never parses.
  loaded ??= require(path.join(__dirname, '..', 'filter', 'wireshark-value-names.js')) as NamesModule;
  return loaded;
}

function tableIndex(field: string): number | undefined {
  if (!tableOfField) {
    tableOfField = new Map();
    for (const line of names().FIELD_TABLES.split('\n')) {
      const tab = line.indexOf('\t');
      tableOfField.set(line.slice(0, tab), Number(line.slice(tab + 1)));
    }
  }
  return tableOfField.get(field);
}

function table(field: string): Map<string, bigint> | undefined {
  const t = tableIndex(field);
  if (t === undefined) return undefined;
  let map = parsedTables.get(t);
  if (!map) {
    map = new Map();
    for (const line of names().VALUE_TABLES[t]!.split('\n')) {
      const tab = line.indexOf('\t');
      const name = line.slice(tab + 1).toLowerCase();
      if (!map.has(name)) map.set(name, BigInt(line.slice(0, tab)));
    }
    parsedTables.set(t, map);
  }
  return map;
}

/**
 * The value an integer field's name stands for, as a number (a bigint past 2^53); undefined when
 * the field has no value names (the literal is then just not a number). Throws LiteralError with
 * Wireshark's wording when the field has names but not this one.
 */
export function integerValueNamed(field: string, text: string): number | bigint | undefined {
  const map = table(field);
  if (!map) {
    extFields ??= new Set(names().EXT_TABLE_FIELDS.split(' '));
    if (extFields.has(field)) {
      throw new LiteralError(`"${text}" is not a number, and Sievecap does not know ${field}'s value names (Wireshark keeps them in a table tshark does not list): use the number`);
    }
    return undefined;
  }
  const v = map.get(text.toLowerCase());
  if (v === undefined) throw new LiteralError(`"${text}" cannot be found among the possible values for ${field}`);
  return v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
}

const namesByValue = new Map<number, Map<bigint, string>>();

/**
 * The name Wireshark gives an integer field's value (its value_string, as `tshark -G values` lists
 * it; the first entry for the value wins, as val_to_str's does); undefined when it has none. For
 * the labels of fields whose table Sievecap does not carry itself: loads the tables on first use.
 */
export function integerValueText(field: string, value: number | bigint): string | undefined {
  const t = tableIndex(field);
  if (t === undefined) return undefined;
  let map = namesByValue.get(t);
  if (!map) {
    map = new Map();
    for (const line of names().VALUE_TABLES[t]!.split('\n')) {
      const tab = line.indexOf('\t');
      const v = BigInt(line.slice(0, tab));
      if (!map.has(v)) map.set(v, line.slice(tab + 1));
    }
    namesByValue.set(t, map);
  }
  return map.get(BigInt(value));
}

/** A boolean field's name for true or false (its own, or True/False); undefined for any other text. */
export function booleanNamed(field: string, text: string): boolean | undefined {
  if (!booleans) {
    booleans = new Map();
    for (const line of names().BOOLEAN_NAMES.split('\n')) {
      const [f, t, n] = line.split('\t');
      booleans.set(f!, [t!.toLowerCase(), n!.toLowerCase()]);
    }
  }
  const lower = text.toLowerCase();
  const own = booleans.get(field);
  if (own && lower === own[0]) return true;
  if (own && lower === own[1]) return false;
  if (lower === 'true') return true;
  if (lower === 'false') return false;
  return undefined;
}
