import type { Command } from 'commander';
import { resolveCredentials } from '../auth0/credentials.js';
import { inputError } from '../core/errors.js';
import type { ConnectionsApi } from '../auth0/client.js';
import { canPrompt, decideColor, Output, type Io } from '../ui/output.js';

/** The global options of the contract, as commander hands them to every action. */
export interface GlobalOptions {
  domain?: string;
  clientId?: string;
  clientSecret?: string;
  token?: string;
  json: boolean;
  color: boolean;
  yes: boolean;
  verbose: boolean;
}

/** What every command gets: where to write, whether a person is there, how to reach Auth0. */
export interface CommandContext {
  io: Io;
  output: Output;
  globals: GlobalOptions;
  /** stdin and stderr are terminals, CI is unset and --json was not given. */
  interactive: boolean;
  /** Resolves credentials (flags > environment) and opens the Management API client. */
  auth0(): Promise<ConnectionsApi>;
}

export function globalsOf(command: Command): GlobalOptions {
  const all = command.optsWithGlobals<Partial<GlobalOptions>>();
  return {
    ...(all.domain === undefined ? {} : { domain: all.domain }),
    ...(all.clientId === undefined ? {} : { clientId: all.clientId }),
    ...(all.clientSecret === undefined ? {} : { clientSecret: all.clientSecret }),
    ...(all.token === undefined ? {} : { token: all.token }),
    json: all.json === true,
    color: all.color !== false,
    yes: all.yes === true,
    verbose: all.verbose === true,
  };
}

/** Tuning knobs for slow or busy tenants (documented in the README); bad values are input errors. */
function numberFromEnv(env: NodeJS.ProcessEnv, name: string, min: number, max: number): number | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw inputError(`${name}="${raw}" is not a whole number from ${min} to ${max}`, `set ${name} to a whole number from ${min} to ${max}, or unset it`);
  }
  return value;
}

export function createContext(io: Io, globals: GlobalOptions): CommandContext {
  const output = new Output(io, {
    json: globals.json,
    verbose: globals.verbose,
    color: decideColor({ json: globals.json, colorFlag: globals.color, env: io.env, stdoutIsTTY: io.stdout.isTTY === true }),
  });
  // The prompt library decides its colours from the environment when it loads (after this,
  // with the command): --no-color and a piped stdout must reach it too.
  if (!output.color && io.env === process.env) process.env.NO_COLOR ??= '1';
  let api: Promise<ConnectionsApi> | undefined;
  return {
    io,
    output,
    globals,
    interactive: canPrompt(io, globals.json),
    auth0() {
      api ??= (async () => {
        const { credentials, warnings } = resolveCredentials(globals, io.env);
        for (const warning of warnings) output.warn(warning);
        const { connectToAuth0 } = await import('../auth0/client.js');
        return connectToAuth0(credentials, {
          tracer: output,
          maxRetries: numberFromEnv(io.env, 'AUTH0_SMS_GATEWAY_MAX_RETRIES', 0, 10),
          timeoutSeconds: numberFromEnv(io.env, 'AUTH0_SMS_GATEWAY_HTTP_TIMEOUT', 1, 300),
        });
      })();
      return api;
    },
  };
}
