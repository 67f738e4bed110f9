import { homedir } from 'node:os';
import { isAbsolute, join } from 'node:path';

/** An empty variable counts as unset. */
export const nonEmpty = (value: string | undefined): string | undefined => (value === undefined || value === '' ? undefined : value);

/**
 * The tool's state folder (backups, locks): $XDG_STATE_HOME/auth0-sms-gateway, or
 * ~/.local/state/auth0-sms-gateway. A relative XDG_STATE_HOME is ignored, as the XDG Base
 * Directory spec says ("If an implementation encounters a relative path in any of these
 * variables it should consider the path invalid and ignore it"): it would otherwise put the
 * state, secrets included, in the current folder.
 */
export function stateDir(env: NodeJS.ProcessEnv): string {
  const xdg = nonEmpty(env.XDG_STATE_HOME);
  const state = xdg !== undefined && isAbsolute(xdg) ? xdg : join(nonEmpty(env.HOME) ?? homedir(), '.local', 'state');
  return join(state, 'auth0-sms-gateway');
}
