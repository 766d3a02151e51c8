/**
 * What keeps a window to the app's own pages: the app:// protocol serving dist/renderer (with the
 * Content-Security-Policy), no navigation or new windows, no permissions, no requests elsewhere.
 */
import { app, protocol, session, type Session } from 'electron';
import * as fs from 'node:fs';
import { APP_SCHEME, CONTENT_SECURITY_POLICY, isAllowedRequest, rendererFileFor, responseHeaders } from './app-protocol';

/** Before `ready`: app:// behaves as a secure, standard origin (ES modules, fetch of its own files). */
export function registerAppScheme(): void {
  protocol.registerSchemesAsPrivileged([
    { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, corsEnabled: true, codeCache: true } },
  ]);
}

function notFound(): Response {
  return new Response('not found', { status: 404, headers: { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Security-Policy': CONTENT_SECURITY_POLICY } });
}

/** Serves app:// from the renderer's build: GET of files inside it, nothing else. */
export function serveAppProtocol(target: Session, rendererDir: string): void {
  target.protocol.handle(APP_SCHEME, async (request) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return new Response('method not allowed', { status: 405 });
    const file = rendererFileFor(request.url, rendererDir);
    if (!file) return notFound();
    try {
      const body = await fs.promises.readFile(file);
      return new Response(request.method === 'HEAD' ? null : body, { status: 200, headers: responseHeaders(file) });
    } catch {
      return notFound();
    }
  });
}

/** Denies whatever a page could ask for beyond its own origin. */
export function hardenSession(target: Session, developer: boolean): void {
  target.setPermissionRequestHandler((_webContents, _permission, callback) => callback(false));
  target.setPermissionCheckHandler(() => false);
  target.setDevicePermissionHandler(() => false);
  target.webRequest.onBeforeRequest((details, callback) => callback({ cancel: !isAllowedRequest(details.url, developer) }));
  target.webRequest.onHeadersReceived((details, callback) =>
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] } }),
  );
}

/** Every web contents: no navigation away, no new windows, no <webview>. */
export function guardWebContents(): void {
  app.on('web-contents-created', (_event, contents) => {
    contents.on('will-navigate', (event) => event.preventDefault());
    contents.on('will-frame-navigate', (event) => event.preventDefault());
    contents.on('will-redirect', (event) => event.preventDefault());
    contents.on('will-attach-webview', (event) => event.preventDefault());
    contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  });
}

export function defaultSession(): Session {
  return session.defaultSession;
}
