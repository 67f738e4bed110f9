import { missingCredentials, normalizeDomain } from '../auth0/credentials.js';
import { CliError, ExitCode, inputError } from '../core/errors.js';
import { requireSmsOptions, type Connection } from '../core/options.js';
import { registerSecret } from '../core/redact.js';
import { recipientSchema } from '../core/validate.js';
import { terminalPrompter } from '../ui/prompts.js';
import { applySnippet, askCredentials, askGatewaySettings, equivalentCommand, shellQuote, validateBy, type CredentialAnswers, type WizardUi, optional, validateWith } from '../ui/wizard.js';
import { applyDesiredSettings, checkSettingsFlags, type ConfigureFlags } from './configure.js';
import { createContext, type CommandContext } from './context.js';
import { readSecretInput, SECRET_ENV_DEFAULT, type SecretInput } from './secret-input.js';
import { resolveSmsConnection } from './target.js';
import { runTestGateway } from './test-gateway.js';

const BIN = 'auth0-sms-gateway';

/**
 * The interactive setup: asks for what flags and environment left open, then runs the same
 * plan → diff → confirm → backup → re-read → PATCH pipeline as `configure`, offers a test
 * message, and prints the command and the apply file that do the same without questions.
 */
export async function runWizard(ctx: CommandContext, ref: string | undefined, flags: ConfigureFlags): Promise<number> {
  const { output } = ctx;
  if (!ctx.interactive) {
    throw inputError(
      'the wizard asks questions, and it only does so on a terminal (not with --json, with CI set, or with stdin or stderr redirected)',
      `pass the settings as flags instead: ${BIN} configure <connection> --gateway-url <https://…> --auth bearer --audience <aud> --secret-env <VAR> --yes (see ${BIN} configure --help)`,
    );
  }
  const { secretInput: givenSecret, given } = await checkSettingsFlags(ctx, flags);
  const ui: WizardUi = { prompter: terminalPrompter(ctx.io), output };
  output.info(`Switch an Auth0 SMS connection to your own gateway. Nothing is written before you confirm the diff; Ctrl-C quits.`);

  const typed = await askCredentials(ui, missingCredentials(ctx.globals, ctx.io.env), validateBy(normalizeDomain));
  // As the printed command will carry it: host[:port], whatever form was pasted.
  if (typed.domain !== undefined) typed.domain = normalizeDomain(typed.domain);
  const tenant = withCredentials(ctx, typed);
  const api = await tenant.auth0();
  const current = await resolveSmsConnection(tenant, api, ref);
  // A read without options (missing scope) stops here, before any question about them.
  const options = requireSmsOptions(current);

  const { desired, secretInput: chosenSecret } = await askGatewaySettings(ui, { given, options, sources: secretSources(ctx) });
  const secretInput = chosenSecret ?? givenSecret;
  const outcome = await applyDesiredSettings(tenant, api, current, desired, secretInput, flags);

  const code = outcome.result !== 'dry-run' && outcome.connection.options?.provider === 'sms_gateway' ? await offerTest(tenant, ui, outcome.connection) : ExitCode.ok;

  const secretEnv = secretInput.source?.startsWith('$') === true ? secretInput.source.slice(1) : SECRET_ENV_DEFAULT;
  const summary = { bin: BIN, connection: current.name, planned: outcome.planned, keepTwilio: desired.keepTwilio === true, secretEnv, domain: typed.domain, clientId: typed.clientId };
  const bearer = typeof outcome.planned.gateway_authentication === 'object' && outcome.planned.gateway_authentication !== null;
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
      `Or, for CI, an apply file (${BIN} apply -f sms-gateway.yaml):`,
      '',
      applySnippet(summary),
    ].join('\n'),
  );
  return code;
}

/**
 * A context whose Auth0 client uses the typed credentials. They go in as environment
 * variables of this run only (never process.env), so they are read exactly as if the user had
 * exported them, and a typed client secret draws no "flags end up in shell history" warning.
 */
function withCredentials(ctx: CommandContext, typed: CredentialAnswers): CommandContext {
  if (Object.keys(typed).length === 0) return ctx;
  const env = {
    ...ctx.io.env,
    ...(typed.domain === undefined ? {} : { AUTH0_DOMAIN: typed.domain }),
    ...(typed.clientId === undefined ? {} : { AUTH0_CLIENT_ID: typed.clientId }),
    ...(typed.clientSecret === undefined ? {} : { AUTH0_CLIENT_SECRET: typed.clientSecret }),
  };
  return createContext({ ...ctx.io, env }, ctx.globals);
}

/** Secrets chosen in the wizard, read by the same code as --generate-secret and --secret-env. */
function secretSources(ctx: CommandContext) {
  return {
    generate: () => readSecretInput({ generateSecret: true }, ctx.io),
    fromEnv: (name: string) => readSecretInput({ secretEnv: name }, ctx.io),
    pasted: (value: string): SecretInput => {
      registerSecret(value);
      return { secret: value, source: 'pasted', generated: false, warnings: [] };
    },
  };
}

/**
 * test-gateway to a number the user types (asked again until it is a phone number; empty skips). The change is
 * already applied here, so a Ctrl-C only skips the test: "cancelled, nothing changed" would lie.
 */
async function offerTest(tenant: CommandContext, ui: WizardUi, connection: Connection): Promise<number> {
  // Without AUTH0_SMS_GATEWAY_SECRET: the test uses the settings the connection now holds, as Auth0 will.
  const { [SECRET_ENV_DEFAULT]: _ignored, ...env } = tenant.io.env;
  const testCtx: CommandContext = { ...tenant, io: { ...tenant.io, env } };
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
      return await runTestGateway(testCtx, connection.id, { to });
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
