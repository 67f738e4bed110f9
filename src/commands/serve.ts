import { isIP } from 'node:net';
import * as z from 'zod';
import { CliError, ExitCode, inputError } from '../core/errors.js';
import { isoTime } from '../core/iso-time.js';
import { untrusted } from '../core/untrusted.js';
import { startGatewayServer, type GatewayServerVerifyOptions } from '../gateway/server.js';
import type { GatewayPayload } from '../gateway/payload.js';
import { defineCommand } from '../flow/command.js';
import type { Output } from '../ui/output.js';
import { bearerFromFlags } from '../flow/gateway-settings.js';
import { deliverGeneratedSecret, isGenerated } from '../flow/secret-input.js';
import { authFlagsShape, secretFromFlags } from '../flow/settings-flags.js';

const flagsSchema = z.strictObject({ ...authFlagsShape, port: z.string().optional(), host: z.string().optional(), insecureOpen: z.boolean().optional() });

/** Whether a listening address only this machine can reach. */
function isLoopback(host: string): boolean {
  if (host === 'localhost') return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  return host === '::1' || host === '[::1]';
}

/**
 * A reference gateway for local development: verifies each request as a real gateway should
 * (verifyGatewayRequest), prints the message, answers 200 / 401 / 400 / 413. It sends no SMS.
 * Runs until SIGINT or SIGTERM.
 */
export const command = defineCommand(flagsSchema, async (ctx, flags) => {
  const { output } = ctx;
  const port = flags.port === undefined ? 8787 : Number(flags.port);
  if (!/^\d+$/.test(flags.port ?? '0') || !Number.isInteger(port) || port < 0 || port > 65535) {
    throw inputError(`--port: "${untrusted(flags.port)}" is not a port number`, 'use 0 to 65535 (0 picks a free port)');
  }
  const host = flags.host ?? '127.0.0.1';
  // serve has no connection whose secret a lingering AUTH0_SMS_GATEWAY_SECRET could rotate:
  // when it is set, it is the secret, and the gateway verifies with it; unless --auth none says
  // to take requests without a token.
  const secretInput = await secretFromFlags(flags, ctx.io, { defaultEnvCounts: flags.auth !== 'none' });
  for (const warning of secretInput.warnings) output.warn(warning);
  if (secretInput.source?.kind === 'default-env' && flags.audience === undefined && flags.auth === undefined) {
    // Left set by a shell (the demo's env files set it): say where bearer came from.
    throw inputError(
      'AUTH0_SMS_GATEWAY_SECRET is set, so the gateway checks bearer tokens, and that needs an audience: pass --audience',
      'pass --audience (the JWT `aud` claim to accept, e.g. urn:my-sms-gateway), or unset AUTH0_SMS_GATEWAY_SECRET to accept requests without a token',
    );
  }
  // The same rules as test-gateway's, with no connection behind them.
  const authentication = bearerFromFlags(null, flags, secretInput.secret);
  const verify: GatewayServerVerifyOptions | null =
    authentication === null
      ? null
      : { secret: authentication.secret, secretBase64Encoded: authentication.secretBase64Encoded, audience: authentication.audience, subject: authentication.subject };
  if (verify === null && !isLoopback(host) && flags.insecureOpen !== true) {
    throw inputError(
      `refusing to listen on ${untrusted(host)} without a secret: anyone who can reach it could have it "send" messages`,
      'pass --audience and a secret (--secret-env, --secret-file, or AUTH0_SMS_GATEWAY_SECRET), keep --host on loopback, or pass --insecure-open',
    );
  }
  if (verify === null) output.warn('no secret given: accepting requests without a token (like a connection without gateway_authentication)');
  if (isGenerated(secretInput)) output.info(deliverGeneratedSecret(secretInput.secret, flags, ctx.io, 'connection'));

  // Printing is this gateway's delivery: once stdout is gone (`serve | head`), it stops taking
  // requests rather than answer 200 for messages nobody can see.
  let lost: { lines: number; code: string } | undefined;
  const lossError = (): CliError | undefined => {
    if (lost === undefined) return undefined;
    const { lines, code } = lost;
    // Lines already in the pipe when its reader left are lost without a failed write: the count is a floor.
    const count = `at least ${lines} message${lines === 1 ? '' : 's'} answered 200 ${lines === 1 ? 'was' : 'were'} not shown`;
    return code === 'EPIPE'
      ? new CliError(ExitCode.remote, `stdout was closed (EPIPE): ${count}, and the gateway stopped`, {
          hint: 'keep the reader of its output open; to keep the messages, send stdout to a file (> messages.log)',
        })
      : new CliError(ExitCode.remote, `writing to stdout failed (${untrusted(code)}): ${count}, and the gateway stopped`, {
          hint: 'give it a stdout it can write to (a terminal, a pipe that is read, a file on a disk with room)',
        });
  };
  let requestStop = (): void => undefined;
  const stopRequested = new Promise<void>((resolve) => {
    requestStop = resolve;
  });
  const log = output.stdoutLines({
    onLost: (lines, error) => {
      lost = { lines: (lost?.lines ?? 0) + lines, code: lost?.code ?? (error as NodeJS.ErrnoException).code ?? error.message };
      requestStop();
    },
  });
  const server = await startGatewayServer({
    host,
    port,
    verify,
    onMessage: (payload, meta) => printMessage(output, log, payload, meta.receivedAt),
    onRejected: (status, reason) => output.warn(`rejected a request with ${status}: ${untrusted(reason)}`),
  });
  output.info(`SMS gateway listening on ${server.url} (${verify ? `bearer JWT, aud ${untrusted(verify.audience)}` : 'no authentication'}). Ctrl-C stops it.`);

  // Each set of signal handlers is in place before the one before it goes: with none, the OS
  // would end the process on a signal at once, with nothing said.
  const signals = (listener: () => void, then?: () => void): void => {
    process.on('SIGINT', listener);
    process.on('SIGTERM', listener);
    then?.();
  };
  const drop = (listener: () => void) => (): void => {
    process.off('SIGINT', listener);
    process.off('SIGTERM', listener);
  };
  signals(requestStop);
  await stopRequested;
  // A second signal while the connections close ends at once: the lines still waiting are
  // handed to stdout, and a loss already known is still the outcome.
  const now = () => {
    void log.flush();
    const error = lossError();
    if (error === undefined) process.exit(ExitCode.cancelled);
    output.error(error.message);
    if (error.hint !== undefined) output.hint(error.hint);
    process.exit(error.exitCode);
  };
  signals(now, drop(requestStop));
  try {
    await server.close();
    // Every write through, so that each lost one is counted below.
    await log.flush();
  } catch (error) {
    drop(now)();
    throw error;
  }
  const loss = lossError();
  if (loss !== undefined) {
    // The error is reported after this returns: a Ctrl-C meanwhile must not kill the process
    // before it is said (for a moment only, should stderr never drain).
    const ignore = (): void => undefined;
    signals(ignore, drop(now));
    setTimeout(drop(ignore), 2000).unref();
    throw loss;
  }
  drop(now)();
  output.info('SMS gateway stopped.');
  return 0;
}, { ownSignals: true });

function printMessage(output: Output, log: ReturnType<Output['stdoutLines']>, payload: GatewayPayload, at: Date): void {
  if (output.json) {
    // One JSON object per line (JSON Lines). What the caller sent is nested under `message`,
    // so no field of the request can pass for one of the server's own (`receivedAt`).
    log.line(JSON.stringify({ receivedAt: isoTime(at), message: payload }), { json: true });
    return;
  }
  // Everything a caller sends is outside text: rendered escaped, one line per message.
  const req = payload.req ? `  (ip ${untrusted(payload.req.ip)}, user-agent ${untrusted(payload.req['user-agent'])})` : '';
  log.line(`${isoTime(at)}  SMS to ${untrusted(payload.recipient)} from ${payload.sender === '' ? '(no sender)' : untrusted(payload.sender)}: ${untrusted(JSON.stringify(payload.body))}${req}`);
}
