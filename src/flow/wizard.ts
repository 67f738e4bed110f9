import { missingCredentials, normalizeDomain } from '../auth0/credentials.js';
import { CliError, ExitCode, inputError } from '../core/errors.js';
import { rewritableOptions, type Connection } from '../core/options.js';
import { recipientSchema } from '../core/validate.js';
import { applySnippet, askCredentials, askGatewaySettings, equivalentCommand, optional, shellQuote, validateBy, validateWith, type WizardUi } from '../ui/wizard.js';
import { BIN_NAME } from '../version.js';
import { applyDesiredSettings, checkSettingsFlags, type ConfigureFlags } from './configure-connection.js';
import type { CommandContext } from './context.js';
import { testConnectionGateway } from './gateway-test.js';
import { readSecretInput, SECRET_ENV_DEFAULT, secretEnvName, typedSecret } from './secret-input.js';
import { unifiedPhoneFor } from './routes.js';
import { resolveSmsConnection } from './target.js';
import { routeOf } from '../core/route.js';

/**
 * The interactive setup: asks for what flags and environment left open, then runs the same
 * plan → diff → confirm → backup → re-read → PATCH pipeline as `configure`, offers a test
 * message, and prints the command and the apply file that do the same without questions.
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
  output.info(`Switch an Auth0 SMS connection to your own gateway. Nothing is written before you confirm the diff; Ctrl-C quits.`);

  const typed = await askCredentials(ui, missingCredentials(ctx.globals, ctx.io.env), validateBy(normalizeDomain));
  // As the printed command will carry it: host[:port], whatever form was pasted.
  if (typed.domain !== undefined) typed.domain = normalizeDomain(typed.domain);
  const tenant = ctx.withCredentials(typed);
  const api = await tenant.auth0();
  const current = await resolveSmsConnection(tenant, api, connectionRef);
  // A read without options (missing scope), or options it cannot rewrite, stop here, before any question.
  const options = rewritableOptions(current);

  const { desired, secretInput: askedSecret } = await askGatewaySettings(ui, {
    desired: flagDesired,
    options,
    sources: {
      generate: () => readSecretInput({ generateSecret: true }, ctx.io),
      fromEnv: (name: string) => readSecretInput({ secretEnv: name }, ctx.io),
      pasted: typedSecret,
    },
  });
  const secretInput = askedSecret ?? flagSecret;
  const route = routeOf(current.options, await unifiedPhoneFor(api, output, [current]));
  const outcome = await applyDesiredSettings(tenant, api, current, desired, secretInput, flags, route);

  const code = outcome.result !== 'dry-run' && outcome.connection.options?.provider === 'sms_gateway' ? await offerTest(tenant, ui, outcome.connection) : ExitCode.ok;

  const secretEnv = secretEnvName(secretInput.source) ?? SECRET_ENV_DEFAULT;
  const summary = { bin: BIN_NAME, connection: current.name, next: outcome.next, keepTwilio: desired.keepTwilio === true, secretEnv, domain: typed.domain, clientId: typed.clientId };
  const bearer = typeof outcome.next.gateway_authentication === 'object' && outcome.next.gateway_authentication !== null;
  const needs = [
    ...(bearer ? [`${secretEnv} set to the gateway secret`] : []),
    ...(typed.clientSecret === undefined ? [] : ['AUTH0_CLIENT_SECRET set to the client secret']),
  ];
  output.data(
    [
      '',
      `The same setup without questions${needs.length === 0 ? '' : `, with ${needs.join(' and ')}`}:`,
      '',
      `  ${equivalentCommand(summary).map(shellQuote).join(' ')}`,
      '',
      `Or, for CI, an apply file (${BIN_NAME} apply -f sms-gateway.yaml):`,
      '',
      applySnippet(summary),
    ].join('\n'),
  );
  return code;
}

/**
 * A test message to a number the user types (asked again until it is a phone number; empty
 * skips), through the settings the connection now holds, as Auth0 will use them. The change is
 * already applied here, so a Ctrl-C only skips the test: "cancelled, nothing changed" would lie.
 */
async function offerTest(tenant: CommandContext, ui: WizardUi, connection: Connection): Promise<number> {
  ui.output.info(ui.output.style.dim('Send a test SMS through the gateway now, exactly as Auth0 would send it.'));
  try {
    const to = (
      await ui.prompter.input({
        message: 'Phone number for a test SMS (empty to skip)',
        // test-gateway's own --to rule, so a bad number is asked again rather than failing.
        validate: optional(validateWith(recipientSchema)),
      })
    ).trim();
    if (to === '') return ExitCode.ok;
    try {
      return await testConnectionGateway(tenant, connection, to);
    } catch (error) {
      if (!(error instanceof CliError)) throw error;
      ui.output.error(error.message);
      if (error.hint !== undefined) ui.output.hint(error.hint);
      return error.exitCode;
    }
  } catch (error) {
    if ((error as { name?: unknown } | null)?.name !== 'ExitPromptError') throw error;
    ui.output.info('Test skipped; the change is applied.');
    return ExitCode.ok;
  }
}
