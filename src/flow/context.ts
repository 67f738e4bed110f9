import { resolveCredentials, type CredentialFlags } from '../auth0/credentials.js';
import type { ManagementApi } from '../auth0/client.js';
import { inputError } from '../core/errors.js';
import { canPrompt, Output, type Io } from '../ui/output.js';
import type { Prompter } from '../ui/prompts.js';
import { Interrupts } from './interrupt.js';

/** The global options of the command line, as every action receives them. */
export interface GlobalOptions extends CredentialFlags {
  json: boolean;
  color: boolean;
  yes: boolean;
  verbose: boolean;
}

/**
 * What every command gets: where to write, whether a person is there, how to ask them and how
 * to reach Auth0. Dependencies are values here (docs/architecture.md: core functions take their
 * dependencies), so a test or the wizard passes its own rather than editing the environment.
 */
export interface CommandContext {
  io: Io;
  output: Output;
  globals: GlobalOptions;
  /** stdin and stderr are terminals, CI is unset and --json was not given. */
  interactive: boolean;
  /** The questions a person can be asked; only called when `interactive`. */
  prompter(): Promise<Prompter>;
  /** Resolves credentials (typed > flags > environment) and opens the Management API client, once. */
  auth0(): Promise<ManagementApi>;
  /** The same run, reaching the tenant with credentials a person typed (they win and draw no warning). */
  withCredentials(typed: CredentialFlags): CommandContext;
  /**
   * The waits between the reads that settle a write whose answer was lost: AUTH0_SMS_GATEWAY_SETTLE_MS
   * (default 500) doubling four times, about 7.5 s in all.
   */
  settleWaitsMs: readonly number[];
  /** Ctrl-C and SIGTERM during a write: finish the request in flight, then stop (flow/interrupt.ts). */
  interrupts: Interrupts;
}

export interface ContextOptions {
  /** Default: the process's signals and exit. */
  interrupts?: Interrupts | undefined;
  /** Credentials typed in the wizard. */
  typed?: CredentialFlags | undefined;
  /** Default: the terminal prompter, loaded when first asked for. */
  prompter?: Prompter | undefined;
  /** Default: one built from `globals` (its colour decided once, in ui/output.ts). */
  output?: Output | undefined;
}

/** Tuning knobs for slow or busy tenants (documented in the README); bad values are input errors. */
export function numberFromEnv(env: NodeJS.ProcessEnv, name: string, min: number, max: number): number | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw inputError(`${name}="${raw}" is not a whole number from ${min} to ${max}`, `set ${name} to a whole number from ${min} to ${max}, or unset it`);
  }
  return value;
}

export function createContext(io: Io, globals: GlobalOptions, options: ContextOptions = {}): CommandContext {
  const output = options.output ?? Output.forRun(io, globals);
  let api: Promise<ManagementApi> | undefined;
  let prompter: Promise<Prompter> | undefined = options.prompter === undefined ? undefined : Promise.resolve(options.prompter);
  const firstWait = numberFromEnv(io.env, 'AUTH0_SMS_GATEWAY_SETTLE_MS', 1, 60_000) ?? 500;
  const ctx: CommandContext = {
    io,
    output,
    settleWaitsMs: [firstWait, firstWait * 2, firstWait * 4, firstWait * 8],
    interrupts:
      options.interrupts ??
      new Interrupts({
        signals: process,
        exit: (code) => process.exit(code),
        say: (text) => output.info(text),
        // The SDK's own timeout for a request, plus the reads that settle it.
        graceMs: ((numberFromEnv(io.env, 'AUTH0_SMS_GATEWAY_HTTP_TIMEOUT', 1, 300) ?? 30) + 10) * 1000,
      }),
    globals,
    interactive: canPrompt(io, globals.json),
    prompter() {
      prompter ??= import('../ui/prompts.js').then(({ terminalPrompter }) => terminalPrompter(io));
      return prompter;
    },
    auth0() {
      api ??= (async () => {
        const { credentials, warnings } = resolveCredentials(globals, io.env, options.typed);
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
    withCredentials(typed) {
      if (Object.values(typed).every((value) => value === undefined)) return ctx;
      return createContext(io, globals, { ...options, output, interrupts: ctx.interrupts, typed: { ...options.typed, ...typed }, ...(options.prompter === undefined ? {} : { prompter: options.prompter }) });
    },
  };
  return ctx;
}
