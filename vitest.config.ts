import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Child processes, not worker threads: the sandbox's TLS certificate reaches the real
    // `auth0` SDK (global fetch) through NODE_EXTRA_CA_CERTS, which Node reads only at
    // process start. global-setup.ts makes the certificate and sets the variable before
    // the workers are forked.
    pool: 'forks',
    // One worker per core. Vitest's default in a run is one less than the cores: a single
    // worker on a 2-core CI machine, where most test files wait on child processes, sockets
    // and timers rather than compute (measured on 2 cores: 190 s with one worker, 115 s with
    // two, 145 s with two while another process kept a core busy).
    maxWorkers: '100%',
    globalSetup: ['test/helpers/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
