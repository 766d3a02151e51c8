/**
 * Dropbox LAN sync Discovery (UDP 17500): the desktop client's broadcast announcing itself, a JSON
 * object (host_int, version, displayname, port, namespaces). As tshark 4.0 shows it: a
 * "Dropbox LAN sync Discovery Protocol" layer holding a JSON layer, Protocol "DB-LSP-DISC/JSON".
 * The JSON is not broken into fields here (as for JSON bodies of HTTP); text that is not JSON
 * shows as line-based text, as tshark's JSON dissector leaves it.
 */
import { LayerBuilder } from './builder';
import { parsesAsJson } from './http-body';
import type { AppDissector, AppResult } from './model';

export const DB_LSP_DISC_PORT = 17500;

export const dbLspDiscDissector: AppDissector = {
  protocol: 'db-lsp-disc',
  udpPorts: [DB_LSP_DISC_PORT],
  dissect: (data, offset, end, ctx): AppResult => {
    const stop = Math.min(end, data.length);
    const outer = new LayerBuilder(data, 'db-lsp-disc', 'Dropbox LAN sync Discovery Protocol', offset, stop, ctx.fields);
    const json = new LayerBuilder(data, 'json', 'JavaScript Object Notation', offset, stop, ctx.fields);
    if (stop < end) json.mark('truncated', 'the JSON object was not captured whole (snap length)');
    else if (!parsesAsJson(data, offset, stop)) json.mark('malformed', 'the announcement is not a JSON text');
    return {
      layers: [outer.layer, json.layer],
      protocolColumn: 'DB-LSP-DISC/JSON',
      info: 'Dropbox LAN sync Discovery Protocol, JavaScript Object Notation',
    };
  },
};
