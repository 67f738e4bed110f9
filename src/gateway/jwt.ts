// The CLI's side of gateway tokens. The library (src/gateway/sign.ts, key.ts) throws
// GatewayConfigurationError for a bad secret or audience; the CLI reports such input with exit
// code 2 (CliError from src/core/errors.ts), which the library must not import. This adapter
// keeps the CLI's callers (src/gateway/client.ts) on CliError.
import { inputError } from '../core/errors.js';
import { GatewayConfigurationError } from './errors.js';
import { gatewayKeyBytes } from './key.js';
import { signGatewayToken as signToken, type GatewayTokenSettings, type SignGatewayTokenOptions } from './sign.js';

export type { GatewayTokenSettings, SignGatewayTokenOptions } from './sign.js';

/** A library configuration error as the CLI's input error (exit 2); anything else unchanged. */
export function toInputError(error: unknown): unknown {
  return error instanceof GatewayConfigurationError ? inputError(error.message) : error;
}

/** signGatewayToken for the CLI: configuration errors are input errors (exit 2). */
export async function signGatewayToken(settings: GatewayTokenSettings, options: SignGatewayTokenOptions = {}): Promise<string> {
  try {
    return await signToken(settings, options);
  } catch (error) {
    throw toInputError(error);
  }
}

/** The HMAC key bytes for a gateway secret; configuration errors are input errors (exit 2). */
export function secretKeyBytes(secret: string, secretBase64Encoded = false): Uint8Array {
  try {
    return gatewayKeyBytes(secret, secretBase64Encoded);
  } catch (error) {
    throw toInputError(error);
  }
}
