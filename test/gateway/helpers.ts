import { createHmac } from 'node:crypto';

export const b64url = (value: string | Buffer): string => Buffer.from(value).toString('base64url');

/** A compact JWS made by hand, so tests do not trust the library under test to build it. */
export function handToken(header: Record<string, unknown>, claims: Record<string, unknown>, key: Buffer | null, hash = 'sha256'): string {
  const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}`;
  if (key === null) return `${input}.`;
  return `${input}.${createHmac(hash, key).update(input).digest('base64url')}`;
}

/** Replaces one character in the middle of a token segment with another base64url character. */
export function flipChar(token: string, segment: number): string {
  const parts = token.split('.');
  const part = parts[segment] ?? '';
  const i = Math.floor(part.length / 2);
  const replacement = part[i] === 'A' ? 'B' : 'A';
  parts[segment] = part.slice(0, i) + replacement + part.slice(i + 1);
  return parts.join('.');
}
