import { CliError, ExitCode } from '../core/errors.js';
import type { Connection } from '../core/options.js';
import { sendTestMessage, type GatewayClientSettings, type SendTestMessageOptions } from '../gateway/client.js';
import type { CommandContext } from './context.js';
import { overlayGatewayFlags, settingsOfConnection } from './gateway-settings.js';
import { untrusted } from '../core/untrusted.js';

export type GatewayTestRequest = Pick<SendTestMessageOptions, 'to' | 'code' | 'ip' | 'userAgent' | 'timeoutMs' | 'dryRun'>;

/**
 * Sends the gateway exactly what Auth0 sends, prints what came back and Auth0's verdict, and
 * returns the exit code (0 only on HTTP 200). `source` says where the settings came from.
 * Shared by test-gateway, the wizard's test message and configure --test-to.
 */
export async function reportGatewayTest(ctx: CommandContext, settings: GatewayClientSettings, request: GatewayTestRequest, source: string): Promise<number> {
  const { output } = ctx;
  const dryRun = request.dryRun === true;
  output.info(`${dryRun ? 'The request Auth0 would send to' : 'Calling'} ${settings.gatewayUrl}${dryRun ? '' : ' as Auth0 would'} (settings from ${source}${settings.authentication ? ', bearer JWT' : ', no authentication'}).`);
  const result = await sendTestMessage(settings, request);

  if (output.json) {
    output.printJson(
      result.dryRun
        ? // Nothing was sent: no status, no time, and no verdict either way (a script reading
          // `.ok` must not take a dry run for a failed gateway, nor for a working one).
          { url: result.url, status: null, ms: null, ok: null, auth0Error: null, hint: null, dryRun: true, request: result.request }
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
        // The gateway's words: one line, escaped, so that no answer can drive the terminal or forge a line.
        ...(result.responseBody ? [`${style.bold('body')}     ${untrusted(result.responseBody)}`] : []),
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

/** A test message through the settings a connection holds, as Auth0 will use them (no flags, no environment). */
export async function testConnectionGateway(ctx: CommandContext, connection: Connection, to: string): Promise<number> {
  const settings = overlayGatewayFlags(settingsOfConnection(connection), {}, undefined);
  return reportGatewayTest(ctx, settings, { to }, `connection ${untrusted(connection.name)}`);
}
