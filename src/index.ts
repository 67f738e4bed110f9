/**
 * Library entry for SMS gateway authors: verify what Auth0 sends, answer it from a Fetch API
 * handler, sign test tokens, render a message like Auth0 does. Built on its own
 * (dist/lib/index.mjs and index.cjs) from modules that import only Node built-ins: no schema
 * library, no CLI, no Auth0 SDK, nothing from src/core. test/lib/graph.test.ts keeps it so.
 */
export { verifyGatewayRequest, verifyGatewayToken } from './gateway/verify.js';
export type { GatewayAuthorizationHeader, VerifyGatewayRequestInput, VerifyGatewayRequestOptions, GatewayTokenClaims } from './gateway/verify.js';
export { GatewayVerificationError, GatewayConfigurationError } from './gateway/errors.js';
export type { GatewayVerificationErrorCode, GatewayConfigurationErrorCode } from './gateway/errors.js';
export { parseGatewayPayload } from './gateway/payload.js';
export type { GatewayPayload, GatewayRequestInfo } from './gateway/payload.js';
export { createGatewayHandler } from './gateway/handler.js';
export type {
  GatewayHandlerOptions,
  GatewayHandlerVerifyOptions,
  GatewayHandlerUnauthenticatedOptions,
  GatewayHandlerMeta,
  GatewayRequestMeta,
  GatewayRejectionCode,
  GatewaySendFunction,
} from './gateway/handler.js';
export { signGatewayToken } from './gateway/sign.js';
export type { GatewayTokenSettings, SignGatewayTokenOptions } from './gateway/sign.js';
export { isBase64url } from './gateway/key.js';
export { renderSmsBody, DEFAULT_SMS_TEMPLATE } from './gateway/template.js';
export type { SmsTemplateSyntax } from './gateway/template.js';
