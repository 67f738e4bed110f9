import * as z from 'zod';
import { inputError } from '../core/errors.js';
import { desiredSettingsSchemaFor, issueLines, type DesiredSettings } from '../core/validate.js';
import type { Io } from '../ui/output.js';
import { checkGeneratedSecretDestination, readSecretInput, type SecretInput } from './secret-input.js';

/*
 * Commander collects strings; these schemas give them types (docs/architecture.md, "Habits"). Every
 * command parses its options with its own strict schema, so a flag renamed in cli.ts but not
 * here fails every run of that command (and the argv table test) instead of silently reading
 * `undefined`.
 */

const text = z.string();
const flag = z.boolean();

/** How the gateway authenticates Auth0: configure, test-gateway, serve, phone-provider. */
export const authFlagsShape = {
  auth: z.enum(['none', 'bearer']).optional(),
  subject: text.optional(),
  audience: text.optional(),
  secretEnv: text.optional(),
  secretFile: text.optional(),
  generateSecret: flag.optional(),
  secretOut: text.optional(),
  secret: text.optional(),
  secretBase64Encoded: flag.optional(),
};

/** The gateway settings flags of configure, test-gateway and the wizard. */
export const settingsFlagsShape = {
  ...authFlagsShape,
  gatewayUrl: text.optional(),
  forwardReqInfo: flag.optional(),
  from: text.optional(),
  template: text.optional(),
};

/** Commands that write: configure, restore, apply, wizard, phone-provider configure. */
export const writeFlagsShape = {
  dryRun: flag.optional(),
  backupDir: text.optional(),
  /** commander's --no-backup: true unless --no-backup is given. */
  backup: flag,
};

const settingsFlagsSchema = z.strictObject({ ...settingsFlagsShape, keepTwilio: flag.optional() });
export type SettingsFlags = z.output<typeof settingsFlagsSchema>;
const writeFlagsSchema = z.strictObject(writeFlagsShape);
export type WriteFlags = z.output<typeof writeFlagsSchema>;

export { flagName, parseFlags } from './parse-flags.js';

/** The desired-settings schema's field paths, as the flags a person typed. */
const FLAG_OF: Record<string, string> = {
  gatewayUrl: '--gateway-url',
  authentication: '--auth',
  'authentication.method': '--auth',
  'authentication.subject': '--subject',
  'authentication.audience': '--audience',
  'authentication.secret': 'the secret',
  'authentication.secretBase64Encoded': '--secret-base64-encoded',
  forwardReqInfo: '--forward-req-info',
  from: '--from',
  template: '--template',
  keepTwilio: '--keep-twilio',
};

function settingLabel(path: readonly PropertyKey[]): string {
  const key = path.map(String).join('.');
  return FLAG_OF[key] ?? key;
}

/**
 * The authentication the flags ask for: --auth, or bearer when any bearer setting is given;
 * undefined when they say nothing. --auth none with bearer settings is a contradiction.
 */
export function authMethodFromFlags(flags: SettingsFlags, secret: string | undefined): 'none' | 'bearer' | undefined {
  const bearerFlagsGiven = flags.subject !== undefined || flags.audience !== undefined || secret !== undefined || flags.secretBase64Encoded !== undefined;
  if (flags.auth === 'none' && bearerFlagsGiven) {
    throw inputError('--auth none takes no --subject, --audience, secret or --secret-base64-encoded', 'drop those flags, or use --auth bearer');
  }
  if (flags.auth === 'none' || flags.auth === 'bearer') return flags.auth;
  return bearerFlagsGiven ? 'bearer' : undefined;
}

/**
 * Flags → DesiredSettings, validated before any request. `syntax` is the connection's template
 * syntax when known ('any' before the connection is read).
 */
export function desiredFromFlags(flags: SettingsFlags, secretInput: Pick<SecretInput, 'secret' | 'source'>, syntax: string | null | undefined | 'any' = 'any'): DesiredSettings {
  const { secret } = secretInput;
  const method = authMethodFromFlags(flags, secret);
  // The default variable only fills a secret the target lacks (core/bearer.ts, fallbackSecret).
  const secretKey = secretInput.source?.kind === 'default-env' ? 'fallbackSecret' : 'secret';
  const raw: Record<string, unknown> = {
    gatewayUrl: flags.gatewayUrl,
    authentication:
      method === undefined
        ? undefined
        : method === 'bearer'
          ? { method, subject: flags.subject, audience: flags.audience, [secretKey]: secret, secretBase64Encoded: flags.secretBase64Encoded }
          : { method },
    forwardReqInfo: flags.forwardReqInfo,
    from: flags.from,
    template: flags.template,
    keepTwilio: flags.keepTwilio,
  };
  const result = desiredSettingsSchemaFor(syntax).safeParse(dropUndefined(raw));
  if (!result.success) throw inputError(issueLines(result.error.issues, settingLabel).join('; '));
  return result.data;
}

function dropUndefined(value: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    if (v === undefined) continue;
    out[k] = v !== null && typeof v === 'object' && !Array.isArray(v) ? dropUndefined(v as Record<string, unknown>) : v;
  }
  return out;
}

/**
 * Reads the secret (one source) and checks where a generated one will go; no request yet.
 * `defaultEnvCounts`: serve runs with the secret in AUTH0_SMS_GATEWAY_SECRET (it has no
 * connection to keep a secret from); for the commands that write, a variable lingering in a
 * shell must not switch a connection to bearer authentication, or rotate its secret, when the
 * command asked for neither.
 */
export async function secretFromFlags(flags: SettingsFlags, io: Io, { defaultEnvCounts = false } = {}): Promise<SecretInput> {
  const input = await readSecretInput(flags, io);
  checkGeneratedSecretDestination(flags, io);
  const bearerAsked = flags.auth === 'bearer' || flags.audience !== undefined || flags.subject !== undefined || flags.secretBase64Encoded !== undefined;
  if (input.source?.kind === 'default-env' && !bearerAsked && !defaultEnvCounts) return { secret: undefined, source: undefined, warnings: input.warnings };
  return input;
}
