import { requireSmsConnection, smsSummary } from '../core/options.js';
import { heldSecrets, redactDeep } from '../core/redact.js';
import { describeRoute, routeOf } from '../core/route.js';
import { untrusted } from '../core/untrusted.js';
import { defineCommand, NO_FLAGS } from '../flow/command.js';
import { unifiedPhoneForClaims } from '../flow/routes.js';

/** One SMS connection, options in full with every secret redacted, and where its codes really go. */
export const command = defineCommand(NO_FLAGS, async (ctx, _flags, [connectionRef]) => {
  const { output } = ctx;
  const api = await ctx.auth0();
  const connection = requireSmsConnection(await api.getConnection(connectionRef ?? ''));
  const unifiedPhone = await unifiedPhoneForClaims(api, output, [connection]);
  const route = routeOf(connection.options, unifiedPhone);
  // Auth0 returns twilio_token and gateway_authentication.secret in clear text (docs/auth0-facts.md#connection-options),
  // and hides neither where another field holds the same text (an audience set to the secret).
  const safe = redactDeep(connection, heldSecrets(connection.options));
  if (output.json) {
    output.printJson({ ...safe, route });
    return;
  }
  const summary = smsSummary(safe);
  const { style } = output;
  const lines = [
    `${style.bold(untrusted(connection.name))} ${style.dim(connection.id)}`,
    `route             ${route}: ${describeRoute(route, unifiedPhone, connection.options ?? null)}`,
    `display name      ${untrusted(safe.display_name ?? '-')}`,
    `provider          ${untrusted(summary.provider)}`,
    `gateway url       ${untrusted(summary.gateway_url ?? '-')}`,
    `authentication    ${summary.authentication}`,
    `forward req info  ${summary.forward_req_info ? 'yes' : 'no'}`,
    `from              ${untrusted(summary.from ?? '-')}`,
    '',
    style.bold('options'),
    // JSON escapes control characters in strings; the output layer escapes the rest (C1, bidi).
    JSON.stringify(safe.options, null, 2),
  ];
  output.data(lines.join('\n'));
});
