import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { inputError } from '../core/errors.js';
import { registerSecret } from '../core/redact.js';
import type { Io } from '../ui/output.js';

/** The flags through which a gateway signing secret can arrive (cli-contract, `configure`). */
export interface SecretFlags {
  secretEnv?: string | undefined;
  secretFile?: string | undefined;
  generateSecret?: boolean | undefined;
  secretOut?: string | undefined;
  secret?: string | undefined;
}

export const SECRET_ENV_DEFAULT = 'AUTH0_SMS_GATEWAY_SECRET';

export interface SecretInput {
  /** undefined: no secret given (keep the current one, if any). */
  secret: string | undefined;
  /** Where it came from, for messages; never the value. */
  source: string | undefined;
  /** A secret made by --generate-secret that still has to be shown once or written out. */
  generated: boolean;
  warnings: string[];
}

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
  const warnings: string[] = [];
  let secret: string | undefined;
  let source: string | undefined;
  let generated = false;

  if (flags.secretEnv !== undefined) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(flags.secretEnv)) {
      // Never repeated: people pass the secret itself here by mistake.
      throw inputError('--secret-env takes the NAME of an environment variable (letters, digits, _), not the secret', 'e.g. --secret-env GATEWAY_SECRET, with GATEWAY_SECRET set in the environment');
    }
    secret = io.env[flags.secretEnv];
    if (secret === undefined || secret === '') {
      // The name is not repeated either: a secret that looks like a name (hex, alphanumeric) would be.
      throw inputError('the environment variable named by --secret-env is not set or empty', 'export it before running (e.g. export GATEWAY_SECRET=…), or pick another secret source');
    }
    source = `$${flags.secretEnv}`;
  } else if (flags.secretFile !== undefined) {
    secret =
      flags.secretFile === '-'
        ? await readStdinText(io.stdin, () =>
            inputError('--secret-file - reads the secret from stdin, but stdin is a terminal', 'pipe it in: `printf %s "$SECRET" | auth0-sms-gateway … --secret-file -`'),
          )
        : readSecretFile(flags.secretFile);
    // A trailing newline from `echo` or an editor is not part of the secret.
    secret = secret.replace(/\r?\n$/, '');
    if (secret === '') throw inputError(`the secret from ${flags.secretFile === '-' ? 'stdin' : flags.secretFile} is empty`, 'put the secret in the file, on one line');
    source = flags.secretFile === '-' ? 'stdin' : flags.secretFile;
  } else if (flags.generateSecret === true) {
    // 32 random bytes, base64url: 256 bits, the HS256 key size, and safe in any config file.
    secret = randomBytes(32).toString('base64url');
    source = 'generated';
    generated = true;
  } else if (flags.secret !== undefined) {
    secret = flags.secret;
    source = '--secret';
    warnings.push('--secret ends up in shell history and `ps`; prefer --secret-env, --secret-file or AUTH0_SMS_GATEWAY_SECRET');
  } else if (io.env[SECRET_ENV_DEFAULT] !== undefined && io.env[SECRET_ENV_DEFAULT] !== '') {
    secret = io.env[SECRET_ENV_DEFAULT];
    source = `$${SECRET_ENV_DEFAULT}`;
  }
  registerSecret(secret);
  return { secret, source, generated, warnings };
}

function readSecretFile(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    // The path is not repeated: people pass the secret itself here by mistake.
    throw inputError(`cannot read the file given to --secret-file (${(error as NodeJS.ErrnoException).code ?? 'error'})`, 'check the path, or use --secret-file - to read stdin');
  }
}

/** All of stdin as text; `whenTerminal` is the error for a stdin that is a terminal (nothing piped in). */
export async function readStdinText(stream: NodeJS.ReadableStream & { isTTY?: boolean | undefined }, whenTerminal: () => Error): Promise<string> {
  if (stream.isTTY === true) throw whenTerminal();
  let text = '';
  for await (const chunk of stream) text += typeof chunk === 'string' ? chunk : (chunk as Buffer).toString('utf8');
  return text;
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

export function deliverGeneratedSecret(secret: string, flags: SecretFlags, io: Io): string {
  if (flags.secretOut !== undefined) {
    try {
      writeFileSync(flags.secretOut, `${secret}\n`, { mode: 0o600, flag: 'wx' });
    } catch (error) {
      throw inputError(`cannot write --secret-out ${flags.secretOut} (${(error as NodeJS.ErrnoException).code ?? 'error'})`, 'pass a path to a file that does not exist yet');
    }
    return `the generated secret was written to ${flags.secretOut} (mode 0600); give it to your gateway`;
  }
  // Deliberately not through Output (which redacts it): this is the one time it is shown.
  io.stderr.write(`\nGenerated gateway secret (shown once, store it in your gateway's configuration now):\n\n  ${secret}\n\n`);
  return 'the generated secret was shown above, once';
}
