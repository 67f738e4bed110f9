// A namespace import lets the bundler drop the parts of zod the library entry does not use
// (`import { z }` pulls in all of zod, locales included: ~450 KB against ~85 KB).
import * as z from 'zod';
import { GatewayVerificationError } from './errors.js';

/**
 * What Auth0 POSTs to `gateway_url` ("Send One-time Codes via Your Own SMS Gateway",
 * reference/auth0-doc-custom-sms-gateway.md; reference/auth0-api.md §2.3):
 * `{ recipient, body, sender }`, plus `req: { ip, user-agent }` of the `/passwordless/start`
 * caller when the connection has `forward_req_info`.
 *
 * Lenient on purpose: a 400 here means a user gets no code. Unknown keys pass through
 * (Auth0 may add fields), `sender` defaults to "" because a connection without `from` has
 * nothing to send (JSON serialisation drops an undefined key), and the forwarded request
 * info defaults to "" because a caller may send no User-Agent.
 */
export const gatewayRequestInfoSchema = z.looseObject({
  ip: z.string().default(''),
  'user-agent': z.string().default(''),
});

export const gatewayPayloadSchema = z.looseObject({
  recipient: z.string().min(1, 'must be a non-empty phone number'),
  body: z.string(),
  sender: z.string().default(''),
  req: gatewayRequestInfoSchema.optional(),
});

// Written out rather than z.infer'd so that the published declarations of the library entry do
// not need zod's types to describe a payload (zod is bundled, not a dependency).
/** IP and User-Agent of the `/passwordless/start` caller, sent with `forward_req_info`. */
export interface GatewayRequestInfo {
  ip: string;
  'user-agent': string;
  [key: string]: unknown;
}

/** The JSON body Auth0 POSTs to the gateway. */
export interface GatewayPayload {
  /** Phone number to text. */
  recipient: string;
  /** The rendered message, code included. */
  body: string;
  /** The connection's `from`, or "" when it has none. */
  sender: string;
  req?: GatewayRequestInfo | undefined;
  [key: string]: unknown;
}

// Compile-time proof that the interfaces and the schema describe the same thing.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const payloadTypesAgree: Same<z.infer<typeof gatewayPayloadSchema>, GatewayPayload> = true;
const requestInfoTypesAgree: Same<z.infer<typeof gatewayRequestInfoSchema>, GatewayRequestInfo> = true;
void payloadTypesAgree;
void requestInfoTypesAgree;

const EXPECTED = 'Auth0 sends a JSON object { "recipient", "body", "sender" } (plus "req" with forward_req_info)';

/**
 * Parses a request body: the object a framework already parsed, or the raw JSON as a string,
 * Buffer or Uint8Array. Throws `GatewayVerificationError` with code `malformed_payload`.
 */
export function parseGatewayPayload(body: unknown): GatewayPayload {
  let value: unknown = body;
  if (typeof body === 'string' || body instanceof Uint8Array) {
    const text = (typeof body === 'string' ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8')).replace(/^\uFEFF/, '');
    if (text.trim() === '') throw new GatewayVerificationError('malformed_payload', `malformed payload: the body is empty; ${EXPECTED}`);
    try {
      value = JSON.parse(text);
    } catch {
      throw new GatewayVerificationError('malformed_payload', `malformed payload: the body is not JSON; ${EXPECTED}`);
    }
  }
  if (value === null || value === undefined) {
    throw new GatewayVerificationError('malformed_payload', `malformed payload: there is no body; ${EXPECTED}`);
  }
  const parsed = gatewayPayloadSchema.safeParse(value);
  if (!parsed.success) {
    const problems = parsed.error.issues
      .map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : '(body)'}: ${issue.message}`)
      .join('; ');
    throw new GatewayVerificationError('malformed_payload', `malformed payload: ${problems}; ${EXPECTED}`);
  }
  return parsed.data;
}
