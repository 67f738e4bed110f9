import * as z from 'zod';
import { inputError } from '../core/errors.js';
import { firstProblem, recipientSchema } from '../core/validate.js';
import { AUTH0_GATEWAY_TIMEOUT_MS } from '../gateway/client.js';
import { defineCommand } from '../flow/command.js';
import { overlayGatewayFlags, settingsOfConnection } from '../flow/gateway-settings.js';
import { reportGatewayTest } from '../flow/gateway-test.js';
import { isGenerated } from '../flow/secret-input.js';
import { secretFromFlags, settingsFlagsShape } from '../flow/settings-flags.js';
import { resolveSmsConnection } from '../flow/target.js';
import { unifiedPhoneForClaims } from '../flow/routes.js';
import { describeRoute, routeOf } from '../core/route.js';
import { confirmOrThrow } from '../flow/write.js';
import { untrusted } from '../core/untrusted.js';
import { shellQuote } from '../core/shell.js';

const flagsSchema = z.strictObject({
  ...settingsFlagsShape,
  to: z.string().optional(),
  code: z.string().optional(),
  ip: z.string().optional(),
  userAgent: z.string().optional(),
  timeout: z.string().optional(),
  dryRun: z.boolean().optional(),
});

/** Sends the gateway exactly what Auth0 sends, and judges the answer as Auth0 does. */
export const command = defineCommand(flagsSchema, async (ctx, flags, [connectionRef]) => {
  const { output } = ctx;
  if (flags.to === undefined) throw inputError('--to <phone> is required: the number the gateway should text', 'e.g. --to "+15551234567"');
  const toProblem = firstProblem(recipientSchema, flags.to);
  if (toProblem !== undefined) throw inputError(`--to: "${flags.to}" is not ${toProblem}`, 'e.g. --to "+15551234567"');
  if (flags.code !== undefined && !/^[0-9A-Za-z]{1,16}$/.test(flags.code)) throw inputError('--code: use 1 to 16 letters or digits', 'e.g. --code 123456');
  const timeoutMs = flags.timeout === undefined ? AUTH0_GATEWAY_TIMEOUT_MS : Number(flags.timeout);
  if (!Number.isInteger(timeoutMs) || timeoutMs < 1 || timeoutMs > 120_000) {
    throw inputError(`--timeout: "${flags.timeout}" is not a number of milliseconds from 1 to 120000`, 'Auth0 waits 30000 ms; that is the default');
  }
  const secretInput = await secretFromFlags(flags, ctx.io);
  for (const warning of secretInput.warnings) output.warn(warning);
  if (isGenerated(secretInput)) throw inputError('--generate-secret makes no sense for a test: the gateway would not know it', 'pass the secret your gateway has, with --secret-env or --secret-file');

  // From the connection when one is named or no URL was given; flags override it either way.
  let base: ReturnType<typeof settingsOfConnection> = {};
  let source = 'flags';
  if (connectionRef !== undefined || flags.gatewayUrl === undefined) {
    const api = await ctx.auth0();
    const connection = await resolveSmsConnection(ctx, api, connectionRef);
    // Where its codes really go decides what there is to test (as `status` says it).
    const unifiedPhone = await unifiedPhoneForClaims(api, output, [connection]);
    const route = routeOf(connection.options, unifiedPhone);
    const hasGateway = connection.options?.provider === 'sms_gateway';
    if (route === 'gateway' && unifiedPhone !== false) {
      output.warn(`${untrusted(connection.name)}: ${describeRoute(route, unifiedPhone)}; this tests its gateway as Auth0 calls it when it does`);
    } else if (route === 'phone-provider' && hasGateway) {
      output.warn(`${untrusted(connection.name)} sends its codes through the tenant's phone provider (see \`auth0-sms-gateway status\`): this tests the gateway in its options, which Auth0 does not use on this tenant`);
    } else if (route === 'phone-provider' && flags.gatewayUrl === undefined) {
      throw inputError(
        `${untrusted(connection.name)} sends its codes through the tenant's phone provider, not through a gateway in its options; there is no gateway of its own to test`,
        'test the phone provider with `auth0-sms-gateway phone-provider test --to …`, or pass --gateway-url',
      );
    } else if (route !== 'phone-provider' && !hasGateway && flags.gatewayUrl === undefined) {
      // Twilio is a claim only where the tenant is known not to be on the Unified Phone Experience (as status says it).
      const where =
        route === 'twilio'
          ? unifiedPhone === false
            ? 'still sends codes through Twilio'
            : 'has Twilio in its options, not a gateway (whether Auth0 uses them or the phone provider depends on when the connection was made: see `auth0-sms-gateway status`)'
          : 'has no gateway in its options (whether its codes go through the phone provider is unknown: see `auth0-sms-gateway status`)';
      const configure = `configure it (auth0-sms-gateway configure ${shellQuote(untrusted(connection.name))} --gateway-url …)`;
      throw inputError(
        `${untrusted(connection.name)} ${where}; there is no gateway to test`,
        unifiedPhone === false ? `${configure} first, or pass --gateway-url` : `${configure}, test the phone provider (auth0-sms-gateway phone-provider test --to …), or pass --gateway-url`,
      );
    }
    base = settingsOfConnection(connection);
    source = `connection ${untrusted(connection.name)}`;
  }
  const settings = overlayGatewayFlags(base, flags, secretInput.secret);
  if (settings.authentication !== null && flags.dryRun !== true) {
    // The connection's own secret signs the token: sent anywhere but its gateway_url, it hands a
    // valid credential for the real gateway to whoever runs that URL.
    const connectionSecret = secretInput.secret === undefined && base.authentication !== null && base.authentication !== undefined;
    if (connectionSecret && flags.gatewayUrl !== undefined && flags.gatewayUrl !== base.gatewayUrl) {
      await confirmOrThrow(ctx, `Sign the test token with the connection's gateway secret and send it to ${untrusted(flags.gatewayUrl)}, which is not its gateway_url?`, {
        what: "sending a token signed with the connection's gateway secret to a URL that is not its gateway_url",
        hint: 'pass --yes if that URL is yours, or give the secret for it (--secret-env, --secret-file)',
      });
    }
    if (settings.gatewayUrl.toLowerCase().startsWith('http://')) {
      output.warn(`the bearer token crosses the network in clear over http://; use it only for a gateway on this machine`);
    }
  }
  return reportGatewayTest(ctx, settings, { to: flags.to, code: flags.code, ip: flags.ip, userAgent: flags.userAgent, timeoutMs, dryRun: flags.dryRun === true }, source);
});
