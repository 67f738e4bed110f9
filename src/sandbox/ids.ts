/** Identifiers shaped like Auth0's, and the timestamps its API returns. */
import { randomBytes, randomInt, randomUUID } from 'node:crypto';

const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

export function alphanumeric(length: number): string {
  let out = '';
  for (let i = 0; i < length; i += 1) out += ALPHANUMERIC[randomInt(ALPHANUMERIC.length)];
  return out;
}

/** Phone provider ids: `pro_` and 22 alphanumerics (e.g. `pro_6n3tVjusDnQuuf9f3S8L8Q` in go-auth0's recordings). */
export const PHONE_PROVIDER_ID = /^pro_[A-Za-z0-9]{22}$/;
export const phoneProviderId = (): string => `pro_${alphanumeric(22)}`;

/** Actions, their versions and bindings have UUIDs. */
export const uuid = (): string => randomUUID();

/** The `_id` of a /passwordless/start answer: 24 hex digits. */
export const hexId = (): string => randomBytes(12).toString('hex');

/** A numeric one-time code. */
export function otpCode(length = 6): string {
  let out = '';
  for (let i = 0; i < length; i += 1) out += String(randomInt(10));
  return out;
}

/** ISO 8601 with milliseconds, as the Management API writes times. */
export const now = (): string => new Date().toISOString();
