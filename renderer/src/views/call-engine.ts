import type { EngineClient } from '../lib/rpc';

/** What a view's state asks of the engine: requests only (events are the component's), so a test can stand in. */
export type CallEngine = Pick<EngineClient, 'call'>;
