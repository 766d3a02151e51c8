/**
 * The Echo protocol (RFC 862) on UDP and TCP port 7, as tshark 4.0 shows it: the bytes as
 * echo.data, a hidden echo.request or echo.response (a response comes from port 7), Protocol
 * "ECHO", Info "Request" or "Response".
 */
import { LayerBuilder } from './builder';
import { bytesHex } from './format';
import type { AppDissector, AppResult } from './model';

export const ECHO_PORT = 7;

export const echoDissector: AppDissector = {
  protocol: 'echo',
  udpPorts: [ECHO_PORT],
  tcpPorts: [ECHO_PORT],
  dissect: (data, offset, end, ctx): AppResult => {
    const stop = Math.min(end, data.length);
    const response = ctx.srcPort === ECHO_PORT;
    const b = new LayerBuilder(data, 'echo', 'Echo', offset, stop, ctx.fields);
    const n = stop - offset;
    // The hidden flag first, then the bytes (the order of tshark's JSON).
    const flag = response ? 'echo.response' : 'echo.request';
    if (b.wants(flag)) b.add(flag, response ? 'Echo response: True' : 'Echo request: True', true, offset, n, '1').hidden = true;
    if (b.wants('echo.data')) {
      b.addLazy('echo.data', () => `Echo data: ${bytesHex(data, offset, Math.min(n, 36))}${n > 36 ? '…' : ''}`, data.subarray(offset, stop), offset, n, () => bytesHex(data, offset, n));
    }
    return { layers: [b.layer], protocolColumn: 'ECHO', info: response ? 'Response' : 'Request' };
  },
};
