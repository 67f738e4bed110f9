import type { DesiredPhoneProvider } from '../core/phone-provider.js';
import { defineCommand } from '../flow/command.js';
import { configurePhoneProvider, phoneProviderFlagsSchema, requireGatewayForTest } from '../flow/configure-phone-provider.js';
import { checkTestTo, preflightGateway } from '../flow/preflight.js';
import { ACTION_WAIT } from '../gateway/client.js';
import { desiredFromFlags, secretFromFlags } from '../flow/settings-flags.js';

/**
 * `phone-provider configure`: make the tenant's phone provider deliver through the gateway, so
 * that one gateway (and verifyGatewayRequest) serves both generations of Auth0 SMS delivery.
 */
export const command = defineCommand(phoneProviderFlagsSchema, async (ctx, flags) => {
  checkTestTo(flags.testTo);
  const secretInput = await secretFromFlags(flags, ctx.io);
  for (const warning of secretInput.warnings) ctx.output.warn(warning);
  const settings = desiredFromFlags(flags, secretInput);
  const desired: DesiredPhoneProvider = { gatewayUrl: settings.gatewayUrl, authentication: settings.authentication, forwardReqInfo: settings.forwardReqInfo };
  const api = await ctx.auth0();
  const testTo = flags.testTo;
  const outcome = await configurePhoneProvider(ctx, api, desired, secretInput, flags, testTo === undefined ? undefined : (gateway) => preflightGateway(ctx, requireGatewayForTest(gateway), testTo, ACTION_WAIT));
  if (outcome.result === 'applied') ctx.output.info('Next: auth0-sms-gateway phone-provider test --to <your phone>');
  return 0;
});
