/**
 * How the desktop app's engine starts the capture helper (EngineServiceOptions.captureRoute), chosen
 * from facts of this machine by a pure function:
 *
 * - the app already runs privileged (root, or CAP_NET_RAW + CAP_BPF): the helper as a child;
 * - the package is installed (its root-owned launcher and the polkit action org.sievecap.helper):
 *   pkexec with the launcher — members of the `sievecap` group need no password;
 * - a launcher but no polkit action (an install whose policy was removed, or a polkit that reads
 *   actions elsewhere), or an AppImage (a launcher it writes outside its mount): sudo-prompt's
 *   graphical password dialog;
 * - else an EPERM that says how to get the privilege.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DEFAULT_ACTION_ID, DEFAULT_ACTIONS_DIR } from '../helper/install';
import { HelperStartError, launcherInstalled, launcherPath, HELPER_GROUP, type LaunchRoute } from '../helper/client';
import { canCapture, processIdentity } from '../helper/identity';

export interface CaptureRouteFacts {
  uid: number;
  gid: number;
  /** This process has CAP_NET_RAW and CAP_BPF. */
  canCapture: boolean;
  /** The installed launcher's path, and whether it is installed safely (root-owned, nobody else may write it). */
  launcher: string;
  launcherInstalled: boolean;
  /** The polkit action whose exec.path is the launcher. */
  policyInstalled: boolean;
  pkexecAvailable: boolean;
  /** Running from an AppImage (APPIMAGE set): it can write a launcher of its own. */
  appImage: boolean;
}

/** The route for these facts; `appImageLauncher` makes the AppImage's launcher when that route is taken. */
export function desktopCaptureRoute(facts: CaptureRouteFacts, appImageLauncher: () => string): LaunchRoute {
  if (facts.canCapture) return { kind: 'child', uid: facts.uid, gid: facts.gid };
  if (facts.launcherInstalled && facts.policyInstalled && facts.pkexecAvailable) return { kind: 'pkexec', launcher: facts.launcher };
  if (facts.launcherInstalled) return { kind: 'sudo-prompt', launcher: facts.launcher };
  if (facts.appImage) return { kind: 'sudo-prompt', launcher: appImageLauncher() };
  throw new HelperStartError(
    'capturing needs the capture helper, which is not installed: install the Sievecap package (or, from a source checkout, ' +
      `sudo node dist/app/helper/install.js) and join the '${HELPER_GROUP}' group (sudo usermod -aG ${HELPER_GROUP} $USER, then log in again); ` +
      'or start Sievecap as root',
    'EPERM',
  );
}

function onPath(name: string, env: NodeJS.ProcessEnv): boolean {
  return (env.PATH ?? '/usr/bin:/bin').split(':').some((dir) => {
    try {
      fs.accessSync(path.join(dir, name), fs.constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/** The facts of this process and machine. */
export function captureRouteFacts(env: NodeJS.ProcessEnv = process.env): CaptureRouteFacts {
  const launcher = launcherPath(env);
  return {
    uid: process.getuid!(),
    gid: process.getgid!(),
    canCapture: canCapture(processIdentity('self')),
    launcher,
    launcherInstalled: launcherInstalled(launcher),
    policyInstalled: fs.existsSync(path.join(DEFAULT_ACTIONS_DIR, `${DEFAULT_ACTION_ID}.policy`)),
    pkexecAvailable: onPath('pkexec', env),
    appImage: Boolean(env.APPIMAGE),
  };
}
