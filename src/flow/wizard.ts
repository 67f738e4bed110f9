import type { ManagementApi } from '../auth0/client.js';
import { missingCredentials, normalizeDomain, type CredentialFlags } from '../auth0/credentials.js';
import { CliError, ExitCode, inputError, remoteError } from '../core/errors.js';
import type { Connection } from '../core/options.js';
import { rewritableOptions, type SmsOptions } from '../core/options-schema.js';
import { findOurAction } from '../core/phone-provider.js';
import { routeOf, type UnifiedPhone } from '../core/route.js';
import { untrusted } from '../core/untrusted.js';
import { recipientSchema } from '../core/validate.js';
import type { GatewayClientSettings } from '../gateway/client.js';
import {
  applySnippet,
  askCredentials,
  askGatewaySettings,
  askWhatToSetUp,
  equivalentCommand,
  equivalentPhoneCommand,
  optional,
  phoneApplySnippet,
  validateBy,
  validateWith,
  type SecretSources,
  type WizardUi,
} from '../ui/wizard.js';
import { shellQuote } from '../core/shell.js';
import { REDACTED_URL_PART, redactUrl } from '../core/gateway-url.js';
import { BIN_NAME } from '../version.js';
import { applyDesiredSettings, checkSettingsFlags, type ConfigureFlags } from './configure-connection.js';
import { configurePhoneProvider } from './configure-phone-provider.js';
import type { CommandContext } from './context.js';
import { testConnectionGateway } from './gateway-test.js';
import { phoneStateOf, readPhoneView, sendPhoneTestMessage } from './phone-provider.js';
import { preflightGateway } from './preflight.js';
import { unifiedPhoneForClaims } from './routes.js';
import { readSecretInput, SECRET_ENV_DEFAULT, secretEnvName, typedSecret, type SecretInput } from './secret-input.js';
import { resolveSmsConnection } from './target.js';

/**
 * The interactive setup: asks for what flags and environment left open, finds out where the
 * chosen connection's codes really go, and sets up that: the connection's options, or, on the
 * Unified Phone Experience, the tenant's phone provider. It offers a test message before the
 * switch (with the planned settings) and after it, and prints the command and the apply file
 * that do the same without questions.
 */
export async function runWizard(ctx: CommandContext, connectionRef: string | undefined, flags: ConfigureFlags): Promise<number> {
  const { output } = ctx;
  if (!ctx.interactive) {
    throw inputError(
      'the wizard asks questions, and it only does so on a terminal (not with --json, with CI set, or with stdin or stderr redirected)',
      `pass the settings as flags instead: ${BIN_NAME} configure <connection> --gateway-url <https://…> --auth bearer --audience <aud> --secret-env <VAR> --yes (see ${BIN_NAME} configure --help)`,
    );
  }
  const { secretInput: flagSecret, desired: flagDesired } = await checkSettingsFlags(ctx, flags);
  const ui: WizardUi = { prompter: await ctx.prompter(), output };
  output.info(`Send an Auth0 SMS connection's codes through your own gateway. Nothing is written before you confirm the diff; Ctrl-C quits.`);

  const typed = await askCredentials(ui, missingCredentials(ctx.globals, ctx.io.env), validateBy(normalizeDomain));
  // As the printed command will carry it: host[:port], whatever form was pasted.
  if (typed.domain !== undefined) typed.domain = normalizeDomain(typed.domain);
  const tenant = ctx.withCredentials(typed);
  const api = await tenant.auth0();
  const current = await resolveSmsConnection(tenant, api, connectionRef);
  const unifiedPhone = await unifiedPhoneForClaims(api, output, [current]);
  const route = routeOf(current.options, unifiedPhone);
  const sources: SecretSources = {
    generate: () => readSecretInput({ generateSecret: true }, ctx.io),
    fromEnv: (name: string) => readSecretInput({ secretEnv: name }, ctx.io),
    pasted: typedSecret,
  };
  const session: Session = { tenant, api, ui, typed, flags, flagSecret, sources };
  if (route === 'phone-provider') {
    output.info(
      output.style.dim(
        `Auth0 sends ${untrusted(current.name)}'s codes through the tenant's phone provider (Unified Phone Experience), not through the connection's options: the wizard sets up the phone provider, which serves every SMS of the tenant, MFA included.`,
      ),
    );
    return phoneProviderWizard(session, flagDesired);
  }
  // Older keys on a Unified Phone tenant: which path Auth0 takes is the user's to say.
  if (route === 'gateway' && unifiedPhone === true && (await askWhatToSetUp(ui, untrusted(current.name))) === 'phone-provider') return phoneProviderWizard(session, flagDesired);
  if (route === 'unknown') {
    output.warn('whether Auth0 reads this connection\'s options cannot be told (see the warning above); the wizard configures them, and `status` says more once the tenant setting can be read');
  }
  return connectionWizard(session, current, flagDesired, unifiedPhone);
}

interface Session {
  tenant: CommandContext;
  api: ManagementApi;
  ui: WizardUi;
  typed: CredentialFlags;
  flags: ConfigureFlags;
  flagSecret: SecretInput;
  sources: SecretSources;
}

async function connectionWizard(session: Session, current: Connection, flagDesired: Parameters<typeof askGatewaySettings>[1]['desired'], unifiedPhone: UnifiedPhone): Promise<number> {
  const { tenant, api, ui, typed, flags, flagSecret, sources } = session;
  // A read without options (missing scope), or options it cannot rewrite, stop here, before any question.
  const options = rewritableOptions(current);
  const { desired, secretInput: askedSecret } = await askGatewaySettings(ui, { desired: flagDesired, options, sources });
  const secretInput = askedSecret ?? flagSecret;
  const outcome = await applyDesiredSettings(tenant, api, current, desired, secretInput, flags, unifiedPhone, (planned) => testBeforeSwitch(session, planned));

  const code = outcome.result === 'applied' && outcome.connection.options?.provider === 'sms_gateway' ? await offerTestAfter(ui, (to) => testConnectionGateway(tenant, outcome.connection, to)) : ExitCode.ok;

  const secretEnv = secretEnvName(secretInput.source) ?? SECRET_ENV_DEFAULT;
  const bearer = typeof outcome.next.gateway_authentication === 'object' && outcome.next.gateway_authentication !== null;
  const secretKept = bearer && secretInput.secret === undefined;
  const summary = { bin: BIN_NAME, connection: current.name, next: outcome.next, keepTwilio: desired.keepTwilio === true, secretEnv, secretKept, domain: typed.domain, clientId: typed.clientId };
  printEquivalents(session, bearer, secretKept, secretEnv, equivalentCommand(summary), applySnippet(summary));
  return code;
}

async function phoneProviderWizard(session: Session, flagDesired: Parameters<typeof askGatewaySettings>[1]['desired']): Promise<number> {
  const { tenant, api, ui, typed, flags, flagSecret, sources } = session;
  const state = phoneStateOf(await readPhoneView(api, { tolerant: false, output: tenant.output }));
  const ours = findOurAction(state);
  const settings = ours?.settings ?? null;
  // The Action's settings, in the options' shape the questions take their defaults from.
  const defaults: SmsOptions =
    settings === null
      ? {}
      : {
          provider: 'sms_gateway',
          gateway_url: settings.gateway_url,
          forward_req_info: settings.forward_req_info,
          ...(settings.authentication === 'bearer'
            ? { gateway_authentication: { method: 'bearer', subject: settings.subject, audience: settings.audience, secret_base64_encoded: settings.secret_base64_encoded === true } }
            : {}),
        };
  const secretKept = settings?.authentication === 'bearer' && settings.secret_fingerprint !== undefined;
  const { desired, secretInput: askedSecret } = await askGatewaySettings(ui, { desired: flagDesired, options: defaults, sources, phoneProvider: { secretKept } });
  const secretInput = askedSecret ?? flagSecret;
  const outcome = await configurePhoneProvider(
    tenant,
    api,
    { gatewayUrl: desired.gatewayUrl, authentication: desired.authentication, forwardReqInfo: desired.forwardReqInfo },
    secretInput,
    flags,
    async (planned) => {
      if (planned !== null) return testBeforeSwitch(session, planned);
      ui.output.info("No test SMS before the switch: it is signed with the gateway secret, which Auth0 never returns; enter the secret again to test first.");
      return {};
    },
  );
  const code = outcome.result === 'applied' ? await offerTestAfter(ui, (to) => phoneProviderTest(tenant, api, to)) : ExitCode.ok;
  const secretEnv = secretEnvName(secretInput.source) ?? SECRET_ENV_DEFAULT;
  const bearer = outcome.plan.settings.authentication === 'bearer';
  const keptSecret = bearer && secretInput.secret === undefined;
  printEquivalents(
    session,
    bearer,
    keptSecret,
    secretEnv,
    equivalentPhoneCommand({ bin: BIN_NAME, settings: outcome.plan.settings, secretEnv, secretKept: keptSecret, domain: typed.domain, clientId: typed.clientId }),
    phoneApplySnippet({ settings: outcome.plan.settings, secretEnv }),
  );
  return code;
}

/**
 * Before the switch, with the planned settings: a gateway that fails would break every login
 * the moment the change lands, so a failure stops here, with nothing written. --test-to
 * answers the question for scripts.
 */
async function testBeforeSwitch(session: Session, planned: GatewayClientSettings): Promise<Record<string, unknown>> {
  const { ui, tenant, flags } = session;
  const to =
    flags.testTo ??
    (
      await ui.prompter.input({
        message: 'Phone number for a test SMS through the gateway, before anything changes (empty to skip)',
        validate: optional(validateWith(recipientSchema)),
      })
    ).trim();
  if (to === '') return {};
  return preflightGateway(tenant, planned, to);
}

/** After the switch: the change is applied, so a Ctrl-C here only skips the test ("cancelled, nothing changed" would lie). */
async function offerTestAfter(ui: WizardUi, test: (to: string) => Promise<number>): Promise<number> {
  ui.output.info(ui.output.style.dim('Send a test SMS now, the way Auth0 will send it.'));
  try {
    const to = (await ui.prompter.input({ message: 'Phone number for a test SMS (empty to skip)', validate: optional(validateWith(recipientSchema)) })).trim();
    if (to === '') return ExitCode.ok;
    try {
      return await test(to);
    } catch (error) {
      if (!(error instanceof CliError)) throw error;
      ui.output.error(error.message);
      if (error.hint !== undefined) ui.output.hint(error.hint);
      return error.exitCode;
    }
  } catch (error) {
    // Ctrl-C, or the end of input (Ctrl-D), at the question after the write.
    const name = (error as { name?: unknown } | null)?.name;
    if (name !== 'ExitPromptError' && name !== 'AbortPromptError') throw error;
    ui.output.info('Test skipped; the change is applied.');
    return ExitCode.ok;
  }
}

/** Auth0's own test message through the provider: accepted (202) is not delivered, and it says so. */
async function phoneProviderTest(tenant: CommandContext, api: ManagementApi, to: string): Promise<number> {
  const provider = (await api.listPhoneProviders())[0];
  if (provider === undefined) throw remoteError('the tenant has no phone provider to test', 'run `auth0-sms-gateway status` to see the tenant');
  await sendPhoneTestMessage(tenant, api, provider, to, (answer) =>
    tenant.output.info(`Auth0 accepted the test message (${answer.code ?? 202}); accepted is not delivered: watch your gateway, or the tenant logs (type "fn").`),
  );
  return ExitCode.ok;
}

/**
 * The command and the apply entry that reach the same state without questions. A kept secret is
 * not in the command (configure keeps the one Auth0 holds), but an apply file must name one:
 * the variable has to hold the secret in use, which only its owner has (Auth0 never shows it).
 */
function printEquivalents(session: Session, bearer: boolean, secretKept: boolean, secretEnv: string, command: string[], apply: string): void {
  const { ui, typed } = session;
  const client = typed.clientSecret === undefined ? [] : ['AUTH0_CLIENT_SECRET set to the client secret'];
  const needs = [...(bearer && !secretKept ? [`${secretEnv} set to the gateway secret`] : []), ...client];
  const applyNeeds = [...(bearer ? [secretKept ? `${secretEnv} set to the gateway secret in use now` : `${secretEnv} set to the gateway secret`] : []), ...client];
  ui.output.data(
    [
      '',
      // After --dry-run nothing was set up: the command is how to apply it (it carries --yes).
      `${session.flags.dryRun === true ? 'To apply this setup without questions (this dry run wrote nothing)' : 'The same setup without questions'}${needs.length === 0 ? '' : `, with ${needs.join(' and ')}`}:`,
      '',
      `  ${command.map(shellQuote).join(' ')}`,
      '',
      `Or, for CI, an apply file (${BIN_NAME} apply -f sms-gateway.yaml)${applyNeeds.length === 0 ? '' : `, with ${applyNeeds.join(' and ')}`}:`,
      '',
      apply,
    ].join('\n'),
  );
  // The gateway URL is printed with its credential redacted (by position, as everywhere): the
  // tool refuses the placeholder as input, and says so here before anyone pastes it.
  if (command.some((word) => redactUrl(word) !== word)) {
    ui.output.warn(`the gateway URL above shows ${REDACTED_URL_PART} in place of a credential: put the real value in before you run the command or apply the file`);
  }
}
