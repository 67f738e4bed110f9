import { untrusted } from '../core/untrusted.js';
import { firstProblem, recipientSchema } from '../core/validate.js';
import { inputError, remoteError } from '../core/errors.js';
import { AUTH0_WAIT, sendTestMessage, type GatewayClientSettings, type WaitLimit } from '../gateway/client.js';
import type { CommandContext } from './context.js';

/** `--test-to`'s number, checked before any request. */
export function checkTestTo(to: string | undefined): void {
  if (to === undefined) return;
  const problem = firstProblem(recipientSchema, to);
  if (problem !== undefined) throw inputError(`--test-to: "${untrusted(to)}" is not ${problem}`, 'e.g. --test-to "+15551234567"');
}

/**
 * The pre-flight of --test-to: the gateway gets exactly the request Auth0 will send once the
 * change lands, with the planned settings, before anything is written. A gateway that fails
 * would break every login the moment the switch is made, so anything but HTTP 200 stops the
 * run (exit 1) with nothing written, and so does an answer slower than the caller waits
 * (`waitLimit`: Auth0 for a connection, the tool's Action for the phone provider). Returns the
 * result for the command's --json document.
 */
export async function preflightGateway(ctx: CommandContext, settings: GatewayClientSettings, to: string, waitLimit: WaitLimit = AUTH0_WAIT): Promise<Record<string, unknown>> {
  const result = await sendTestMessage(settings, { to, waitLimit });
  const summary = { status: result.status, ms: result.ms, ok: result.ok, auth0Error: result.auth0Error };
  if (!result.ok) {
    throw remoteError(
      `the gateway failed the test message (${untrusted(result.auth0Error ?? `HTTP ${String(result.status)}`)}): nothing was written`,
      result.hint ?? 'fix the gateway, or the settings, and run again',
    );
  }
  ctx.output.info(`Test message to ${untrusted(to)} through ${settings.gatewayUrl}: HTTP 200 in ${result.ms} ms, which ${waitLimit.who} counts as delivered.`);
  return { preflight: summary };
}
