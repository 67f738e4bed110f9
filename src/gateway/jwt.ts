// The CLI's side of gateway tokens. The library (src/gateway/sign.ts) throws
// GatewayConfigurationError for a bad secret or audience; the CLI reports such input with exit
// code 2 (CliError from src/core/errors.ts), which the library must not import. This adapter
// keeps the CLI's callers (src/gateway/client.ts) on CliError; the library entry (src/index.ts)
// exports sign.ts's signGatewayToken, never this.
import { inputError } from '../core/errors.js';
import { GatewayConfigurationError } from './errors.js';
import { signGatewayToken, type GatewayTokenSettings, type SignGatewayTokenOptions } from './sign.js';

/** The library's signGatewayToken, with its configuration errors as the CLI's input errors (exit 2). */
export async function signGatewayTokenForCli(settings: GatewayTokenSettings, options: SignGatewayTokenOptions = {}): Promise<string> {
  try {
    return await signGatewayToken(settings, options);
  } catch (error) {
    throw error instanceof GatewayConfigurationError ? inputError(error.message) : error;
  }
}
