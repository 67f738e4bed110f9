import { inputError } from '../core/errors.js';
import { startGatewayServer, type GatewayServerVerifyOptions } from '../gateway/server.js';
import type { GatewayPayload } from '../gateway/payload.js';
import type { CommandContext } from './context.js';
import { resolveBearer } from './gateway-settings.js';
import { secretFromFlags, type SettingsFlags } from './settings-flags.js';

export interface ServeFlags extends SettingsFlags {
  port?: string | undefined;
  host?: string | undefined;
}

/**
 * A reference gateway for local development: verifies each request as a real gateway should
 * (verifyGatewayRequest), prints the message, answers 200 / 401 / 400 / 413. It sends no SMS.
 * Runs until SIGINT or SIGTERM (or `signal`, for the demo).
 */
export async function runServe(ctx: CommandContext, flags: ServeFlags, signal?: AbortSignal): Promise<number> {
  const { output } = ctx;
  const port = flags.port === undefined ? 8787 : Number(flags.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw inputError(`--port: "${flags.port}" is not a port number`, 'use 0 to 65535 (0 picks a free port)');
  const secretInput = await secretFromFlags(flags, ctx.io);
  for (const warning of secretInput.warnings) output.warn(warning);
  // The same rules as test-gateway's, with no connection behind them.
  const authentication = resolveBearer(null, flags, secretInput.secret);
  const verify: GatewayServerVerifyOptions | null =
    authentication === null
      ? null
      : { secret: authentication.secret, secretBase64Encoded: authentication.secretBase64Encoded, audience: authentication.audience, subject: authentication.subject };
  if (verify === null) output.warn('no secret given: accepting requests without a token (like a connection without gateway_authentication)');
  if (secretInput.generated) {
    const { deliverGeneratedSecret } = await import('./secret-input.js');
    output.info(deliverGeneratedSecret(secretInput.secret as string, flags, ctx.io));
  }

  const server = await startGatewayServer({
    host: flags.host ?? '127.0.0.1',
    port,
    verify,
    onMessage: (payload, meta) => printMessage(ctx, payload, meta.receivedAt),
    onRejected: (status, reason) => output.warn(`rejected a request with ${status}: ${reason}`),
  });
  output.info(`SMS gateway listening on ${server.url} (${verify ? `bearer JWT, aud ${verify.audience}` : 'no authentication'}). Ctrl-C stops it.`);

  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    signal?.addEventListener('abort', stop, { once: true });
  });
  await server.close();
  output.info('SMS gateway stopped.');
  return 0;
}

function printMessage(ctx: CommandContext, payload: GatewayPayload, at: Date): void {
  const { output } = ctx;
  if (output.json) {
    // One JSON object per line (JSON Lines): a server prints as messages arrive.
    ctx.io.stdout.write(`${JSON.stringify({ receivedAt: at.toISOString(), ...payload })}\n`);
    return;
  }
  // Everything a caller sends is printed JSON-escaped: no terminal control codes from the network.
  const q = (value: string) => JSON.stringify(value).slice(1, -1);
  const req = payload.req ? `  (ip ${q(payload.req.ip)}, user-agent ${q(payload.req['user-agent'])})` : '';
  output.data(`${at.toISOString()}  SMS to ${q(payload.recipient)} from ${payload.sender === '' ? '(no sender)' : q(payload.sender)}: ${JSON.stringify(payload.body)}${req}`);
}
