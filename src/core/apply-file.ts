import * as z from 'zod';
import { holdsSecret } from './bearer.js';
import { inputError } from './errors.js';
import { deepFreeze, isPlainObject } from './diff.js';
import {
  audienceSchema,
  DEFAULT_SUBJECT,
  desiredSettingsSchema,
  fromSchema,
  GATEWAY_URL_MAX,
  GATEWAY_URL_MIN,
  gatewayUrlSchema,
  subjectSchema,
  templateSchema,
  type DesiredSettings,
} from './validate.js';
import { issueProblems, problemLine, type IssueReading, type PathProblem } from './zod-issues.js';
import { readYamlSource, YamlSyntaxError, type YamlSource } from './yaml-source.js';

/*
 * The `apply` file: desired gateway settings for one or more SMS connections, kept in a
 * repository and applied from CI. Keys are Auth0's own snake_case option names, so the file
 * reads like the connection it describes. Pure: the caller reads the file and passes the
 * environment in.
 */

/** `${NAME}`: the only way a secret may appear in the file (it is committed to a repository). */
const ENV_REFERENCE = /^\$\{([A-Za-z_][A-Za-z0-9_]*)\}$/;

/** Why a secret value is not a reference. Never repeats the value: it may be the secret itself. */
function secretReferenceProblem(value: unknown): string {
  if (typeof value === 'string') {
    const bare = /^\$([A-Za-z_][A-Za-z0-9_]*)$/.exec(value);
    if (bare !== null) return `write \${${bare[1] ?? ''}}, with braces`;
    if (value.includes('${')) return 'the secret must be one ${NAME} reference and nothing else';
  }
  return 'a literal secret is not allowed in the file (it would be committed with it): put it in an environment variable and write ${NAME}';
}

const secretReferenceSchema = z
  .string({ error: (issue) => secretReferenceProblem(issue.input) })
  .regex(ENV_REFERENCE, { error: (issue) => secretReferenceProblem(issue.input) })
  .meta({ description: 'the HS256 signing secret, as a reference to an environment variable: ${SMS_GATEWAY_SECRET}', examples: ['${SMS_GATEWAY_SECRET}'] });

const fileBearerSchema = z.strictObject({
  method: z.literal('bearer', { error: 'method must be "bearer" (for no authentication, write `authentication: none`)' }),
  // Defaults, not "keep what the connection has": the file alone decides the authentication.
  subject: subjectSchema.default(DEFAULT_SUBJECT).meta({ description: 'the JWT `sub` claim' }),
  audience: audienceSchema.meta({ description: 'the JWT `aud` claim your gateway checks', examples: ['urn:my-sms-gateway'] }),
  secret: secretReferenceSchema,
  secret_base64_encoded: z
    .boolean({ error: 'secret_base64_encoded must be true or false' })
    .default(false)
    .meta({ description: 'the secret is base64url; the key is its decoded bytes' }),
});

const connectionEntrySchema = z.strictObject({
  connection: z
    .string({ error: 'connection must be a connection name or id (con_…)' })
    .min(1, { error: 'connection is empty: write a connection name or id (con_…)' })
    .meta({ description: 'the SMS connection: its name or its id (con_…)', examples: ['sms'] }),
  // minLength, maxLength and pattern are for editors; gatewayUrlSchema is the check.
  gateway_url: gatewayUrlSchema.meta({
    description: 'the https:// URL Auth0 POSTs each message to',
    minLength: GATEWAY_URL_MIN,
    maxLength: GATEWAY_URL_MAX,
    pattern: '^https://',
    examples: ['https://sms.example.com/v1/messages'],
  }),
  authentication: z
    .union([z.literal('none'), fileBearerSchema], {
      error: 'authentication must be "none", or a mapping with method: bearer, audience and secret',
    })
    .meta({ description: '"none", or a bearer JWT signed with a secret Auth0 and your gateway share' }),
  forward_req_info: z
    .boolean({ error: 'forward_req_info must be true or false' })
    .optional()
    .meta({ description: "also send the user's IP and user agent to the gateway; omitted: keep the connection's value" }),
  from: fromSchema.optional().meta({ description: "the sender: phone number or alphanumeric sender id (at most 11); omitted: keep the connection's value" }),
  template: templateSchema('any')
    .optional()
    .meta({ description: "the SMS text, with @@password@@ (or {{ code }} with liquid syntax) where the code goes; omitted: keep the connection's value" }),
  keep_twilio: z
    .boolean({ error: 'keep_twilio must be true or false' })
    .default(false)
    .meta({ description: 'keep twilio_sid and twilio_token on the connection (by default they are removed)' }),
}, { error: 'each connection must be a mapping with connection, gateway_url and authentication' });

/**
 * The tenant's phone provider (Unified Phone Experience): the same gateway settings as a
 * connection's, without what only a connection has (its name, from, template, Twilio keys).
 */
const phoneProviderEntrySchema = z
  .strictObject(connectionEntrySchema.omit({ connection: true, from: true, template: true, keep_twilio: true }).shape, {
    error: 'phone_provider must be a mapping with gateway_url and authentication',
  })
  .meta({ description: "the tenant's phone provider: one custom-phone-provider Action that calls the same gateway with the same request and JWT" });

export const applyFileSchema = z
  .strictObject(
    {
      $schema: z.string({ error: '$schema must be a string' }).optional().meta({ description: 'where editors find this schema; the tool ignores it' }),
      connections: z
        .array(connectionEntrySchema, { error: 'connections must be a list of connections' })
        .min(1, { error: 'connections is empty: list at least one connection' })
        .optional()
        .meta({ description: 'the SMS connections to configure, each listed once' }),
      phone_provider: phoneProviderEntrySchema.optional(),
    },
    { error: 'the file must be a mapping with a `connections:` list' },
  )
  .refine((file) => file.connections !== undefined || file.phone_provider !== undefined, {
    error: 'the file names nothing to configure: write a `connections:` list, a `phone_provider:` entry, or both',
  })
  .meta({
    // The refine above, for editors and CI: zod cannot turn a refinement into JSON Schema. Each
    // branch names the key in `properties` too (`true`: the schema above checks it), so that
    // validators in strict mode (Ajv's strictRequired) accept the schema.
    anyOf: [
      { properties: { connections: true }, required: ['connections'] },
      { properties: { phone_provider: true }, required: ['phone_provider'] },
    ],
    title: 'auth0-sms-gateway apply file',
    description:
      'Desired SMS gateway settings for Auth0 Passwordless SMS connections, applied with `auth0-sms-gateway apply -f <file>`. Secrets only as ${ENV_VAR} references.',
  });

export type ApplyFile = z.output<typeof applyFileSchema>;

/**
 * The JSON Schema of the file, for editors and CI. Draft-07: the draft yaml-language-server and
 * VS Code support in full. `io: 'input'` describes what a person writes, so keys with a default
 * are optional and show their default.
 */
export function applyFileJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(applyFileSchema, { target: 'draft-7', io: 'input' });
}

/** One connection of the file, ready for planSmsUpdate. */
export interface ApplyEntry {
  /** Where it is in the file, for messages: `connections[1]`, on `line` (1-based). */
  path: string;
  /** Computed when first read: the file's positions are built only for a message. */
  readonly line: number;
  /** Name or id, as written. */
  connection: string;
  /** The secret already resolved from the environment. */
  desired: DesiredSettings;
}

/** The file's `phone_provider:` entry, ready for planPhoneProvider. */
export interface PhoneProviderApplyEntry {
  path: 'phone_provider';
  readonly line: number;
  desired: { gatewayUrl: string; authentication: DesiredSettings['authentication']; forwardReqInfo?: boolean };
}

/** Everything the file asks for. */
export interface ApplyDocument {
  connections: ApplyEntry[];
  phoneProvider: PhoneProviderApplyEntry | null;
}

export interface ParseApplyFileOptions {
  /** The file as the user named it (`stdin` for -), at the start of every message. */
  source: string;
  /** Where `${NAME}` references are looked up. */
  env: Readonly<Record<string, string | undefined>>;
}

/**
 * Text → validated entries, or one exit-2 error listing every problem as
 * `file:line: path: message`. YAML 1.2 reads JSON too, so one parser serves both and gives
 * line numbers for either; it also rejects duplicate keys, which JSON.parse silently drops.
 */
export function parseApplyFile(text: string, options: ParseApplyFileOptions): ApplyEntry[] {
  return parseApplyDocument(text, options).connections;
}

/** The whole file: its connections and its phone provider entry. */
export function parseApplyDocument(text: string, options: ParseApplyFileOptions): ApplyDocument {
  const { source } = options;
  const format = /^\s*[{[]/.test(text) ? 'JSON' : 'YAML';
  let yaml: YamlSource;
  try {
    yaml = readYamlSource(text);
  } catch (error) {
    if (!(error instanceof YamlSyntaxError)) throw error;
    throw fileError([`${source}:${error.line}: not valid ${format}: ${error.message}`]);
  }
  const { value } = yaml;
  if (value === null || value === undefined) throw fileError([`${source}: the file is empty: write a \`connections:\` list, a \`phone_provider:\` entry, or both`]);

  const where = (problems: PathProblem[]) =>
    problems
      .map((p) => ({ line: yaml.lineOf(p.path), text: problemLine(p) }))
      .sort((a, b) => a.line - b.line)
      .map((p) => `${source}:${p.line}: ${p.text}`);
  // The core schema reads `<<` as a plain key: the schema's words about it would mislead.
  const merges = mergeKeys(value, []);
  if (merges.length > 0) throw fileError(where(merges));
  const parsed = applyFileSchema.safeParse(value, { reportInput: true });
  const misplaced = misplacedReferences(value);
  // A file that fails its schema is still checked for unset variables: every problem at once.
  // Where a ${NAME} stands, that is the problem, not what the schema makes of the text.
  if (!parsed.success) {
    const at = new Set(misplaced.map((p) => JSON.stringify(p.path)));
    const schemaProblems = issueProblems(parsed.error.issues, FILE_READING).filter((p) => !at.has(JSON.stringify(p.path)));
    throw fileError(where([...schemaProblems, ...misplaced, ...unsetReferences(value, options.env)]));
  }

  const problems: PathProblem[] = [...misplaced];
  const connections = parsed.data.connections ?? [];
  const resolving: Resolving = { env: options.env, checked: new Map(), desiredSeen: new Map() };
  const entries = connections.map((entry, index) => resolveEntry(entry, index, () => yaml.lineOf(['connections', index, 'connection']), resolving, problems));
  const phone = parsed.data.phone_provider;
  let phoneProvider: PhoneProviderApplyEntry | null = null;
  if (phone !== undefined) {
    const resolved = resolveSettings(phone, ['phone_provider'], resolving, problems);
    phoneProvider = {
      path: 'phone_provider',
      get line() {
        return yaml.lineOf(['phone_provider']);
      },
      desired: {
        gatewayUrl: phone.gateway_url,
        authentication: resolved.authentication,
        ...(phone.forward_req_info === undefined ? {} : { forwardReqInfo: phone.forward_req_info }),
      },
    };
  }
  const firstAt = new Map<string, number>();
  connections.forEach((entry, index) => {
    const first = firstAt.get(entry.connection);
    if (first === undefined) firstAt.set(entry.connection, index);
    else problems.push({ path: ['connections', index, 'connection'], message: `"${entry.connection}" is already listed at connections[${first}]: list each connection once` });
  });
  if (problems.length > 0) throw fileError(where(problems));
  return { connections: entries, phoneProvider };
}

function fileError(lines: string[]) {
  return inputError(lines.join('\n'), 'fix the file; `auth0-sms-gateway schema` prints its JSON Schema, the README has an example');
}

/** Desired settings in the planner's terms; the secret is looked up here, so only here can it be checked. */
function resolveEntry(entry: NonNullable<ApplyFile['connections']>[number], index: number, lineOf: () => number, resolving: Resolving, problems: PathProblem[]): ApplyEntry {
  const desired: DesiredSettings = { gatewayUrl: entry.gateway_url, ...resolveSettings(entry, ['connections', index], resolving, problems), keepTwilio: entry.keep_twilio };
  const secret = desired.authentication?.method === 'bearer' ? desired.authentication.secret : undefined;
  for (const key of ['from', 'template'] as const) {
    if (holdsSecret(entry[key], secret)) problems.push(secretHeldProblem(['connections', index, key]));
  }
  if (entry.forward_req_info !== undefined) desired.forwardReqInfo = entry.forward_req_info;
  if (entry.from !== undefined) desired.from = entry.from;
  if (entry.template !== undefined) desired.template = entry.template;
  let line: number | undefined;
  return {
    path: `connections[${index}]`,
    // Only a message needs it: the file's positions are built the first time one is asked for.
    get line() {
      return (line ??= lineOf());
    },
    connection: entry.connection,
    desired: shared(desired, resolving),
  };
}

/**
 * One frozen object for every entry with the same settings (keys left undefined included), so
 * that the plan checks them once per syntax rather than once per connection (core/plan.ts).
 */
function shared(desired: DesiredSettings, { desiredSeen }: Resolving): DesiredSettings {
  const key = JSON.stringify(desired, (_key, value: unknown) => (value === undefined ? UNDEFINED : value));
  const seen = desiredSeen.get(key);
  if (seen !== undefined) return seen;
  const frozen = deepFreeze(desired);
  desiredSeen.set(key, frozen);
  return frozen;
}

/** Stands for `undefined` in `shared`'s keys, where JSON would drop the key; no file holds it (NUL). */
const UNDEFINED = '\u0000undefined';

/**
 * Where `${NAME}` references are looked up, and the problems of each URL and authentication
 * checked so far: a file for many connections repeats one gateway, checked once.
 */
interface Resolving {
  env: ParseApplyFileOptions['env'];
  checked: Map<string, PathProblem[]>;
  /** Each distinct entry's desired settings, by their JSON (shared). */
  desiredSeen: Map<string, DesiredSettings>;
}

/** An entry's authentication with its `${NAME}` secret read from the environment, checked as a flag's would be. */
function resolveSettings(
  entry: Pick<NonNullable<ApplyFile['connections']>[number], 'gateway_url' | 'authentication'>,
  at: PropertyKey[],
  { env, checked }: Resolving,
  problems: PathProblem[],
): { authentication: NonNullable<DesiredSettings['authentication']> } {
  if (entry.authentication === 'none') return { authentication: { method: 'none' } };
  const { subject, audience, secret: reference, secret_base64_encoded } = entry.authentication;
  const name = ENV_REFERENCE.exec(reference)?.[1] ?? '';
  const secret = env[name];
  if (secret === undefined || secret === '') {
    problems.push(unsetProblem(name, at));
    return { authentication: { method: 'none' } };
  }
  const authentication = { method: 'bearer' as const, subject, audience, secret, secretBase64Encoded: secret_base64_encoded };
  // Found here, with the field's line, every one at once: the plan would refuse them one by one, after the reads.
  if (holdsSecret(entry.gateway_url, secret)) problems.push(secretHeldProblem([...at, 'gateway_url']));
  for (const [key, value] of [['subject', subject], ['audience', audience]] as const) {
    if (holdsSecret(value, secret)) problems.push(secretHeldProblem([...at, 'authentication', key]));
  }
  // What the file alone could not show: the secret's length and, when marked so, its base64url form.
  const key = JSON.stringify([entry.gateway_url, subject, audience, secret, secret_base64_encoded]);
  let found = checked.get(key);
  if (found === undefined) {
    const result = desiredSettingsSchema.safeParse({ gatewayUrl: entry.gateway_url, authentication });
    found = result.success ? [] : issueProblems(result.error.issues);
    checked.set(key, found);
  }
  problems.push(...found.map((problem) => ({ path: [...at, ...problem.path.map(fileKey)], message: problem.message })));
  return { authentication };
}

function secretHeldProblem(path: PropertyKey[]): PathProblem {
  return { path, message: 'holds the value of authentication.secret, which would be stored and shown in clear: give it its own value, and the secret only as the secret' };
}

function unsetProblem(name: string, at: readonly PropertyKey[]): PathProblem {
  return { path: [...at, 'authentication', 'secret'], message: `environment variable ${name} (from \${${name}}) is not set or empty: set it where apply runs` };
}

/** The `${NAME}` secrets of a file whose variable is unset, read from the file as it is (it failed its schema elsewhere). */
/** Every YAML merge key (`<<: *name`) in the file: not supported, so named as such. */
function mergeKeys(value: unknown, at: PropertyKey[]): PathProblem[] {
  if (Array.isArray(value)) return value.flatMap((item: unknown, index) => mergeKeys(item, [...at, index]));
  if (!isPlainObject(value)) return [];
  return Object.entries(value).flatMap(([key, field]) =>
    key === '<<'
      ? [{ path: [...at, key], message: 'YAML merge keys (<<) are not supported: write the keys out (an alias of a whole value, *name, works)' }]
      : mergeKeys(field, [...at, key]),
  );
}

/**
 * `${NAME}` where the file does not read it: only `authentication.secret` is a reference, and
 * elsewhere it would be written to the tenant as the literal text (an audience of
 * "${GW_AUDIENCE}") or fail with an unrelated message (a gateway URL "must start with https://").
 */
function misplacedReferences(value: unknown): PathProblem[] {
  const problems: PathProblem[] = [];
  const check = (text: unknown, at: PropertyKey[]) => {
    const name = typeof text === 'string' ? /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/.exec(text)?.[1] : undefined;
    if (name === undefined) return;
    problems.push({
      path: at,
      message: `\${${name}} is not read here: the file reads environment variables only in authentication.secret; write the value itself, or render the file before apply (e.g. with envsubst)`,
    });
  };
  eachEntry(value, (raw, at) => {
    if (!isPlainObject(raw)) return;
    for (const [key, field] of Object.entries(raw)) {
      if (key !== 'authentication') check(field, [...at, key]);
      else if (isPlainObject(field)) for (const [authKey, authField] of Object.entries(field)) if (authKey !== 'secret') check(authField, [...at, key, authKey]);
    }
  });
  return problems;
}

/** Each entry of a file not yet checked against its schema (every connection, the phone provider), with its path. */
function eachEntry(value: unknown, visit: (entry: unknown, at: PropertyKey[]) => void): void {
  if (!isPlainObject(value)) return;
  if (Array.isArray(value.connections)) value.connections.forEach((entry: unknown, index: number) => visit(entry, ['connections', index]));
  visit(value.phone_provider, ['phone_provider']);
}

function unsetReferences(value: unknown, env: ParseApplyFileOptions['env']): PathProblem[] {
  const problems: PathProblem[] = [];
  const check = (entry: unknown, at: PropertyKey[]) => {
    const authentication = isPlainObject(entry) ? entry.authentication : undefined;
    const reference = isPlainObject(authentication) ? authentication.secret : undefined;
    const name = typeof reference === 'string' ? ENV_REFERENCE.exec(reference)?.[1] : undefined;
    if (name !== undefined && (env[name] === undefined || env[name] === '')) problems.push(unsetProblem(name, at));
  };
  eachEntry(value, check);
  return problems;
}

/** DesiredSettings keys are the file's keys in camelCase: secretBase64Encoded → secret_base64_encoded. */
function fileKey(key: PropertyKey): PropertyKey {
  return typeof key === 'string' ? key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`) : key;
}

/**
 * How the file's zod issues read: an unknown key names itself and its likely intended
 * spelling; a union reports the branch the value was meant for; a missing key says so; YAML
 * reads +15551234567 as a number and yes as a string, not the other way round.
 */
const FILE_READING: IssueReading = {
  unknownKey: (path) => unknownKeyMessage(String(path.at(-1)), knownKeysAt(path.slice(0, -1))),
  meantBranch: true,
  missingKeys: true,
  scalarHint: 'in YAML, put the value in quotes',
};

/** The keys the schema allows at a path of the file: the file, an entry, a bearer authentication. */
function knownKeysAt(path: readonly PropertyKey[]): string[] {
  if (path.length === 0) return Object.keys(applyFileSchema.shape);
  if (path[0] === 'phone_provider') return Object.keys(path.length === 1 ? phoneProviderEntrySchema.shape : fileBearerSchema.shape);
  if (path.length === 2) return Object.keys(connectionEntrySchema.shape);
  return Object.keys(fileBearerSchema.shape);
}

function unknownKeyMessage(key: string, known: readonly string[]): string {
  const suggestion = closestKey(key, known);
  return suggestion === undefined ? `unknown key: the keys here are ${known.join(', ')}` : `unknown key: did you mean ${suggestion}?`;
}

/**
 * The known key a typo most likely meant: same letters ignoring case, `_` and `-`
 * (gatewayUrl), a fragment of it (url, auth), or within an edit distance of a third of its
 * length (forward_request_info → forward_req_info).
 */
export function closestKey(key: string, known: readonly string[]): string | undefined {
  const normal = (s: string) => s.toLowerCase().replace(/[^a-z0-9]/g, '');
  const typed = normal(key);
  let best: { key: string; distance: number } | undefined;
  for (const candidate of known) {
    const target = normal(candidate);
    const distance = typed.length >= 3 && target.includes(typed) ? 0 : editDistance(typed, target);
    if (distance <= Math.floor(Math.max(typed.length, target.length) / 3) && (best === undefined || distance < best.distance)) {
      best = { key: candidate, distance };
    }
  }
  return best?.key;
}

/** Levenshtein distance, one row at a time. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      row[j] = Math.min((previous[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + cost);
    }
    previous = row;
  }
  return previous[b.length] ?? 0;
}
