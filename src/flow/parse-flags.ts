import type * as z from 'zod';
import { inputError } from '../core/errors.js';
import { issueLines } from '../core/zod-issues.js';

/** `gatewayUrl` → `--gateway-url`: a flag as the user typed it. */
export function flagName(key: PropertyKey): string {
  return `--${String(key).replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}

/** The options commander collected, typed by the command's schema, or exit 2 naming each flag. */
export function parseFlags<S extends z.ZodType>(schema: S, options: unknown, command: string): z.output<S> {
  const result = schema.safeParse(options);
  if (!result.success) {
    throw inputError(issueLines(result.error.issues, (path) => (path.length === 0 ? 'options' : flagName(path[0] as PropertyKey))).join('; '), `run \`auth0-sms-gateway ${command} --help\` for the options`);
  }
  return result.data;
}

