import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Child processes, not worker threads: the sandbox's TLS certificate reaches the real
    // `auth0` SDK (global fetch) through NODE_EXTRA_CA_CERTS, which Node reads only at
    // process start. global-setup.ts makes the certificate and sets the variable before
    // the workers are forked.
    pool: 'forks',
    globalSetup: ['test/helpers/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
