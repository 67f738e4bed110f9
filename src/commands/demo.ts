import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deepEqual } from '../core/diff.js';
import { remoteError } from '../core/errors.js';
import { startGatewayServer } from '../gateway/server.js';
import { createCertificate, SEED_CLIENTS, SEED_IDS, seedConnections, startSandbox } from '../sandbox/index.js';
import type { CommandContext } from './context.js';

export interface DemoFlags {
  keepRunning?: boolean | undefined;
}

interface StepResult {
  command: string;
  exitCode: number;
}

const AUDIENCE = 'urn:demo-sms-gateway';
const PHONE = '+15550100100';

/**
 * The whole flow against a built-in tenant and gateway, on loopback, over real TLS: each step
 * runs this very CLI as a child process, exactly as a person would type it, with the
 * environment pointing at the sandbox. Nothing is left behind: the temporary folder (the
 * sandbox certificate, backups) is removed at the end.
 */
export async function runDemo(ctx: CommandContext, flags: DemoFlags): Promise<number> {
  const { output } = ctx;
  const say = (text: string) => output.info(text);
  const dir = mkdtempSync(join(tmpdir(), 'auth0-sms-gateway-demo-'));
  const tls = await createCertificate();
  const certFile = join(dir, 'sandbox-cert.pem');
  writeFileSync(certFile, tls.cert);

  // The demo tenant: one Passwordless SMS connection on Twilio, plus connections of other kinds.
  const connections = seedConnections().filter((c) => c.id !== SEED_IDS.gateway);
  const sandbox = await startSandbox({ tls, connections });
  const initial = sandbox.connections();
  const gatewaySecret = randomBytes(32).toString('base64url');
  let received = 0;
  const gateway = await startGatewayServer({
    tls,
    verify: { secret: gatewaySecret, audience: AUDIENCE, subject: 'urn:Auth0' },
    onMessage: (payload) => {
      received++;
      say(output.style.cyan(`  [gateway] received an SMS for ${payload.recipient}: "${payload.body}"${payload.req ? ` (ip ${payload.req.ip})` : ''}`));
    },
    onRejected: (status, reason) => say(output.style.red(`  [gateway] refused a request with ${status}: ${reason}`)),
  });
  const env: NodeJS.ProcessEnv = {
    PATH: ctx.io.env.PATH,
    HOME: ctx.io.env.HOME,
    NO_COLOR: output.color ? undefined : '1',
    FORCE_COLOR: output.color ? '1' : undefined,
    NODE_EXTRA_CA_CERTS: certFile,
    AUTH0_DOMAIN: sandbox.domain,
    AUTH0_CLIENT_ID: SEED_CLIENTS.full.clientId,
    AUTH0_CLIENT_SECRET: SEED_CLIENTS.full.clientSecret,
    AUTH0_SMS_GATEWAY_SECRET: gatewaySecret,
    AUTH0_SMS_GATEWAY_BACKUP_DIR: join(dir, 'backups'),
  };
  const steps: StepResult[] = [];
  const gatewayUrl = `${gateway.url}/sms`;

  const step = async (title: string, args: string[], expected = 0): Promise<{ stdout: string; stderr: string }> => {
    say(`\n${output.style.bold(`${steps.length + 1}. ${title}`)}\n${output.style.dim(`$ auth0-sms-gateway ${args.join(' ')}`)}`);
    const result = await runSelf(args, env, (chunk) => (output.json ? ctx.io.stderr.write(chunk) : ctx.io.stdout.write(chunk)), (chunk) => ctx.io.stderr.write(chunk));
    steps.push({ command: `auth0-sms-gateway ${args.join(' ')}`, exitCode: result.code });
    if (result.code !== expected) throw remoteError(`demo step "${title}" exited ${result.code}`, 'run it again with --verbose, and please report it');
    return result;
  };

  let keepRunning = false;
  try {
    say(
      `${output.style.bold('auth0-sms-gateway demo')}: a local Auth0 tenant at https://${sandbox.domain} (one SMS connection, "sms", on Twilio)\n` +
        `and a local SMS gateway at ${gatewayUrl}; both on loopback, no Auth0 account, no internet.`,
    );
    await step('List the SMS connections', ['list']);
    const planArgs = ['configure', 'sms', '--gateway-url', gatewayUrl, '--auth', 'bearer', '--audience', AUDIENCE, '--forward-req-info'];
    await step('Plan the switch to the gateway (dry run: nothing is written)', [...planArgs, '--dry-run']);
    const applied = await step('Apply it: back up, re-read, PATCH the whole options, check', [...planArgs, '--yes']);
    const backup = applied.stderr.match(/^backup: (.+)$/m)?.[1];
    if (backup === undefined) throw remoteError('the demo configure step printed no backup path', 'please report it');
    await step('Send a test SMS through the gateway, exactly as Auth0 would', ['test-gateway', 'sms', '--to', PHONE]);
    await step('Put the connection back from the backup', ['restore', backup, '--yes', '--no-backup']);

    const restored = deepEqual(sandbox.connections(), initial);
    if (!restored) throw remoteError('the demo tenant did not return to its initial state', 'please report it');
    say(output.style.green(`\nDone: the gateway received ${received} SMS, and the tenant is back exactly where it started.`));
    if (output.json) output.printJson({ ok: true, steps, gatewayMessages: received, restored });

    if (flags.keepRunning === true) {
      keepRunning = true;
      const envFile = join(dir, 'demo.env');
      const lines = Object.entries(env)
        .filter(([k, v]) => v !== undefined && (k.startsWith('AUTH0_') || k === 'NODE_EXTRA_CA_CERTS'))
        .map(([k, v]) => `export ${k}='${String(v)}'`);
      writeFileSync(envFile, `${lines.join('\n')}\n`, { mode: 0o600 });
      say(
        `\nThe sandbox tenant and the gateway keep running. In another terminal:\n\n  source ${envFile}\n  npx auth0-sms-gateway list\n\n` +
          `(${envFile} holds the sandbox's throwaway credentials; it is deleted when you stop the demo.) Ctrl-C stops everything.`,
      );
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
    }
    return 0;
  } finally {
    await Promise.all([gateway.close(), sandbox.close()]);
    rmSync(dir, { recursive: true, force: true });
    if (keepRunning) say('Demo stopped; its temporary files are removed.');
  }
}

/** Runs this CLI again, as a child process, streaming its output. */
function runSelf(args: string[], env: NodeJS.ProcessEnv, onStdout: (chunk: string) => void, onStderr: (chunk: string) => void): Promise<{ code: number; stdout: string; stderr: string }> {
  const entry = process.argv[1];
  if (entry === undefined) return Promise.reject(remoteError('cannot find the auth0-sms-gateway executable to run the demo steps'));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [entry, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
      onStdout(d);
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
      onStderr(d);
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}
