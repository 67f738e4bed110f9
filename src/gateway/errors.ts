/** Why a request that claims to come from Auth0 was refused. Stable: gateways may switch on it. */
export type GatewayVerificationErrorCode =
  | 'missing_bearer'
  | 'malformed_token'
  | 'wrong_algorithm'
  | 'bad_signature'
  | 'wrong_audience'
  | 'wrong_subject'
  | 'expired'
  | 'not_yet_valid'
  | 'malformed_payload';

/**
 * A request that did not pass verification. `message` says what failed and the likely fix;
 * it never contains the token or the secret, so a gateway may log it or send it back.
 * Every code but `malformed_payload` is an authentication failure (answer 401);
 * `malformed_payload` is a bad request (answer 400).
 */
/**
 * The package ships ESM and CommonJS builds, each with its own copy of these classes; a process
 * that loads both (an ESM gateway using a CommonJS helper) would see `instanceof` fail across
 * them. A brand in the global symbol registry makes `instanceof` hold for either copy.
 */
const VERIFICATION_BRAND = Symbol.for('auth0-sms-gateway.GatewayVerificationError');
const CONFIGURATION_BRAND = Symbol.for('auth0-sms-gateway.GatewayConfigurationError');
const branded = (value: unknown, brand: symbol): boolean => typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[brand] === true;
/**
 * The brand answers for the class itself only. A gateway's subclass (`class Replay extends
 * GatewayVerificationError`) inherits this static method, and must keep ordinary `instanceof`:
 * otherwise every error of the base class would pass for one of the subclass.
 */
function brandedOrInstance(target: unknown, base: unknown, value: unknown, brand: symbol): boolean {
  return target === base ? branded(value, brand) : (Function.prototype[Symbol.hasInstance] as (this: unknown, value: unknown) => boolean).call(target, value);
}

export class GatewayVerificationError extends Error {
  readonly code: GatewayVerificationErrorCode;

  static override [Symbol.hasInstance](value: unknown): boolean {
    return brandedOrInstance(this, GatewayVerificationError, value, VERIFICATION_BRAND);
  }

  constructor(code: GatewayVerificationErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'GatewayVerificationError';
    this.code = code;
    Object.defineProperty(this, VERIFICATION_BRAND, { value: true });
  }

  /** The HTTP status a gateway should answer with. */
  get status(): 400 | 401 {
    return this.code === 'malformed_payload' ? 400 : 401;
  }
}
// The bundler renames a class that refers to itself (`class _GatewayVerificationError`): the
// class keeps its own name for stack traces, console.log and constructor.name.
Object.defineProperty(GatewayVerificationError, 'name', { value: 'GatewayVerificationError' });

/** What is wrong with the options a gateway passed. Stable: tests and tools may switch on it. */
export type GatewayConfigurationErrorCode =
  /** `secret` is missing, not a string, or empty. */
  | 'empty_secret'
  /** `secretBase64Encoded` is true but `secret` is not base64url text that decodes to bytes. */
  | 'secret_not_base64url'
  /** `secretBase64Encoded` is given but is not a boolean (a string "false" would turn decoding on). */
  | 'invalid_secret_base64_encoded'
  /** `audience` is missing, not a string, or empty. */
  | 'empty_audience'
  /** `subject` is given but is not a string. */
  | 'invalid_subject'
  /** `clockToleranceSeconds` is not a number of seconds >= 0. */
  | 'invalid_clock_tolerance'
  /** `now` is not a valid Date. */
  | 'invalid_now'
  /** `lifetimeSeconds` is not a positive whole number. */
  | 'invalid_lifetime'
  /** `maxBodyBytes` is not a positive whole number. */
  | 'invalid_max_body_bytes'
  /** The handler was given both a secret and `allowUnauthenticated: true`, or `send` is not a function. */
  | 'invalid_handler_options';

/**
 * The options are wrong, not the request: a bug or a missing setting on the gateway's side,
 * thrown before any request data is looked at, so no caller can trigger it. A TypeError
 * (wrong arguments), so that generic "programming error" handling catches it too. The
 * message never contains the secret.
 */
export class GatewayConfigurationError extends TypeError {
  readonly code: GatewayConfigurationErrorCode;

  static override [Symbol.hasInstance](value: unknown): boolean {
    return brandedOrInstance(this, GatewayConfigurationError, value, CONFIGURATION_BRAND);
  }

  constructor(code: GatewayConfigurationErrorCode, message: string) {
    super(message);
    this.name = 'GatewayConfigurationError';
    this.code = code;
    Object.defineProperty(this, CONFIGURATION_BRAND, { value: true });
  }
}
Object.defineProperty(GatewayConfigurationError, 'name', { value: 'GatewayConfigurationError' });
