/**
 * Library entry for SMS gateway authors: verify what Auth0 sends, sign test tokens, render a
 * message like Auth0 does. Kept free of the CLI (no commander, chalk, prompts or auth0 SDK) so
 * that importing it stays light.
 */
export { verifyGatewayRequest } from './gateway/verify.js';
export type { VerifyGatewayRequestInput, VerifyGatewayRequestOptions, GatewayTokenClaims } from './gateway/verify.js';
export { GatewayVerificationError } from './gateway/errors.js';
export type { GatewayVerificationErrorCode } from './gateway/errors.js';
export { gatewayPayloadSchema, parseGatewayPayload } from './gateway/payload.js';
export type { GatewayPayload, GatewayRequestInfo } from './gateway/payload.js';
export { signGatewayToken } from './gateway/jwt.js';
export type { GatewayTokenSettings, SignGatewayTokenOptions } from './gateway/jwt.js';
export { renderSmsBody, DEFAULT_SMS_TEMPLATE } from './gateway/template.js';
export type { SmsTemplateSyntax } from './gateway/template.js';
