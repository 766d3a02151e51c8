/**
 * -T json, ek and pdml with -e FIELD: only the fields named, each with the values -T fields prints
 * (epan/print.c, write_specified_fields): a list of values per field in JSON and EK, a
 * `<field name= value=/>` line per value in PDML. Fields absent from a packet are left out.
 */
import type { DissectedPacket } from '../../dissect/model';
import { collectFields, type FieldsOptions } from './fields';
import { xml } from './pdml';

/** The values of each named field present in the packet, in the order named, -E occurrence applied. */
function presentValues(packet: DissectedPacket, names: readonly string[], occurrence: FieldsOptions['occurrence']): Array<[string, string[]]> {
  const values = collectFields(packet, names);
  const out: Array<[string, string[]]> = [];
  for (const name of new Set(names)) {
    const all = values.get(name)!;
    if (all.length === 0) continue;
    out.push([name, occurrence === 'f' ? [all[0]!] : occurrence === 'l' ? [all[all.length - 1]!] : all]);
  }
  return out;
}

/** A packet's JSON object, as -T json prints it with -e. */
export function selectedFieldsJson(packet: DissectedPacket, names: readonly string[], occurrence: FieldsOptions['occurrence'], date: string): string {
  const lines = ['  {', `    "_index": "packets-${date}",`, '    "_type": "doc",', '    "_score": null,', '    "_source": {', '      "layers": {'];
  const present = presentValues(packet, names, occurrence);
  present.forEach(([name, values], i) => {
    lines.push(`        ${JSON.stringify(name)}: [`);
    values.forEach((v, k) => lines.push(`          ${JSON.stringify(v)}${k < values.length - 1 ? ',' : ''}`));
    lines.push(`        ]${i < present.length - 1 ? ',' : ''}`);
  });
  lines.push('      }', '    }', '  }');
  return lines.join('\n');
}

/** The "layers" member of an EK packet line: each field, dots as underscores, with its values. */
export function selectedFieldsEk(packet: DissectedPacket, names: readonly string[], occurrence: FieldsOptions['occurrence']): string {
  const members = presentValues(packet, names, occurrence).map(([name, values]) => `${JSON.stringify(name.replace(/\./g, '_'))}:[${values.map((v) => JSON.stringify(v)).join(',')}]`);
  return `{${members.join(',')}}`;
}

/** PDML's lines after geninfo: one field element per value. */
export function selectedFieldsPdml(packet: DissectedPacket, names: readonly string[], occurrence: FieldsOptions['occurrence']): string {
  return presentValues(packet, names, occurrence)
    .flatMap(([name, values]) => values.map((v) => `  <field name="${name}" value="${xml(v)}"/>\n`))
    .join('');
}
