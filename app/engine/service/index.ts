/** The engine as a service for a UI process: sessions, requests and events of app/rpc/engine-protocol.ts. */
export { EngineService, type EngineServiceOptions, type EngineEventListener } from './service';
export { EngineSession } from './session';
export { defaultCaptureRoute, type HelperConnection, type HelperStarter, type SessionCapture } from './capture';
export { listNetworkInterfaces } from './interfaces';
export { connectEngine, type EngineConnection } from './transport';
export { EngineError, errorData } from './plain';
export { createStatistic, STATISTICS } from './statistics';
