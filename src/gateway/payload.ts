import { GatewayVerificationError } from './errors.js';
import { invalid, typeName } from './type-name.js';

// Written by hand rather than with zod so that the library entry carries no schema library
// (importing it should cost about as much as an empty module). The rules and the messages are
// the ones a zod `looseObject` schema gave; test/gateway/payload.test.ts checks both against
// that schema on generated inputs.

/** IP and User-Agent of the `/passwordless/start` caller, sent with `forward_req_info`. */
export interface GatewayRequestInfo {
  ip: string;
  'user-agent': string;
  [key: string]: unknown;
}

/**
 * The JSON body Auth0 POSTs to `gateway_url`: `{ recipient, body, sender }`, plus
 * `req: { ip, user-agent }` of the `/passwordless/start` caller when the connection has
 * `forward_req_info`
 * (https://auth0.com/docs/authenticate/passwordless/authentication-methods/use-sms-gateway-passwordless).
 */
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

const EXPECTED = 'Auth0 sends a JSON object { "recipient", "body", "sender" } (plus "req" with forward_req_info)';

/**
 * Parses a request body: the object a framework already parsed, or the raw JSON as a string,
 * Buffer or Uint8Array. Throws `GatewayVerificationError` with code `malformed_payload`.
 *
 * Lenient on purpose: a 400 here means a user gets no code. Unknown keys pass through
 * (Auth0 may add fields), `sender` defaults to "" because a connection without `from` has
 * nothing to send (JSON serialisation drops an undefined key), and the forwarded request
 * info defaults to "" because a caller may send no User-Agent.
 */
export function parseGatewayPayload(body: unknown): GatewayPayload {
  try {
    return parseBody(body);
  } catch (error) {
    if (error instanceof GatewayVerificationError) throw error;
    // A getter or a Proxy that throws while the body is read: no payload Auth0 sends.
    throw unreadableBody();
  }
}

/** @internal The error for a body that throws when it is read. */
export const unreadableBody = (): GatewayVerificationError =>
  new GatewayVerificationError('malformed_payload', `malformed payload: the body could not be read; ${EXPECTED}`);

function parseBody(body: unknown): GatewayPayload {
  let value: unknown = body;
  // The raw bytes as a Fetch API or Node framework hands them over: an ArrayBuffer
  // (`await request.arrayBuffer()`), a Buffer or any other view of bytes.
  const bytes = body instanceof ArrayBuffer ? Buffer.from(body) : ArrayBuffer.isView(body) ? Buffer.from(body.buffer, body.byteOffset, body.byteLength) : undefined;
  if (bytes !== undefined) {
    value = parseJsonText(bytes.toString('utf8'));
  } else if (typeof body === 'string') {
    value = parseJsonText(body);
  } else if (isObject(value) && isUnreadBody(value)) {
    // A Blob, a Request, a stream, URLSearchParams…: not the body's bytes nor its parsed JSON.
    throw new GatewayVerificationError('malformed_payload', `malformed payload: the body is a ${typeName(value)}; pass the raw body (a string, Buffer, Uint8Array or ArrayBuffer) or the object JSON.parse made of it`);
  }
  if (value === null || value === undefined) {
    throw new GatewayVerificationError('malformed_payload', `malformed payload: there is no body; ${EXPECTED}`);
  }
  const problems: string[] = [];
  const payload = readPayload(value, problems);
  if (payload === undefined || problems.length > 0) {
    throw new GatewayVerificationError('malformed_payload', `malformed payload: ${problems.join('; ')}; ${EXPECTED}`);
  }
  return payload;
}

/** A body not yet read (a Blob, Request or Response, a stream) or form data: what a handler passes by mistake for the body. */
function isUnreadBody(value: Loose): boolean {
  return (
    typeof value.arrayBuffer === 'function' ||
    typeof value.getReader === 'function' ||
    (typeof URLSearchParams === 'function' && value instanceof URLSearchParams) ||
    (typeof FormData === 'function' && value instanceof FormData)
  );
}

function parseJsonText(raw: string): unknown {
  const text = raw.charCodeAt(0) === 0xfeff ? raw.slice(1) : raw;
  if (text.trim() === '') throw new GatewayVerificationError('malformed_payload', `malformed payload: the body is empty; ${EXPECTED}`);
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new GatewayVerificationError('malformed_payload', `malformed payload: the body is not JSON; ${EXPECTED}`);
  }
}

type Loose = Record<string, unknown>;

const isObject = (value: unknown): value is Loose => typeof value === 'object' && value !== null && !Array.isArray(value);


/**
 * How deep an unknown key's value may nest. Auth0's payload is two levels deep; a value nested
 * thousands deep (a few KB of brackets) is no message, and would overflow the stack of a gateway
 * that logs or forwards the payload with JSON.stringify (`serve --json` does).
 */
const MAX_PAYLOAD_DEPTH = 32;

/** Whether `value` holds objects or arrays more than `limit` levels deep; walked without recursion. */
function nestedDeeperThan(value: unknown, limit: number): boolean {
  const stack: [unknown, number][] = [[value, 1]];
  for (let next = stack.pop(); next !== undefined; next = stack.pop()) {
    const [node, depth] = next;
    if (typeof node !== 'object' || node === null) continue;
    if (depth > limit) return true;
    for (const child of Object.values(node)) if (typeof child === 'object' && child !== null) stack.push([child, depth + 1]);
  }
  return false;
}

/**
 * Copies the keys a schema does not name, as given; `__proto__` is skipped so that no payload
 * can set an object's prototype. `depth` is how deep `input` itself sits (1 for the payload).
 */
function copyUnknownKeys(input: Loose, out: Loose, known: ReadonlySet<string>, at: { prefix: string; depth: number; problems: string[] }): void {
  // for...in, like a schema library's catch-all: inherited enumerable keys count too.
  for (const key in input) {
    if (known.has(key) || key === '__proto__') continue;
    const value = input[key];
    if (typeof value === 'object' && value !== null && nestedDeeperThan(value, MAX_PAYLOAD_DEPTH - at.depth)) {
      at.problems.push(`${at.prefix}${key}: nested more than ${MAX_PAYLOAD_DEPTH} levels deep`);
    }
    out[key] = value;
  }
}

const PAYLOAD_KEYS: ReadonlySet<string> = new Set(['recipient', 'body', 'sender', 'req']);
const REQ_KEYS: ReadonlySet<string> = new Set(['ip', 'user-agent']);

/** Known keys first, in this order, then the unknown ones: the output has a stable shape. */
function readPayload(input: unknown, problems: string[]): GatewayPayload | undefined {
  if (!isObject(input)) {
    problems.push(`(body): ${invalid('object', input)}`);
    return undefined;
  }
  const out: Loose = {};
  const { recipient, body, sender } = input;
  if (typeof recipient !== 'string') problems.push(`recipient: ${invalid('string', recipient)}`);
  // The length rule is checked on anything that has a length, so `[]` is both "not a string"
  // and "empty", as the schema this replaced reported it.
  const length = recipient === null || recipient === undefined ? undefined : (recipient as { length?: unknown }).length;
  if (length !== undefined && !((length as number) >= 1)) problems.push('recipient: must be a non-empty phone number');
  out.recipient = recipient;
  if (typeof body !== 'string') problems.push(`body: ${invalid('string', body)}`);
  out.body = body;
  if (sender !== undefined && typeof sender !== 'string') problems.push(`sender: ${invalid('string', sender)}`);
  out.sender = sender ?? '';
  if ('req' in input) {
    const req = input.req;
    if (req === undefined) out.req = undefined;
    else if (!isObject(req)) problems.push(`req: ${invalid('object', req)}`);
    else out.req = readRequestInfo(req, problems);
  }
  copyUnknownKeys(input, out, PAYLOAD_KEYS, { prefix: '', depth: 1, problems });
  return out as GatewayPayload;
}

function readRequestInfo(input: Loose, problems: string[]): GatewayRequestInfo {
  const out: Loose = {};
  for (const key of REQ_KEYS) {
    const value = input[key];
    if (value !== undefined && typeof value !== 'string') problems.push(`req.${key}: ${invalid('string', value)}`);
    out[key] = value ?? '';
  }
  copyUnknownKeys(input, out, REQ_KEYS, { prefix: 'req.', depth: 2, problems });
  return out as GatewayRequestInfo;
}
