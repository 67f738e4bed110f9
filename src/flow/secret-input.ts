import { randomBytes } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { inputError } from '../core/errors.js';
import { CONTROL_CHARACTERS } from '../core/gateway-url.js';
import { registerSecret } from '../core/redact.js';
import type { Io } from '../ui/output.js';
import { INPUT_LIMITS, readBoundedFile, readBoundedStdin } from './read-input.js';

/** The flags through which a gateway signing secret can arrive (`configure --help`). */
export interface SecretFlags {
  secretEnv?: string | undefined;
  secretFile?: string | undefined;
  generateSecret?: boolean | undefined;
  secretOut?: string | undefined;
  secret?: string | undefined;
}

export const SECRET_ENV_DEFAULT = 'AUTH0_SMS_GATEWAY_SECRET';

/** Where a secret came from, for messages and for the commands the wizard prints; never the value. */
export type SecretSource =
  /** `--secret-env NAME`. */
  | { kind: 'env'; name: string }
  /** AUTH0_SMS_GATEWAY_SECRET, read because no flag named a source. */
  | { kind: 'default-env'; name: typeof SECRET_ENV_DEFAULT }
  | { kind: 'file'; path: string }
  | { kind: 'stdin' }
  | { kind: 'generated' }
  /** `--secret <value>`. */
  | { kind: 'flag' }
  /** Pasted at a wizard question. */
  | { kind: 'typed' };

export type SecretInput = { warnings: string[] } & ({ secret: undefined; source: undefined } | { secret: string; source: SecretSource });

/** The environment variable a secret was read from, if it was. */
export function secretEnvName(source: SecretSource | undefined): string | undefined {
  return source?.kind === 'env' || source?.kind === 'default-env' ? source.name : undefined;
}

/** A secret made by --generate-secret, which still has to be shown once or written out. */
export const isGenerated = (input: SecretInput): input is SecretInput & { secret: string } => input.source?.kind === 'generated';

/**
 * Reads the secret from exactly one source. Explicit flags win over AUTH0_SMS_GATEWAY_SECRET;
 * two explicit sources are an error rather than a silent choice.
 */
export async function readSecretInput(flags: SecretFlags, io: Io): Promise<SecretInput> {
  const explicit = [
    flags.secretEnv !== undefined && '--secret-env',
    flags.secretFile !== undefined && '--secret-file',
    flags.generateSecret === true && '--generate-secret',
    flags.secret !== undefined && '--secret',
  ].filter((x): x is string => typeof x === 'string');
  if (explicit.length > 1) {
    throw inputError(`choose one secret source, not ${explicit.join(' and ')}`, 'pass only one of --secret-env, --secret-file, --generate-secret, --secret');
  }
  if (flags.secretOut !== undefined && flags.generateSecret !== true) {
    throw inputError('--secret-out only goes with --generate-secret', 'add --generate-secret, or drop --secret-out');
  }
  const input = await readOneSource(flags, io);
  registerSecret(input.secret);
  if (input.secret !== undefined && CONTROL_CHARACTERS.test(input.secret)) {
    // Checked here, where every source passes, so that configure, test-gateway and serve agree.
    const trailing = /[\r\n]$/.test(input.secret) ? ' (a line break at its end counts)' : '';
    throw inputError(`the secret from ${sourceWords(input.source)} holds a control character or a line break${trailing}`, SECRET_CONTROL_HINT);
  }
  return input;
}

const SECRET_CONTROL_HINT = "remove it (printf '%s' adds no newline, echo does); the gateway must check tokens with the very same bytes";

function sourceWords(source: SecretSource): string {
  switch (source.kind) {
    case 'env':
    case 'default-env':
      return `the environment variable ${source.name}`;
    case 'file':
      return 'the file given to --secret-file';
    case 'stdin':
      return 'stdin';
    case 'flag':
      return '--secret';
    case 'generated':
    case 'typed':
      return 'the wizard';
  }
}

async function readOneSource(flags: SecretFlags, io: Io): Promise<SecretInput> {
  if (flags.secretEnv !== undefined) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(flags.secretEnv)) {
      // Never repeated: people pass the secret itself here by mistake.
      throw inputError('--secret-env takes the NAME of an environment variable (letters, digits, _), not the secret', 'e.g. --secret-env GATEWAY_SECRET, with GATEWAY_SECRET set in the environment');
    }
    const secret = io.env[flags.secretEnv];
    if (secret === undefined || secret === '') {
      // The name is repeated only when it reads as one (upper-case words joined by _, as
      // GATEWAY_SECRET): a secret passed here by mistake (hex, base64url) never looks like that.
      const named = /^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+$/.test(flags.secretEnv) && flags.secretEnv.length <= 64;
      throw inputError(
        named
          ? `the environment variable ${flags.secretEnv} (named for the secret by --secret-env, or at the wizard question) is not set or empty`
          : 'the environment variable named for the secret (--secret-env, or at the wizard question) is not set or empty',
        named ? `export ${flags.secretEnv}=… before running, or pick another secret source` : 'export it before running (e.g. export GATEWAY_SECRET=…), or pick another secret source',
      );
    }
    return { secret, source: { kind: 'env', name: flags.secretEnv }, warnings: [] };
  }
  if (flags.secretFile !== undefined) {
    const fromStdin = flags.secretFile === '-';
    const limits = { limit: INPUT_LIMITS.secret, what: fromStdin ? 'the secret from stdin' : 'the file given to --secret-file', hint: 'put the secret alone in the file, on one line' };
    const text = fromStdin
      ? await readBoundedStdin(io.stdin, {
          ...limits,
          whenTerminal: () => inputError('--secret-file - reads the secret from stdin, but stdin is a terminal', 'pipe it in: `printf %s "$SECRET" | auth0-sms-gateway … --secret-file -`'),
        })
      : // The path is not repeated in errors: people pass the secret itself here by mistake.
        await readBoundedFile(flags.secretFile, { ...limits, hint: 'check the path, or use --secret-file - to read stdin' });
    // A trailing newline from `echo` or an editor is not part of the secret.
    const secret = text.replace(/\r?\n$/, '');
    if (secret === '') throw inputError(`the secret from ${fromStdin ? 'stdin' : 'the file given to --secret-file'} is empty`, 'put the secret in the file, on one line');
    return { secret, source: fromStdin ? { kind: 'stdin' } : { kind: 'file', path: flags.secretFile }, warnings: [] };
  }
  if (flags.generateSecret === true) {
    // 32 random bytes, base64url: 256 bits, the HS256 key size, and safe in any config file.
    return { secret: randomBytes(32).toString('base64url'), source: { kind: 'generated' }, warnings: [] };
  }
  if (flags.secret !== undefined) {
    return {
      secret: flags.secret,
      source: { kind: 'flag' },
      warnings: ['--secret ends up in shell history and `ps`; prefer --secret-env, --secret-file or AUTH0_SMS_GATEWAY_SECRET'],
    };
  }
  const fallback = io.env[SECRET_ENV_DEFAULT];
  if (fallback !== undefined && fallback !== '') return { secret: fallback, source: { kind: 'default-env', name: SECRET_ENV_DEFAULT }, warnings: [] };
  return { secret: undefined, source: undefined, warnings: [] };
}

/** A secret a person pasted at a wizard question, registered for redaction like any other. */
export function typedSecret(value: string): SecretInput {
  registerSecret(value);
  return { secret: value, source: { kind: 'typed' }, warnings: [] };
}

/**
 * A generated secret is the one value this tool prints on purpose: once, on stderr, on a
 * terminal; or into a new 0600 file with --secret-out. Without a terminal and without
 * --secret-out it would be lost (or land in a CI log), so that is refused before any request.
 */
export function checkGeneratedSecretDestination(flags: SecretFlags, io: Io): void {
  if (flags.generateSecret === true && flags.secretOut === undefined && io.stderr.isTTY !== true) {
    throw inputError('--generate-secret without a terminal needs --secret-out <file>', 'add --secret-out ./gateway-secret (written with mode 0600) so the secret is not lost');
  }
  if (flags.secretOut !== undefined && !existsSync(dirname(resolve(flags.secretOut)))) {
    throw inputError(`the folder of --secret-out ${flags.secretOut} does not exist`, 'create it first, or pass a path in an existing folder');
  }
  if (flags.secretOut !== undefined && existsSync(flags.secretOut)) {
    throw inputError(`--secret-out ${flags.secretOut} already exists`, 'pass a new path (the tool never overwrites a secret); if it holds a secret an earlier run generated but did not apply, use --secret-file with it');
  }
}

/**
 * Writes or shows a generated secret once. `holder` is who must get it too: the gateway (a
 * connection or the Action signs with it), or the connection (`serve` is the gateway).
 */
export function deliverGeneratedSecret(secret: string, flags: SecretFlags, io: Io, holder: 'gateway' | 'connection' = 'gateway'): string {
  const giveIt = holder === 'gateway' ? "give it to your gateway" : 'configure the connection with it (--secret-file)';
  const storeIt = holder === 'gateway' ? "store it in your gateway's configuration now" : "configure the connection's gateway_authentication with it now";
  if (flags.secretOut !== undefined) {
    try {
      writeFileSync(flags.secretOut, `${secret}\n`, { mode: 0o600, flag: 'wx' });
    } catch (error) {
      throw inputError(`cannot write --secret-out ${flags.secretOut} (${(error as NodeJS.ErrnoException).code ?? 'error'})`, 'pass a path to a file that does not exist yet');
    }
    return `the generated secret was written to ${flags.secretOut} (mode 0600); ${giveIt}`;
  }
  // Deliberately not through Output (which redacts it): this is the one time it is shown.
  io.stderr.write(`\nGenerated gateway secret (shown once, ${storeIt}):\n\n  ${secret}\n\n`);
  return 'the generated secret was shown above, once';
}
