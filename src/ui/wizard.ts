/*
 * The wizard's questions and its closing summary. Every answer is checked by the zod schema
 * the flags go through (core/validate.ts), so a value the wizard accepts is one `configure`
 * accepts, and a bad one is asked again with the schema's reason under it.
 */
import type * as z from 'zod';
import type { SecretInput } from '../flow/secret-input.js';
import { isPlainObject } from '../core/diff.js';
import type { ActionSettings } from '../core/action-code.js';
import type { DesiredBearer } from '../core/bearer.js';
import { isTruthy } from '../core/options.js';
import type { SmsOptions } from '../core/options-schema.js';
import { redactUrl } from '../core/gateway-url.js';
import { untrusted } from '../core/untrusted.js';
import {
  audienceSchema,
  base64urlSecretSchema,
  DEFAULT_SUBJECT,
  firstProblem,
  fromSchema,
  gatewayUrlSchema,
  secretSchema,
  subjectSchema,
  templateSchema,
  type DesiredSettings,
} from '../core/validate.js';
import type { Output } from './output.js';
import type { Prompter, Validate } from './prompts.js';

export interface WizardUi {
  prompter: Prompter;
  output: Output;
}

/** The schema as a prompt validator: true, or the schema's reason, shown before the question is asked again. */
export function validateWith(schema: z.ZodType): Validate {
  return (value) => firstProblem(schema, value) ?? true;
}

/** A check that throws (the flags' own, e.g. normalizeDomain) as a prompt validator. */
export function validateBy(check: (value: string) => unknown): Validate {
  return async (value) => {
    try {
      await check(value);
      return true;
    } catch (error) {
      return error instanceof Error ? error.message : String(error);
    }
  };
}

/** Each question starts with one line that says what the field is for. */
function describeField(ui: WizardUi, help: string): void {
  ui.output.info(ui.output.style.dim(help));
}

const nonEmpty = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);

/**
 * A current value offered as a prompt's default: the prompt shows it as it is, so a value with
 * control or bidi characters (from the tenant, hostile or not) is not offered.
 */
const shownDefault = (value: unknown): string | undefined => {
  const text = nonEmpty(value);
  return text !== undefined && untrusted(text) === text ? text : undefined;
};

export interface CredentialAnswers {
  domain?: string;
  clientId?: string;
  clientSecret?: string;
}

/** Asks for the tenant and the Machine-to-Machine app, only the parts flags and environment left out. */
export async function askCredentials(ui: WizardUi, missing: { domain: boolean; clientId: boolean; clientSecret: boolean }, validateDomain: Validate): Promise<CredentialAnswers> {
  const answers: CredentialAnswers = {};
  const required = (what: string): Validate => (value) => value.trim() !== '' || `${what} is empty`;
  if (missing.domain) {
    describeField(ui, 'Your Auth0 tenant, as in acme.eu.auth0.com (Dashboard > Settings). Or set AUTH0_DOMAIN.');
    answers.domain = (await ui.prompter.input({ message: 'Tenant domain', validate: validateDomain })).trim();
  }
  if (missing.clientId) {
    describeField(ui, 'A Machine-to-Machine app granted read:connections, update:connections, read:connections_options, update:connections_options. Or set AUTH0_CLIENT_ID.');
    answers.clientId = (await ui.prompter.input({ message: 'Client ID', validate: required('the client ID') })).trim();
  }
  if (missing.clientSecret) {
    describeField(ui, "That app's client secret; hidden as you type, used for this run only. Or set AUTH0_CLIENT_SECRET.");
    answers.clientSecret = (await ui.prompter.password({ message: 'Client secret', validate: required('the client secret') })).trim();
  }
  return answers;
}

/** Where a secret typed or chosen in the wizard comes from; the command layer reads it as the flags would. */
export interface SecretSources {
  generate(): Promise<SecretInput>;
  /** Rejects with the reason when the variable is not set or not a valid name. */
  fromEnv(name: string): Promise<SecretInput>;
  pasted(value: string): SecretInput;
}

export interface SettingsQuestions {
  /** What flags and environment already settled (desiredFromFlags). */
  desired: DesiredSettings;
  /** The connection's current options (or the phone provider Action's settings in their shape): the defaults. */
  options: SmsOptions;
  sources: SecretSources;
  /**
   * The phone provider's Action: no sender or template questions (the tenant's phone templates
   * decide the text), and its secret cannot be read, only kept (`secretKept`).
   */
  phoneProvider?: { secretKept: boolean } | undefined;
}

export interface SettingsAnswers {
  desired: DesiredSettings;
  /** A secret chosen in the wizard; undefined when flags or environment gave it, or the current one is kept. */
  secretInput: SecretInput | undefined;
}

type Method = 'none' | 'bearer';

type SecretChoice = 'keep' | 'generate' | 'env' | 'paste';

/**
 * The gateway URL, defaulting to the current one. A current URL that carries credentials (a
 * user:password@ part, a token in the query) is never shown: the choice to keep it names it
 * redacted, and another is typed in full.
 */
async function askGatewayUrl(ui: WizardUi, current: string | undefined): Promise<string> {
  const { prompter } = ui;
  const ask = (fallback: string | undefined) => prompter.input({ message: 'Gateway URL', default: fallback, validate: validateWith(gatewayUrlSchema) });
  if (current === undefined || redactUrl(current) === current) return ask(current);
  const problem = firstProblem(gatewayUrlSchema, current);
  if (problem !== undefined) {
    ui.output.info(`The current gateway URL, ${redactUrl(current)}, cannot be kept: ${problem}.`);
    return ask(undefined);
  }
  const keep = await prompter.select<boolean>({
    message: 'Gateway URL',
    choices: [
      { name: `keep the current one: ${redactUrl(current)}`, value: true },
      { name: 'enter another', value: false },
    ],
  });
  return keep ? current : ask(undefined);
}

/**
 * For a connection with the older gateway keys on a Unified Phone Experience tenant: Auth0 follows
 * them only if the connection predates it, which nothing read can tell, so the person who knows
 * picks what to set up. The phone provider first: Auth0 documents it as the path on such a tenant.
 */
export async function askWhatToSetUp(ui: WizardUi, name: string): Promise<'phone-provider' | 'connection'> {
  return ui.prompter.select<'phone-provider' | 'connection'>({
    message: `${name} has the older generation's gateway keys, which Auth0 follows on this Unified Phone Experience tenant only if the connection predates it. Set up`,
    choices: [
      { name: "the tenant's phone provider (a connection made since; it serves every SMS of the tenant, MFA included)", value: 'phone-provider' },
      { name: "the connection's options (a connection from before the Unified Phone Experience)", value: 'connection' },
    ],
  });
}

/** The gateway settings, each asked only when `questions.desired` leaves it open, defaulting to the connection's. */
export async function askGatewaySettings(ui: WizardUi, questions: SettingsQuestions): Promise<SettingsAnswers> {
  const { prompter } = ui;
  const { options, sources } = questions;
  const current = isPlainObject(options.gateway_authentication) ? options.gateway_authentication : undefined;
  const desired: DesiredSettings = { ...questions.desired };

  if (desired.gatewayUrl === undefined) {
    describeField(ui, 'The https:// address Auth0 POSTs each SMS to (recipient, body, sender); Auth0 calls it from the internet.');
    desired.gatewayUrl = await askGatewayUrl(ui, shownDefault(options.gateway_url));
  }

  let method: Method | undefined = questions.desired.authentication?.method;
  if (method === undefined) {
    describeField(ui, 'How the gateway knows a request comes from Auth0.');
    method = await prompter.select<Method>({
      message: 'Authentication',
      choices: [
        { name: 'bearer: Auth0 signs each request with a JWT (HS256) that the gateway checks', value: 'bearer' },
        { name: 'none: the gateway accepts any request (only behind another protection)', value: 'none' },
      ],
      // A Twilio connection has no gateway settings yet: recommend the safe choice.
      default: current !== undefined || options.provider !== 'sms_gateway' ? 'bearer' : 'none',
    });
  }

  let secretInput: SecretInput | undefined;
  if (method === 'none') {
    desired.authentication = { method };
  } else {
    const auth: DesiredBearer = questions.desired.authentication?.method === 'bearer' ? { ...questions.desired.authentication } : { method };
    if (auth.subject === undefined) {
      describeField(ui, "The JWT's sub claim. Most gateways expect Auth0's default, urn:Auth0.");
      auth.subject = await prompter.input({ message: 'Subject', default: shownDefault(current?.subject) ?? DEFAULT_SUBJECT, validate: validateWith(subjectSchema) });
    }
    if (auth.audience === undefined) {
      describeField(ui, "The JWT's aud claim: the name your gateway checks, e.g. urn:my-sms-gateway.");
      auth.audience = await prompter.input({ message: 'Audience', default: shownDefault(current?.audience), validate: validateWith(audienceSchema) });
    }
    let secret = auth.secret;
    if (secret === undefined) {
      const hasCurrent = questions.phoneProvider?.secretKept ?? nonEmpty(current?.secret) !== undefined;
      secretInput = await askSecret(ui, sources, hasCurrent);
      if (secretInput === undefined) secret = nonEmpty(current?.secret);
      else auth.secret = secret = secretInput.secret;
    }
    if (auth.secretBase64Encoded === undefined) {
      const keepsCurrent = auth.secret === undefined;
      auth.secretBase64Encoded = await askBase64(ui, secret, keepsCurrent && current?.secret_base64_encoded === true);
    }
    desired.authentication = auth;
  }

  if (desired.forwardReqInfo === undefined) {
    describeField(ui, "Also send each user's IP address and user agent to the gateway (personal data: only if the gateway needs it, e.g. for fraud checks).");
    desired.forwardReqInfo = await prompter.confirm({ message: 'Forward request info (forward_req_info)?', default: isTruthy(options.forward_req_info) });
  }

  if (questions.phoneProvider !== undefined) return { desired, secretInput };
  const syntax = nonEmpty(options.syntax);
  if (desired.from === undefined) {
    describeField(ui, 'Optional sender the gateway texts from: a phone number (+15551234567) or an alphanumeric sender id of up to 11 characters.');
    const from = await prompter.input({ message: 'Sender (from)', default: shownDefault(options.from), validate: optional(validateWith(fromSchema)) });
    if (from !== '') desired.from = from;
  }
  if (desired.template === undefined) {
    const placeholder = syntax === 'liquid' ? '{{ code }}' : '@@password@@';
    describeField(ui, `Optional SMS text, with ${placeholder} where the code goes.`);
    const template = await prompter.input({ message: 'Template', default: shownDefault(options.template), validate: optional(validateWith(templateSchema(syntax))) });
    if (template !== '') desired.template = template;
  }
  return { desired, secretInput };
}

/** Empty means "not set" for the optional fields; anything else must pass. */
/** Empty is a valid answer (the question is optional); anything else must pass `validate`. */
export function optional(validate: Validate): Validate {
  return (value) => value === '' || validate(value);
}

/** undefined: keep the connection's current secret. */
async function askSecret(ui: WizardUi, sources: SecretSources, hasCurrent: boolean): Promise<SecretInput | undefined> {
  describeField(ui, 'The key Auth0 signs the JWT with; the gateway needs the same one to check it.');
  const choice = await ui.prompter.select<SecretChoice>({
    message: 'Signing secret',
    choices: [
      ...(hasCurrent ? [{ name: 'keep the current secret', value: 'keep' as const }] : []),
      { name: 'generate a strong one (shown once after the change)', value: 'generate' },
      { name: 'read it from an environment variable', value: 'env' },
      { name: 'paste it (hidden)', value: 'paste' },
    ],
    default: hasCurrent ? 'keep' : 'generate',
  });
  if (choice === 'keep') return undefined;
  if (choice === 'generate') return sources.generate();
  if (choice === 'env') {
    const name = await ui.prompter.input({
      message: 'Environment variable',
      validate: validateBy(async (value) => {
        const problem = firstProblem(secretSchema, (await sources.fromEnv(value)).secret);
        if (problem !== undefined) throw new Error(problem);
      }),
    });
    return sources.fromEnv(name);
  }
  return sources.pasted(await ui.prompter.password({ message: 'Secret', validate: validateWith(secretSchema) }));
}

/** Asked again, with the schema's reason, when the secret is said to be base64url but is not. */
async function askBase64(ui: WizardUi, secret: string | undefined, fallback: boolean): Promise<boolean> {
  describeField(ui, 'Whether the secret is base64url text whose decoded bytes are the key (secret_base64_encoded); no uses the text itself.');
  for (;;) {
    const encoded = await ui.prompter.confirm({ message: 'Is the secret base64url-encoded?', default: fallback });
    const problem = encoded && secret !== undefined ? firstProblem(base64urlSecretSchema, secret) : undefined;
    if (problem === undefined) return encoded;
    ui.output.warn(problem);
  }
}

export interface Summary {
  bin: string;
  connection: string;
  /** The options once the change is applied (the plan's `next`). */
  next: SmsOptions;
  keepTwilio: boolean;
  /** The variable the command and the apply file read the gateway secret from. */
  secretEnv: string;
  /** The wizard kept the secret the connection holds: the command names none (configure keeps it). */
  secretKept?: boolean | undefined;
  /** Tenant settings typed in the wizard, so the command does not depend on them being set. */
  domain?: string | undefined;
  clientId?: string | undefined;
}

/** The `configure` argv that reaches `next` without questions: the secret only by variable name. */
export function equivalentCommand(s: Summary): string[] {
  const o = s.next;
  const auth = isPlainObject(o.gateway_authentication) ? o.gateway_authentication : undefined;
  const from = nonEmpty(o.from);
  const template = nonEmpty(o.template);
  return [
    s.bin,
    ...(s.domain === undefined ? [] : ['--domain', s.domain]),
    ...(s.clientId === undefined ? [] : ['--client-id', s.clientId]),
    'configure',
    s.connection,
    '--gateway-url',
    String(o.gateway_url),
    ...(auth === undefined
      ? ['--auth', 'none']
      : [
          '--auth',
          'bearer',
          '--subject',
          String(auth.subject),
          '--audience',
          String(auth.audience),
          ...(s.secretKept === true ? [] : ['--secret-env', s.secretEnv]),
          auth.secret_base64_encoded === true ? '--secret-base64-encoded' : '--no-secret-base64-encoded',
        ]),
    isTruthy(o.forward_req_info) ? '--forward-req-info' : '--no-forward-req-info',
    ...(from === undefined ? [] : ['--from', from]),
    ...(template === undefined ? [] : ['--template', template]),
    ...(s.keepTwilio ? ['--keep-twilio'] : []),
    '--yes',
  ];
}

/**
 * The same state as an `apply` file entry. Strings are JSON-quoted, which YAML reads as
 * double-quoted scalars; the secret is a `${VAR}` reference, the only form apply takes.
 */
export function applySnippet(s: Summary): string {
  const o = s.next;
  const q = (value: unknown) => JSON.stringify(String(value));
  const auth = isPlainObject(o.gateway_authentication) ? o.gateway_authentication : undefined;
  const from = nonEmpty(o.from);
  const template = nonEmpty(o.template);
  return [
    'connections:',
    `  - connection: ${q(s.connection)}`,
    `    gateway_url: ${q(o.gateway_url)}`,
    ...(auth === undefined
      ? ['    authentication: none']
      : [
          '    authentication:',
          '      method: bearer',
          `      subject: ${q(auth.subject)}`,
          `      audience: ${q(auth.audience)}`,
          `      secret: ${q(`\${${s.secretEnv}}`)}`,
          `      secret_base64_encoded: ${auth.secret_base64_encoded === true}`,
        ]),
    `    forward_req_info: ${isTruthy(o.forward_req_info)}`,
    ...(from === undefined ? [] : [`    from: ${q(from)}`]),
    ...(template === undefined ? [] : [`    template: ${q(template)}`]),
    // Without it apply drops the Twilio credentials, as configure does.
    ...(s.keepTwilio ? ['    keep_twilio: true'] : []),
  ].join('\n');
}

/** The `phone-provider configure` argv that reaches the planned Action settings without questions. */
export function equivalentPhoneCommand(s: { bin: string; settings: ActionSettings; secretEnv: string; secretKept?: boolean | undefined; domain?: string | undefined; clientId?: string | undefined }): string[] {
  const o = s.settings;
  return [
    s.bin,
    ...(s.domain === undefined ? [] : ['--domain', s.domain]),
    ...(s.clientId === undefined ? [] : ['--client-id', s.clientId]),
    'phone-provider',
    'configure',
    '--gateway-url',
    o.gateway_url,
    ...(o.authentication === 'none'
      ? ['--auth', 'none']
      : [
          '--auth',
          'bearer',
          '--subject',
          String(o.subject ?? DEFAULT_SUBJECT),
          '--audience',
          String(o.audience),
          ...(s.secretKept === true ? [] : ['--secret-env', s.secretEnv]),
          o.secret_base64_encoded === true ? '--secret-base64-encoded' : '--no-secret-base64-encoded',
        ]),
    o.forward_req_info ? '--forward-req-info' : '--no-forward-req-info',
    '--yes',
  ];
}

/** The same state as the apply file's `phone_provider:` entry. */
export function phoneApplySnippet(s: { settings: ActionSettings; secretEnv: string }): string {
  const o = s.settings;
  const q = (value: unknown) => JSON.stringify(String(value));
  return [
    'phone_provider:',
    `  gateway_url: ${q(o.gateway_url)}`,
    ...(o.authentication === 'none'
      ? ['  authentication: none']
      : [
          '  authentication:',
          '    method: bearer',
          `    subject: ${q(o.subject ?? DEFAULT_SUBJECT)}`,
          `    audience: ${q(o.audience)}`,
          `    secret: ${q(`\${${s.secretEnv}}`)}`,
          `    secret_base64_encoded: ${o.secret_base64_encoded === true}`,
        ]),
    `  forward_req_info: ${o.forward_req_info}`,
  ].join('\n');
}
