// Property tests: whatever the connection holds and whatever the user asks, the plan changes
// only what was asked, keeps everything else as read, and converges.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { deepEqual, diffOptions, isPlainObject, type Change } from '../../src/core/diff.js';
import { CliError, ExitCode } from '../../src/core/errors.js';
import type { Connection } from '../../src/core/options.js';
import { rewritableOptions, type SmsOptions } from '../../src/core/options-schema.js';
import { REWRITTEN_KEYS, planSmsUpdate, type DesiredSettings } from '../../src/core/plan.js';
import { REDACTED, isSecretKey, redactDeep } from '../../src/core/redact.js';
import { gatewayUrlSchema } from '../../src/core/validate.js';

const RUNS = { numRuns: 300 };

// Secrets carry a marker so any leak can be searched for; the marker is 8 base64url
// characters, so marker + base64url stays valid base64url.
const SECRET_MARKER = 'SeCrEt00';
const secretArb = fc.uint8Array({ minLength: 1, maxLength: 40 }).map((b) => SECRET_MARKER + Buffer.from(b).toString('base64url'));
const twilioTokenArb = fc.uint8Array({ minLength: 4, maxLength: 24 }).map((b) => `${SECRET_MARKER}${Buffer.from(b).toString('hex')}`);

/** Arbitrary JSON, normalised as JSON.parse would give it (plain prototypes, no -0). */
const jsonArb = fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.parse(JSON.stringify(v)) as unknown);

const validUrlArb = fc.oneof(
  fc.constantFrom('https://sms.example.com/send', 'https://gw.example.org:8443/a?b=c', 'https://localhost/sms', 'https://10.0.0.5/x'),
  fc.webUrl({ validSchemes: ['https'], withQueryParameters: true, withFragments: true }).filter((u) => gatewayUrlSchema.safeParse(u).success),
);

const booleanishArb = fc.constantFrom(true, false, 'true', 'false', null);

const gatewayAuthenticationArb = fc.oneof(
  fc.constant(null),
  fc.record(
    {
      method: fc.constantFrom('bearer', 'BEARER', 'other'),
      subject: fc.oneof(fc.constant(''), fc.string({ maxLength: 64 })),
      audience: fc.oneof(fc.constant(''), fc.string({ maxLength: 128 })),
      secret: fc.oneof(fc.constant(''), secretArb),
      secret_base64_encoded: fc.boolean(),
      future_key: jsonArb,
    },
    { requiredKeys: [], noNullPrototype: true },
  ),
);

/** Every key Auth0 documents for SMS options, each with values Auth0 could return. */
const knownOptionsArb = fc.record(
  {
    name: fc.string(),
    from: fc.option(fc.string(), { nil: null }),
    syntax: fc.constantFrom('liquid', 'md_with_macros', null),
    template: fc.string(),
    totp: fc.record({ time_step: fc.nat(), length: fc.nat() }, { noNullPrototype: true }),
    twilio_sid: fc.string(),
    twilio_token: twilioTokenArb,
    messaging_service_sid: fc.option(fc.string(), { nil: null }),
    provider: fc.constantFrom('twilio', 'sms_gateway', null),
    gateway_url: fc.oneof(validUrlArb, fc.constantFrom('', null, 'http://legacy.example.com/sms')),
    gateway_authentication: gatewayAuthenticationArb,
    forward_req_info: booleanishArb,
    brute_force_protection: fc.boolean(),
    disable_signup: fc.boolean(),
    use_phone_provider: booleanishArb,
  },
  { requiredKeys: [], noNullPrototype: true },
);

const KNOWN = new Set(['name', 'from', 'syntax', 'template', 'totp', 'twilio_sid', 'twilio_token', 'messaging_service_sid', 'provider', 'gateway_url', 'gateway_authentication', 'forward_req_info', 'brute_force_protection', 'disable_signup', 'use_phone_provider']);
const extraKeyArb = fc.stringMatching(/^[a-z_][a-z0-9_]{0,10}$/).filter((k) => !KNOWN.has(k) && k !== '__proto__');
const extraOptionsArb = fc.dictionary(extraKeyArb, jsonArb, { maxKeys: 6, noNullPrototype: true });

/** Known and unknown keys, in a random order, as a tenant could hold them. */
const optionsArb: fc.Arbitrary<SmsOptions> = fc.tuple(knownOptionsArb, extraOptionsArb).chain(([known, extra]) => {
  const entries = [...Object.entries(known), ...Object.entries(extra)];
  return fc.shuffledSubarray(entries, { minLength: entries.length, maxLength: entries.length }).map((e) => Object.fromEntries(e) as SmsOptions);
});

const FROMS = ['+1 234 567', '+17777777777', '(555) 123-4567', '12345', 'ACME', 'Acme Inc'];

function desiredArb(syntax: unknown): fc.Arbitrary<DesiredSettings> {
  const template = syntax === 'liquid' ? fc.constantFrom('{{ code }}', 'Code: {{password}}', 'x {{- code -}} y') : fc.constantFrom('@@password@@', 'Your code: @@password@@');
  const bearer = fc.record(
    {
      method: fc.constant('bearer' as const),
      subject: fc.string({ minLength: 1, maxLength: 64 }),
      audience: fc.string({ minLength: 1, maxLength: 128 }),
      secret: secretArb,
      secretBase64Encoded: fc.boolean(),
    },
    { requiredKeys: ['method'], noNullPrototype: true },
  );
  return fc.record(
    {
      gatewayUrl: validUrlArb,
      authentication: fc.oneof(fc.constant({ method: 'none' as const }), bearer),
      forwardReqInfo: fc.boolean(),
      from: fc.constantFrom(...FROMS),
      template,
      keepTwilio: fc.boolean(),
    },
    { requiredKeys: [], noNullPrototype: true },
  );
}

const caseArb = optionsArb.chain((options) => desiredArb(options.syntax).map((desired) => ({ options, desired })));

const connectionWith = (options: SmsOptions): Connection => ({ id: 'con_Pr0pertyTest0001', name: 'sms', strategy: 'sms', options });

const nonEmpty = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
const has = (o: object, k: string): boolean => Object.hasOwn(o, k);

/** The flag a plan must ask for, or undefined when it must succeed (the spec of the refusals). */
function missingInput(options: SmsOptions, desired: DesiredSettings): string | undefined {
  if (desired.gatewayUrl === undefined && nonEmpty(options.gateway_url) === undefined) return '--gateway-url';
  const auth = desired.authentication;
  if (auth?.method !== 'bearer') return undefined;
  const current = isPlainObject(options.gateway_authentication) ? options.gateway_authentication : {};
  if ((auth.audience ?? nonEmpty(current.audience)) === undefined) return '--audience';
  if ((auth.secret ?? nonEmpty(current.secret)) === undefined) return '--secret-env/--secret-file/--generate-secret';
  return undefined;
}

/** Plans, or checks the refusal and returns undefined. */
function planOrRefusal(options: SmsOptions, desired: DesiredSettings) {
  const missing = missingInput(options, desired);
  if (missing === undefined) return planSmsUpdate(connectionWith(options), desired);
  let error: unknown;
  try {
    planSmsUpdate(connectionWith(options), desired);
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(CliError);
  expect((error as CliError).exitCode).toBe(ExitCode.input);
  expect((error as CliError).message).toContain(missing);
  return undefined;
}

/** The keys of a Change path: `a.b` and `a["x.y"]` forms (diff.ts). */
function pathSegments(path: string): string[] {
  const segments: string[] = [];
  let rest = path;
  while (rest !== '') {
    const match = /^(?:\.?([A-Za-z_$][A-Za-z0-9_$-]*)|\[("(?:[^"\\]|\\.)*")\])/.exec(rest);
    if (match === null) throw new Error(`unparseable path ${path}`);
    segments.push(match[1] ?? (JSON.parse(match[2] ?? '') as string));
    rest = rest.slice(match[0].length);
  }
  return segments;
}

function valueAt(root: unknown, segments: string[]): { present: boolean; value: unknown } {
  let node: unknown = root;
  for (const segment of segments) {
    if (!isPlainObject(node) || !has(node, segment)) return { present: false, value: undefined };
    node = node[segment];
  }
  return { present: true, value: node };
}

function secretsIn(value: unknown, out: Set<string> = new Set()): Set<string> {
  if (typeof value === 'string' && value.startsWith(SECRET_MARKER)) out.add(value);
  else if (Array.isArray(value)) value.forEach((v) => secretsIn(v, out));
  else if (isPlainObject(value)) Object.values(value).forEach((v) => secretsIn(v, out));
  return out;
}

/** Each change describes a real difference at its path, safely. */
function expectTruthfulChanges(before: object, after: object, changes: Change[]): void {
  for (const change of changes) {
    const segments = pathSegments(change.path);
    const b = valueAt(before, segments);
    const a = valueAt(after, segments);
    expect(change.secret).toBe(segments.some(isSecretKey));
    const shown = (v: unknown) => (change.secret ? REDACTED : redactDeep(v));
    if (change.kind === 'added') {
      expect(b.present).toBe(false);
      expect(a.present).toBe(true);
      expect(change.after).toStrictEqual(shown(a.value));
      expect(has(change, 'before')).toBe(false);
    } else if (change.kind === 'removed') {
      expect(b.present).toBe(true);
      expect(a.present).toBe(false);
      expect(change.before).toStrictEqual(shown(b.value));
      expect(has(change, 'after')).toBe(false);
    } else {
      expect(b.present && a.present).toBe(true);
      expect(deepEqual(b.value, a.value)).toBe(false);
      expect(change.before).toStrictEqual(shown(b.value));
      expect(change.after).toStrictEqual(shown(a.value));
    }
  }
  // Every top-level key that differs has an entry, and no other key does.
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
  const differing = [...keys].filter((k) => has(before, k) !== has(after, k) || !deepEqual((before as Record<string, unknown>)[k], (after as Record<string, unknown>)[k]));
  expect(new Set(changes.map((c) => pathSegments(c.path)[0]))).toEqual(new Set(differing));
}

describe('planSmsUpdate properties', () => {
  it('keeps every key it was not asked to change, exactly and in order', () => {
    fc.assert(
      fc.property(caseArb, ({ options, desired }) => {
        const snapshot = structuredClone(options);
        const plan = planOrRefusal(options, desired);
        expect(options).toStrictEqual(snapshot); // the input is never mutated
        if (plan === undefined) return;
        const { next } = plan;
        const rewritten = new Set<string>(REWRITTEN_KEYS);
        for (const key of new Set([...Object.keys(options), ...Object.keys(next)])) {
          if (rewritten.has(key)) continue;
          expect(has(next, key)).toBe(has(options, key));
          expect(next[key]).toStrictEqual(options[key]);
        }
        // Keys that were there keep their relative order; new keys come after them.
        const kept = Object.keys(options).filter((k) => has(next, k));
        const added = Object.keys(next).filter((k) => !has(options, k));
        expect(Object.keys(next)).toEqual([...kept, ...added]);
      }),
      RUNS,
    );
  });

  it('sets what was asked, and keeps current values where nothing was asked', () => {
    fc.assert(
      fc.property(caseArb, ({ options, desired }) => {
        const plan = planOrRefusal(options, desired);
        if (plan === undefined) return;
        const { next } = plan;
        expect(next.provider).toBe('sms_gateway');
        expect(next.gateway_url).toBe(desired.gatewayUrl ?? options.gateway_url);

        for (const [key, wanted] of [
          ['forward_req_info', desired.forwardReqInfo],
          ['from', desired.from],
          ['template', desired.template],
        ] as const) {
          if (wanted !== undefined) {
            // A stored "false" asked for as false is the same setting: no write for it alone,
            // so a plan with nothing else to change leaves the string as it is.
            if (key === 'forward_req_info' && plan.noop && typeof options[key] === 'string') expect(next[key]).toBe(String(wanted));
            else expect(next[key]).toBe(wanted);
          } else if (key === 'forward_req_info' && typeof options[key] === 'string' && !plan.noop) {
            // A stored "true"/"false" is written back as the boolean it means on any rewrite.
            expect(next[key]).toBe(options[key] === 'true');
          } else {
            expect(has(next, key)).toBe(has(options, key));
            expect(next[key]).toStrictEqual(options[key]);
          }
        }

        for (const key of ['twilio_sid', 'twilio_token', 'messaging_service_sid'] as const) {
          const holdsValue = options[key] !== null && options[key] !== undefined && options[key] !== '';
          if (desired.keepTwilio === true || !holdsValue) {
            expect(has(next, key)).toBe(has(options, key));
            expect(next[key]).toStrictEqual(options[key]);
          } else expect(has(next, key)).toBe(false);
        }

        const auth = desired.authentication;
        const currentAuth = options.gateway_authentication;
        if (auth === undefined) {
          expect(has(next, 'gateway_authentication')).toBe(has(options, 'gateway_authentication'));
          expect(next.gateway_authentication).toStrictEqual(currentAuth);
        } else if (auth.method === 'none') {
          // Absent, or left as null, which already means "no authentication".
          if (currentAuth === null) expect(next.gateway_authentication).toBeNull();
          else expect(has(next, 'gateway_authentication')).toBe(false);
        } else {
          const current = isPlainObject(currentAuth) ? currentAuth : undefined;
          const written = next.gateway_authentication;
          expect(isPlainObject(written)).toBe(true);
          expect(written).toMatchObject({
            method: 'bearer',
            subject: auth.subject ?? nonEmpty(current?.subject) ?? 'urn:Auth0',
            audience: auth.audience ?? nonEmpty(current?.audience),
            secret: auth.secret ?? nonEmpty(current?.secret),
          });
          const base64 = auth.secretBase64Encoded ?? (current === undefined ? false : current.secret_base64_encoded);
          expect(written?.secret_base64_encoded).toBe(base64);
          // Keys of the current object the tool does not write survive too.
          if (current !== undefined && has(current, 'future_key')) expect(written?.['future_key']).toStrictEqual(current['future_key']);
        }
      }),
      {
        ...RUNS,
        // Found by a random run: a gateway connection storing "false", asked for false alone.
        examples: [[{ options: { provider: 'sms_gateway', gateway_url: 'https://sms.example.com/send', forward_req_info: 'false' }, desired: { forwardReqInfo: false } }]],
      },
    );
  });

  it('converges: planning its own result again changes nothing', () => {
    fc.assert(
      fc.property(caseArb, ({ options, desired }) => {
        const plan = planOrRefusal(options, desired);
        if (plan === undefined) return;
        const again = planSmsUpdate(connectionWith(plan.next), desired);
        expect(again.noop).toBe(true);
        expect(again.changes).toEqual([]);
        expect(again.next).toStrictEqual(plan.next);
      }),
      RUNS,
    );
  });

  it('reports exactly the differences, never a secret', () => {
    fc.assert(
      fc.property(caseArb, ({ options, desired }) => {
        const plan = planOrRefusal(options, desired);
        if (plan === undefined) return;
        expect(plan.changes).toStrictEqual(diffOptions(options, plan.next));
        expect(plan.noop).toBe(plan.changes.length === 0);
        expect(plan.noop).toBe(deepEqual(options, plan.next));
        expectTruthfulChanges(options, plan.next, plan.changes);
        const printable = JSON.stringify([plan.changes, plan.warnings]);
        for (const secret of secretsIn([options, desired])) expect(printable).not.toContain(secret);
      }),
      RUNS,
    );
  });
});

describe('diffOptions properties', () => {
  // Identifier keys at every level, so paths can be walked back.
  const objectArb = fc.letrec((tie) => ({
    value: fc.oneof({ depthSize: 'small' }, fc.constantFrom(null, true, 0, 'x', 'token'), fc.array(fc.nat(3), { maxLength: 2 }), tie('object')),
    object: fc.dictionary(fc.constantFrom('a', 'b', 'secret', 'twilio_token', 'nested', 'list'), tie('value'), { maxKeys: 4, noNullPrototype: true }),
  })).object as fc.Arbitrary<Record<string, unknown>>;

  it('lists each difference truthfully and every differing key', () => {
    fc.assert(
      fc.property(objectArb, objectArb, (before, after) => {
        const changes = diffOptions(before, after);
        expectTruthfulChanges(before, after, changes);
        expect(changes.length === 0).toBe(deepEqual(before, after));
      }),
      { numRuns: 500 },
    );
  });
});

describe('rewritableOptions properties', () => {
  it('reads any options Auth0 could return unchanged, key order included', () => {
    fc.assert(
      fc.property(optionsArb, (options) => {
        const parsed = rewritableOptions({ id: 'con_Pr0p3rty00000001', name: 'sms', strategy: 'sms', options });
        expect(parsed).toStrictEqual(options);
        expect(JSON.stringify(parsed)).toBe(JSON.stringify(options));
      }),
      RUNS,
    );
  });
});
