// What a failed Management API request means for a write: whether its answer may have been lost
// (the write may have landed) or the request was never carried out.
import { describe, expect, it } from 'vitest';
import { REDIRECT_NOT_FOLLOWED, TOKEN_REQUEST_FAILED, toCliError } from '../../src/auth0/errors.js';

const context = { operation: 'update', resource: 'connection', target: 'sms', domain: 'acme.eu.auth0.com' } as const;
const reset = () => Object.assign(new TypeError('fetch failed'), { cause: Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }) });

describe('toCliError: lost answers', () => {
  it('a network failure of the request itself: its answer may be lost', () => {
    expect(toCliError(reset(), context).answerLost).toBe(true);
  });

  it('the same failure of the token request that came first: nothing was sent, nothing is lost', () => {
    const error = toCliError(Object.assign(reset(), { [TOKEN_REQUEST_FAILED]: true }), context);
    expect(error.answerLost).toBe(false);
    expect(error.message).toBe('the connection to the tenant was reset (acme.eu.auth0.com, ECONNRESET)');
  });

  it('a redirect: one line naming the domain, a hint naming AUTH0_DOMAIN, and not lost when it answered the token request', () => {
    const redirect = Object.assign(new Error('POST /oauth/token was answered with a redirect'), { code: REDIRECT_NOT_FOLLOWED });
    const error = toCliError({ ...redirect, message: redirect.message, [TOKEN_REQUEST_FAILED]: true }, context);
    expect(error.message).toBe("acme.eu.auth0.com answered with a redirect, which is not followed (it could carry credentials or a write's body to another address)");
    expect(error.hint).toMatch(/^AUTH0_DOMAIN \/ --domain must name the tenant itself/);
    expect(error.answerLost).toBe(false);
    expect(toCliError(redirect, context).answerLost).toBe(true);
  });
});
