import { inputError } from './errors.js';
import { HELD_SECRET_MIN_LENGTH } from './redact.js';
import { DEFAULT_SUBJECT, isBase64url } from './validate.js';

/** The JWT Auth0 signs for the gateway: `gateway_authentication` of a connection, in the tool's names. */
export interface BearerSettings {
  /** The `sub` claim; undefined only for a stored connection that has none (the token then carries no `sub`). */
  subject: string | undefined;
  audience: string;
  secret: string;
  secretBase64Encoded: boolean;
}

/** Bearer settings as a person asks for them: what is left out keeps the current value. */
export interface DesiredBearer {
  method: 'bearer';
  subject?: string | undefined;
  audience?: string | undefined;
  secret?: string | undefined;
  /**
   * A secret for a target that has none yet, never one that replaces the secret in place:
   * AUTH0_SMS_GATEWAY_SECRET lingering in a shell must not rotate a secret nobody asked to
   * change (naming it with --secret-env does).
   */
  fallbackSecret?: string | undefined;
  secretBase64Encoded?: boolean | undefined;
}

const nonEmptyString = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);

/** The bearer settings a connection's `gateway_authentication` holds, as far as it holds them. */
export function bearerOfOptions(auth: unknown): Partial<BearerSettings> | undefined {
  if (typeof auth !== 'object' || auth === null || Array.isArray(auth)) return undefined;
  const record = auth as Record<string, unknown>;
  const subject = nonEmptyString(record.subject);
  const audience = nonEmptyString(record.audience);
  const secret = nonEmptyString(record.secret);
  return {
    ...(subject === undefined ? {} : { subject }),
    ...(audience === undefined ? {} : { audience }),
    ...(secret === undefined ? {} : { secret }),
    secretBase64Encoded: record.secret_base64_encoded === true,
  };
}

/**
 * The one rule for bearer settings, used by configure's planner, test-gateway, serve and
 * phone-provider: the request over what is there, complete, or an input error naming the flag
 * to pass. Auth0 requires `audience` and `secret` in gateway_authentication and signs with
 * the secret's bytes, or its base64url-decoded bytes with `secret_base64_encoded`
 * (https://auth0.com/docs/authenticate/passwordless/authentication-methods/use-sms-gateway-passwordless).
 * `label` names what lacks a setting (a connection, or "the gateway").
 */
export function resolveBearer(current: Partial<BearerSettings> | undefined, desired: DesiredBearer, label: string): BearerSettings {
  const audience = desired.audience ?? current?.audience;
  if (audience === undefined) {
    throw inputError(`bearer authentication for ${label} needs an audience: pass --audience`, 'the audience is the JWT `aud` claim your gateway checks, e.g. --audience urn:my-sms-gateway');
  }
  const secret = desired.secret ?? current?.secret ?? desired.fallbackSecret;
  if (secret === undefined) {
    throw inputError(
      `bearer authentication for ${label} needs a signing secret: pass one with --secret-env/--secret-file/--generate-secret (or set AUTH0_SMS_GATEWAY_SECRET)`,
      '--generate-secret makes a strong one and shows it once',
    );
  }
  const secretBase64Encoded = desired.secretBase64Encoded ?? current?.secretBase64Encoded ?? false;
  // Checked whenever the pair is new; an unchanged pair is what Auth0 already signs with.
  const secretIsNew = desired.secret !== undefined || (current?.secret === undefined && desired.fallbackSecret !== undefined);
  if ((secretIsNew || desired.secretBase64Encoded !== undefined) && secretBase64Encoded && !isBase64url(secret)) {
    throw inputError(
      `${label}: the gateway secret is marked base64url-encoded (secret_base64_encoded) but is not base64url`,
      'pass a base64url secret (A-Z, a-z, 0-9, - and _, no padding), or turn base64 encoding off',
    );
  }
  return { subject: desired.subject ?? current?.subject ?? DEFAULT_SUBJECT, audience, secret, secretBase64Encoded };
}

/**
 * Refuses settings that carry the signing secret in clear: Auth0 stores and shows them, the
 * subject and audience travel in every token, the URL and texts in logs. (A copy-paste of the
 * wrong variable, or one secret used for everything.) The error never shows the secret.
 */
export function refuseSecretInSettings(secret: string | undefined, settings: Record<string, unknown>, label: string): void {
  for (const [name, value] of Object.entries(settings)) {
    if (holdsSecret(value, secret)) {
      throw inputError(`${label}: ${name} holds the gateway's signing secret, which would be stored and shown in clear`, `give ${name} its own value, and the secret only as the secret`);
    }
  }
}

/** Whether a setting's text holds the secret (the rule of refuseSecretInSettings; the apply file checks each entry with it too). */
export function holdsSecret(value: unknown, secret: string | undefined): boolean {
  if (secret === undefined || secret.length < HELD_SECRET_MIN_LENGTH || typeof value !== 'string') return false;
  // A template's own placeholders are not the secret, even a weak secret like "password".
  return value.replace(/@@password@@|\{\{-?\s*code\s*-?\}\}/g, '').includes(secret);
}
