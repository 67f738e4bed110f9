// Redaction by value: every registered secret is hidden wherever a text holds it, the longest
// one where several start at the same place, and nothing else changes. Checked against a plain
// search over every secret, on texts made of few characters (so that secrets overlap, nest and
// follow each other) that hold none of the shapes redactByShape looks for.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { gatewayUrlWarnings, isSecretQueryName, redactUrl, urlCredentials } from '../../src/core/gateway-url.js';
import { isSecretKey, redactByShape, REDACTED, redactText, registerSecret } from '../../src/core/redact.js';
import { holdsSecret } from '../../src/core/bearer.js';

/** Every secret registered in this file (the registry is per process, so it only grows). */
const registered = new Set<string>();
const register = (secret: string) => {
  registerSecret(secret);
  if (secret.length >= 6) registered.add(secret);
};

/** At each position, the longest registered secret that starts there is replaced; then the search goes on after it. */
function reference(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; ) {
    let longest: string | undefined;
    for (const secret of registered) if (text.startsWith(secret, i) && (longest === undefined || secret.length > longest.length)) longest = secret;
    if (longest === undefined) {
      out += text[i];
      i++;
    } else {
      out += REDACTED;
      i += longest.length;
    }
  }
  return out;
}

// Surrogate pairs and a two-byte letter besides ASCII: the matcher works on UTF-16 code units.
const alphabet = fc.constantFrom('a', 'b', '0', '1', '-', 'é', '😀');
const word = (min: number, max: number) => fc.array(alphabet, { minLength: min, maxLength: max }).map((chars) => chars.join(''));

describe('redactText: secrets registered by value', () => {
  it('hides what a plain search over every secret finds, and nothing else', () => {
    fc.assert(
      fc.property(fc.array(word(4, 14), { maxLength: 12 }), fc.array(fc.oneof(word(0, 8), fc.nat(40)), { maxLength: 20 }), (secrets, parts) => {
        for (const secret of secrets) register(secret);
        const all = [...registered];
        // Text from free characters and registered secrets side by side.
        const text = parts.map((part) => (typeof part === 'number' ? (all[part % Math.max(1, all.length)] ?? '') : part)).join('');
        expect(redactText(text)).toBe(reference(text));
      }),
      { numRuns: 400 },
    );
  });

  it('a secret inside a longer one, at the start of the text, at its end and twice in a row', () => {
    register('abcdef0123');
    register('abcdef01234567');
    expect(redactText('abcdef01234567')).toBe(REDACTED);
    expect(redactText('xabcdef0123')).toBe(`x${REDACTED}`);
    expect(redactText('abcdef0123abcdef0123!')).toBe(`${REDACTED}${REDACTED}!`);
    expect(redactText('abcdef012')).toBe('abcdef012');
  });

  it('two secrets whose first six characters hash alike: only the one the text holds is hidden', () => {
    // "10388a" and "p7oqoc" share a bucket of the matcher (found by a search over its hash,
    // HASH_BASE 0x01000193 in src/core/redact.ts: search again if that changes).
    register('10388a-first-secret');
    register('p7oqoc-second-secret');
    expect(redactText('x 10388a-first-secret y')).toBe(`x ${REDACTED} y`);
    expect(redactText('x p7oqoc-second-secret y')).toBe(`x ${REDACTED} y`);
    expect(redactText('x p7oqoc-first-secret 10388a-second-secret y')).toBe('x p7oqoc-first-secret 10388a-second-secret y');
  });

  it('a value shorter than six characters is never looked for', () => {
    register('abc12');
    expect(redactText('xx abc12 yy')).toBe('xx abc12 yy');
  });

  it('a secret holding a quote or a backslash is found where JSON text escapes it (an SDK error quoting a body)', () => {
    const secret = 'qa"gw\\secret-with-quote';
    register(secret);
    const body = JSON.stringify({ message: `Invalid gateway_authentication: "${secret}" is not accepted` });
    expect(body).not.toContain(secret);
    expect(redactText(`Body: ${body}`)).toBe(`Body: {"message":"Invalid gateway_authentication: \\"${REDACTED}\\" is not accepted"}`);
  });

  it('a secret registered after a text was redacted is found in the next one', () => {
    expect(redactText('token-free text zz9911zz')).toBe('token-free text zz9911zz');
    register('zz9911');
    expect(redactText('token-free text zz9911zz')).toBe(`token-free text ${REDACTED}zz`);
  });
});

describe('secret by name and by shape', () => {
  it('keys named for a secret, a password, a passphrase or a signing, HMAC, access, API or private key; not their neighbours', () => {
    for (const key of ['secret', 'twilio_token', 'password', 'passphrase', 'signing_key', 'hmacKey', 'access_key', 'api-key', 'private_key', 'encryption_key', 'shared_key', 'client_assertion']) {
      expect(isSecretKey(key), key).toBe(true);
    }
    for (const key of ['secret_base64_encoded', 'token_type', 'key', 'keys', 'public_key_id', 'access_key_id', 'signing_key_id', 'api_key_id', 'signing_keys', 'passphrase_hint', 'kms_encryption_key_arn', 'gateway_url', 'from', 'audience']) {
      expect(isSecretKey(key), key).toBe(false);
    }
  });

  it('hides such JSON members in free text, escaped quotes within the value included', () => {
    expect(redactByShape('{"signing_key": "k1\\"k2", "passphrase":"p1", "name": "n1"}')).toBe(`{"signing_key": "${REDACTED}", "passphrase":"${REDACTED}", "name": "n1"}`);
    expect(redactByShape('{"x-api-key": "k3", "signing_key_id": "id1", "client-secret": "s1"}')).toBe(`{"x-api-key": "${REDACTED}", "signing_key_id": "id1", "client-secret": "${REDACTED}"}`);
  });
});

describe('urlCredentials: what an echoing gateway must not show', () => {
  it('the password of user:password, a token@ part, secret-named query values; 12 characters or more', () => {
    expect(urlCredentials('https://user:s3cr3t-passw0rd-long@sms.example.com/send')).toEqual(['s3cr3t-passw0rd-long']);
    expect(urlCredentials('https://tok-0123456789abcdef@sms.example.com/send')).toEqual(['tok-0123456789abcdef']);
    expect(urlCredentials('https://sms.example.com/send?sig=abcdefghijkl1234&region=eu-west-1-long-value')).toEqual(['abcdefghijkl1234']);
    // Short ones would hide ordinary words (a user name, `gateway`) in every message.
    expect(urlCredentials('https://sms-gateway@sms.example.com/send?key=gateway&token=short')).toEqual([]);
    expect(urlCredentials('not a url ?token=abcdefghijkl1234')).toEqual([]);
  });
});

describe('credentials in a gateway URL query', () => {
  const secretNames = [
    'token', 'api_key', 'x-api-key', 'X-Api-Key', 'apiKey', 'sig', 'access_token', 'auth_token', 'secret_key',
    'accessToken', 'authToken', 'secretKey', 'apitoken', 'sessionToken', 'idToken', 'jwt', 'bearer', 'pass', 'clientsecret', 'Password',
  ];
  const plainNames = [
    'to', 'from', 'region', 'channel', 'format', 'lang', 'id', 'user', 'sender', 'monkey', 'bypass', 'compass', 'v',
    // About a credential, not one: the last word decides.
    'auth_mode', 'authType', 'key_id', 'keyId', 'token_type', 'signature_method', 'sig_version', 'passThrough', 'credentialsId',
  ];

  it.each(secretNames)('%s is a credential, shown redacted and warned about', (name) => {
    expect(isSecretQueryName(name)).toBe(true);
    const url = `https://sms.example.com/send?region=eu&${name}=VAL123&to=1`;
    expect(redactUrl(url)).toBe(`https://sms.example.com/send?region=eu&${name}=[redacted]&to=1`);
    expect(gatewayUrlWarnings(url)).toContainEqual(expect.stringContaining(`carries a credential in its query (${name})`));
  });

  it.each(plainNames)('%s is not', (name) => {
    expect(isSecretQueryName(name)).toBe(false);
    expect(redactUrl(`https://sms.example.com/send?${name}=x`)).toBe(`https://sms.example.com/send?${name}=x`);
  });
});

describe('holdsSecret: a setting that holds a secret value', () => {
  const secret = 'a-secret-value-0123456789';
  it.each([
    ['the secret itself', secret, true],
    ['the secret inside a URL', `https://gw.example.com/x?k=${secret}`, true],
    ['a template with only its placeholders', '@@password@@ {{ code }} {{code}}', false],
    ['a template that holds the secret too', `@@password@@ ${secret}`, true],
    ['another text', 'urn:my-gateway', false],
    ['not a string', 42, false],
  ] as const)('%s', (_label, value, expected) => {
    expect(holdsSecret(value, secret)).toBe(expected);
  });

  it('ignores secrets too short to tell from other text, and placeholders named like weak secrets', () => {
    expect(holdsSecret('my code is abc', 'abc')).toBe(false);
    expect(holdsSecret('x'.repeat(7), 'x'.repeat(7))).toBe(false);
    expect(holdsSecret('x'.repeat(8), 'x'.repeat(8))).toBe(true);
    // A weak secret that is the placeholder's own word: the placeholder is not the secret.
    expect(holdsSecret('Your code: @@password@@', 'password')).toBe(false);
    expect(holdsSecret('your password here', 'password')).toBe(true);
  });
});
