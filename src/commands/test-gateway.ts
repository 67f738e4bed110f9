import { CliError, ExitCode, inputError } from '../core/errors.js';
import { recipientSchema } from '../core/validate.js';
import { sendTestMessage, AUTH0_GATEWAY_TIMEOUT_MS } from '../gateway/client.js';
import type { CommandContext } from './context.js';
import { overlayGatewayFlags, settingsOfConnection } from './gateway-settings.js';
import { secretFromFlags, type SettingsFlags } from './settings-flags.js';
import { resolveSmsConnection } from './target.js';

export interface TestGatewayFlags extends SettingsFlags {
  to?: string | undefined;
  code?: string | undefined;
  ip?: string | undefined;
  userAgent?: string | undefined;
  timeout?: string | undefined;
  dryRun?: boolean | undefined;
}

/** Sends the gateway exactly what Auth0 sends, and judges the answer as Auth0 does. */
export async function runTestGateway(ctx: CommandContext, ref: string | undefined, flags: TestGatewayFlags): Promise<number> {
  const { output } = ctx;
  if (flags.to === undefined) throw inputError('--to <phone> is required: the number the gateway should text', 'e.g. --to "+15551234567"');
  const to = recipientSchema.safeParse(flags.to);
  if (!to.success) throw inputError(`--to: "${flags.to}" is not ${to.error.issues[0]?.message ?? 'a phone number'}`, 'e.g. --to "+15551234567"');
  if (flags.code !== undefined && !/^[0-9A-Za-z]{1,16}$/.test(flags.code)) throw inputError('--code: use 1 to 16 letters or digits', 'e.g. --code 123456');
  const timeoutMs = flags.timeout === undefined ? AUTH0_GATEWAY_TIMEOUT_MS : Number(flags.timeout);
  if (!Number.isInteger(timeoutMs) || timeoutMs < 1 || timeoutMs > 120_000) {
    throw inputError(`--timeout: "${flags.timeout}" is not a number of milliseconds from 1 to 120000`, 'Auth0 waits 30000 ms; that is the default');
  }
  const secretInput = await secretFromFlags(flags, ctx.io);
  for (const warning of secretInput.warnings) output.warn(warning);
  if (secretInput.generated) throw inputError('--generate-secret makes no sense for a test: the gateway would not know it', 'pass the secret your gateway has, with --secret-env or --secret-file');

  // From the connection when one is named or no URL was given; flags override it either way.
  let base = {};
  let source = 'flags';
  if (ref !== undefined || flags.gatewayUrl === undefined) {
    const api = await ctx.auth0();
    const connection = await resolveSmsConnection(ctx, api, ref);
    if (connection.options?.provider !== 'sms_gateway' && flags.gatewayUrl === undefined) {
      throw inputError(`${connection.name} still sends codes through Twilio; there is no gateway to test`, `configure it first (auth0-sms-gateway configure ${connection.name} --gateway-url …), or pass --gateway-url`);
    }
    base = settingsOfConnection(connection);
    source = `connection ${connection.name}`;
  }
  const settings = overlayGatewayFlags(base, flags, secretInput.secret);
  output.info(`${flags.dryRun === true ? 'The request Auth0 would send to' : 'Calling'} ${settings.gatewayUrl}${flags.dryRun === true ? '' : ' as Auth0 would'} (settings from ${source}${settings.authentication ? ', bearer JWT' : ', no authentication'}).`);

  const result = await sendTestMessage(settings, {
    to: flags.to,
    code: flags.code,
    ip: flags.ip,
    userAgent: flags.userAgent,
    timeoutMs,
    dryRun: flags.dryRun === true,
  });

  if (output.json) {
    output.printJson(
      result.dryRun
        ? { url: result.url, status: null, ms: 0, ok: false, auth0Error: null, dryRun: true, request: result.request }
        : { url: result.url, status: result.status, ms: result.ms, ok: result.ok, auth0Error: result.auth0Error, hint: result.hint },
    );
  } else if (result.dryRun) {
    const headers = Object.entries(result.request.headers).map(([k, v]) => `${k}: ${v}`);
    output.data([`POST ${result.request.url}`, ...headers, '', JSON.stringify(result.request.body, null, 2)].join('\n'));
  } else {
    const { style } = output;
    output.data(
      [
        `${style.bold('status')}   ${result.status ?? 'no answer'}`,
        `${style.bold('latency')}  ${result.ms} ms`,
        `${style.bold('auth0')}    ${result.ok ? style.green('delivered: Auth0 counts only HTTP 200 as success') : style.red(result.auth0Error ?? 'failed')}`,
        ...(result.responseBody ? [`${style.bold('body')}     ${result.responseBody}`] : []),
      ].join('\n'),
    );
  }
  if (result.dryRun) {
    output.info('Dry run: nothing was sent.');
    return ExitCode.ok;
  }
  if (!result.ok) {
    if (output.json) return ExitCode.remote;
    throw new CliError(ExitCode.remote, `the gateway test failed: ${result.auth0Error ?? `HTTP ${String(result.status)}`}`, { hint: result.hint ?? undefined });
  }
  return ExitCode.ok;
}
