import type * as z from 'zod';
import { inputError } from '../core/errors.js';
import { issueLines, UNKNOWN_SETTING } from '../core/zod-issues.js';
import type { FlagsOf } from './command.js';

/** `gatewayUrl` → `--gateway-url`: a flag as the user typed it. */
export function flagName(key: PropertyKey): string {
  return `--${String(key).replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}

/**
 * The options commander collected, typed by the command's schema, or exit 2 naming each flag.
 * A command without options (NO_FLAGS) refuses any, as an empty strict schema would.
 */
export function parseFlags<S extends z.ZodType | null>(schema: S, options: unknown, command: string): FlagsOf<S> {
  const hint = `run \`auth0-sms-gateway ${command} --help\` for the options`;
  if (schema === null) {
    const given = options !== null && typeof options === 'object' ? Object.keys(options) : [];
    if (given.length > 0) throw inputError(given.map((key) => `${flagName(key)}: ${UNKNOWN_SETTING}`).join('; '), hint);
    return {} as FlagsOf<S>;
  }
  const result = schema.safeParse(options);
  if (!result.success) {
    throw inputError(issueLines(result.error.issues, (path) => (path.length === 0 ? 'options' : flagName(path[0] as PropertyKey))).join('; '), hint);
  }
  return result.data as FlagsOf<S>;
}
