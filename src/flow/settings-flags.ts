import type { z } from 'zod';
import { inputError } from '../core/errors.js';
import { desiredSettingsSchemaFor, type DesiredSettings } from '../core/validate.js';
import { checkGeneratedSecretDestination, readSecretInput, SECRET_ENV_DEFAULT, type SecretFlags, type SecretInput } from './secret-input.js';
import type { Io } from '../ui/output.js';

/** The gateway-settings flags shared by configure, test-gateway, serve and the wizard. */
export interface SettingsFlags extends SecretFlags {
  gatewayUrl?: string | undefined;
  auth?: string | undefined;
  subject?: string | undefined;
  audience?: string | undefined;
  secretBase64Encoded?: boolean | undefined;
  forwardReqInfo?: boolean | undefined;
  from?: string | undefined;
  template?: string | undefined;
  keepTwilio?: boolean | undefined;
}

/** The schema's field paths, as the flags a person typed. */
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

export function flagError(error: z.ZodError, hint?: string): never {
  const lines = error.issues.map((issue) => {
    const path = issue.path.map(String).join('.');
    return `${FLAG_OF[path] ?? path}: ${issue.message}`;
  });
  throw inputError(lines.join('; '), hint);
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
export function desiredFromFlags(flags: SettingsFlags, secret: string | undefined, syntax: string | null | undefined | 'any' = 'any'): DesiredSettings {
  const method = authMethodFromFlags(flags, secret);
  const raw: Record<string, unknown> = {
    gatewayUrl: flags.gatewayUrl,
    authentication:
      method === undefined
        ? undefined
        : method === 'bearer'
          ? { method, subject: flags.subject, audience: flags.audience, secret, secretBase64Encoded: flags.secretBase64Encoded }
          : { method },
    forwardReqInfo: flags.forwardReqInfo,
    from: flags.from,
    template: flags.template,
    keepTwilio: flags.keepTwilio,
  };
  const result = desiredSettingsSchemaFor(syntax).safeParse(dropUndefined(raw));
  if (!result.success) flagError(result.error);
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

/** Reads the secret (one source) and checks where a generated one will go; no request yet. */
export async function secretFromFlags(flags: SettingsFlags, io: Io): Promise<SecretInput> {
  const input = await readSecretInput(flags, io);
  checkGeneratedSecretDestination(flags, io);
  // AUTH0_SMS_GATEWAY_SECRET lingering in a shell must not switch a connection to bearer
  // authentication, or rotate its secret, when the command asked for neither.
  const bearerAsked = flags.auth === 'bearer' || flags.audience !== undefined || flags.subject !== undefined || flags.secretBase64Encoded !== undefined;
  if (input.source === `$${SECRET_ENV_DEFAULT}` && !bearerAsked) return { ...input, secret: undefined, source: undefined };
  return input;
}
