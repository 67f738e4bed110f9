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
export class GatewayVerificationError extends Error {
  readonly code: GatewayVerificationErrorCode;

  constructor(code: GatewayVerificationErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'GatewayVerificationError';
    this.code = code;
  }

  /** The HTTP status a gateway should answer with. */
  get status(): 400 | 401 {
    return this.code === 'malformed_payload' ? 400 : 401;
  }
}
