import * as z from 'zod';
import { inputError, remoteError } from '../core/errors.js';
import { sendPhoneTestMessage } from '../flow/phone-provider.js';
import { untrusted } from '../core/untrusted.js';
import { firstProblem, recipientSchema } from '../core/validate.js';
import { defineCommand } from '../flow/command.js';

const flagsSchema = z.strictObject({ to: z.string().optional() });

/**
 * `phone-provider test --to <phone>`: Auth0's "Send Test Message". Its 202 means accepted for
 * processing, not delivered: Auth0 gives no feedback on delivery through the tenant's provider
 * (docs/auth0-facts.md#two-generations-of-sms-delivery), so the command says so and where to look.
 */
export const command = defineCommand(flagsSchema, async (ctx, flags) => {
  const { output } = ctx;
  if (flags.to === undefined) throw inputError('--to <phone> is required: the number Auth0 should text', 'e.g. --to "+15551234567"');
  const to = flags.to;
  const problem = firstProblem(recipientSchema, to);
  // Auth0 takes 1 to 16 characters here.
  if (problem !== undefined || to.length > 16) throw inputError(`--to: "${untrusted(to)}" is not ${problem ?? 'a phone number of at most 16 characters'}`, 'e.g. --to "+15551234567"');
  const api = await ctx.auth0();
  const providers = await api.listPhoneProviders();
  const provider = providers[0];
  if (provider === undefined) {
    throw remoteError(`${api.domain} has no phone provider to test`, 'set one up with `auth0-sms-gateway phone-provider configure`');
  }
  await sendPhoneTestMessage(ctx, api, provider, to, (answer) => {
    if (output.json) {
      output.printJson({ domain: api.domain, provider: { id: provider.id, name: provider.name }, accepted: true, code: answer.code ?? 202, message: answer.message ?? null, delivered: null });
    }
    output.info(
      `Auth0 accepted the test message for ${untrusted(to)} (${answer.code ?? 202}${answer.message === undefined ? '' : `: ${untrusted(answer.message)}`}).\n` +
        `Accepted is not delivered: Auth0 does not report delivery through the phone provider. ${
          provider.name === 'custom'
            ? // The provider's Action may be another's: where it sends is not known here.
              'Watch where its Action sends: your gateway, when it is the Action `phone-provider configure` installs (`auth0-sms-gateway serve` prints each message it receives)'
            : `This provider is "${untrusted(provider.name)}", not a gateway: watch the phone`
        }, or the tenant logs (event type "fn": failed sending notification).`,
    );
  });
  return 0;
});
