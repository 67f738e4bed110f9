import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { lstatSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as z from 'zod';
import { deepEqual } from '../core/diff.js';
import { cancelledError, remoteError } from '../core/errors.js';
import { untrusted } from '../core/untrusted.js';
import { defineCommand } from '../flow/command.js';
import type { CommandContext } from '../flow/context.js';
import { startGatewayServer, type GatewayServer } from '../gateway/server.js';
import {
  createCertificate,
  SEED_CLIENTS,
  SEED_IDS,
  SEED_LOGIN_CLIENT_ID,
  seedConnections,
  startSandbox,
  type SandboxConnection,
  type PhoneMessage,
  type Sandbox,
} from '../sandbox/index.js';

const flagsSchema = z.strictObject({ keepRunning: z.boolean().optional() });

interface StepResult {
  command: string;
  exitCode: number;
}

type Generation = 'legacy' | 'unifiedPhone';

const AUDIENCE = 'urn:demo-sms-gateway';
const LEGACY_PHONE = '+15550100100';
const UNIFIED_PHONE = '+15550100200';
const TRIGGER_ID = 'custom-phone-provider';
/** What the "login page" of the demo calls itself at /passwordless/start. */
const LOGIN_USER_AGENT = 'auth0-sms-gateway-demo (a login page)';
/** The signals that stop the demo: Ctrl-C, `kill`, and the terminal going away. */
const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
/** How long a step may take to die after SIGTERM before it gets SIGKILL. */
const KILL_GRACE_MS = 2_000;
/** How long closing a server may take at the end before the demo stops waiting for it. */
const CLOSE_GRACE_MS = 3_000;

/** What the demo started, released at the end however it ends. */
interface Resources {
  dir?: string;
  sandboxes: Sandbox[];
  gateway?: GatewayServer;
}

/** How a run ended when it was not cancelled or failed. */
interface Finished {
  code: number;
  /** Said once everything is released (so that it is true when said). */
  finally?: string;
}

/** Thrown at the next checkpoint once a stop signal has arrived; turned into exit 130. */
class Cancelled extends Error {}

/**
 * The whole flow, for both generations of Auth0 SMS delivery, against two built-in tenants and
 * one gateway, on loopback, over real TLS (docs/auth0-facts.md, "Two generations of SMS
 * delivery"): a legacy tenant whose connection calls the gateway itself, and a Unified Phone
 * Experience tenant whose phone provider runs the Action this tool installs, which calls the
 * same gateway. Each step runs this very CLI as a child process, exactly as a person would type
 * it, with the environment pointing at the right tenant. Nothing is left behind, even on
 * Ctrl-C: the running step is stopped, the tenants and the gateway are closed and the private
 * temporary folder (certificate, backups, env files) is removed.
 */
export const command = defineCommand(flagsSchema, async (ctx, flags) => {
  const stop = new AbortController();
  // Listening replaces Node's default (die at once, leaving the step and the folder behind);
  // the listeners live exactly as long as the demo does.
  const onSignal = (signal: NodeJS.Signals): void => stop.abort(signal);
  for (const signal of STOP_SIGNALS) process.on(signal, onSignal);
  const resources: Resources = { sandboxes: [] };
  let finished: Finished | undefined;
  let failure: unknown;
  try {
    finished = await runDemo(ctx, flags.keepRunning === true, resources, stop.signal);
  } catch (error) {
    failure = error;
  }
  const problems = await release(resources);
  for (const signal of STOP_SIGNALS) process.off(signal, onSignal);

  if (finished === undefined) {
    if (stop.signal.aborted) {
      throw cancelledError(
        `the demo was cancelled (${String(stop.signal.reason)}): ` +
          (problems.length === 0 ? 'the running step was stopped, both tenants and the gateway are closed, and its temporary folder is removed' : `the running step was stopped, but ${problems.join('; ')}`),
      );
    }
    throw failure;
  }
  for (const problem of problems) ctx.output.warn(problem);
  if (finished.finally !== undefined) ctx.output.info(finished.finally);
  return finished.code;
}, { ownSignals: true });

async function runDemo(ctx: CommandContext, keepRunning: boolean, resources: Resources, signal: AbortSignal): Promise<Finished> {
  const { output } = ctx;
  const { style } = output;
  const say = (text: string) => output.info(text);
  const checkpoint = (): void => {
    if (signal.aborted) throw new Cancelled();
  };

  // One private folder for the certificate, the backups and the env files: mkdtemp makes it
  // with a random name and mode 0700, atomically, so no other user can have made it first or
  // look inside.
  const dir = makePrivateDir();
  resources.dir = dir;
  const tls = await createCertificate();
  const certFile = join(dir, 'sandbox-cert.pem');
  writeFileSync(certFile, tls.cert, { mode: 0o600, flag: 'wx' });
  checkpoint();

  // The legacy tenant (created before March 2025): "sms" on Twilio, plus connections of other kinds.
  const legacy = await startSandbox({ tls, connections: seedConnections().filter((c) => c.id !== SEED_IDS.gateway) });
  resources.sandboxes.push(legacy);
  // The Unified Phone Experience tenant: its "sms" connection was created there, so it carries
  // none of provider, twilio_sid, gateway_url and its codes go through the phone provider.
  const unified = await startSandbox({ tls, tenant: { phoneConsolidatedExperience: true }, connections: unifiedConnections() });
  resources.sandboxes.push(unified);
  const initial = { legacy: tenantState(legacy), unifiedPhone: tenantState(unified) };

  const gatewaySecret = randomBytes(32).toString('base64url');
  const received: Record<Generation | 'other', number> = { legacy: 0, unifiedPhone: 0, other: 0 };
  let phase: Generation | 'other' = 'other';
  const via: Record<Generation | 'other', string> = { legacy: 'from the legacy connection', unifiedPhone: 'through the phone-provider Action', other: '' };
  resources.gateway = await startGatewayServer({
    tls,
    verify: { secret: gatewaySecret, audience: AUDIENCE, subject: 'urn:Auth0' },
    onMessage: (payload) => {
      received[phase]++;
      const from = via[phase] === '' ? '' : ` ${via[phase]}`;
      // Everything in the payload came over the network: rendered as visible text.
      say(style.cyan(`  [gateway] received an SMS for ${untrusted(payload.recipient)}${from}: "${untrusted(payload.body)}"${payload.req ? ` (ip ${untrusted(payload.req.ip)})` : ''}`));
    },
    onRejected: (status, reason) => say(style.red(`  [gateway] refused a request with ${status}: ${untrusted(reason)}`)),
  });
  checkpoint();
  const gatewayUrl = `${resources.gateway.url}/sms`;

  const baseEnv: NodeJS.ProcessEnv = {
    PATH: ctx.io.env.PATH,
    HOME: ctx.io.env.HOME,
    TMPDIR: dir,
    // The steps' lock files go in the demo's folder, removed with it: the demo leaves nothing behind.
    XDG_STATE_HOME: join(dir, 'state'),
    NO_COLOR: output.color ? undefined : '1',
    FORCE_COLOR: output.color ? '1' : undefined,
    NODE_EXTRA_CA_CERTS: certFile,
    AUTH0_CLIENT_ID: SEED_CLIENTS.full.clientId,
    AUTH0_CLIENT_SECRET: SEED_CLIENTS.full.clientSecret,
    AUTH0_SMS_GATEWAY_SECRET: gatewaySecret,
    AUTH0_SMS_GATEWAY_BACKUP_DIR: join(dir, 'backups'),
  };
  const envFor = (sandbox: Sandbox): NodeJS.ProcessEnv => ({ AUTH0_DOMAIN: sandbox.domain, ...baseEnv });
  const steps: StepResult[] = [];
  let number = 0;
  const heading = (title: string, line: string): void => {
    number++;
    say(`\n${style.bold(`${number}. ${title}`)}\n${style.dim(line)}`);
  };

  const step = async (sandbox: Sandbox, title: string, args: string[]): Promise<{ stdout: string; stderr: string }> => {
    checkpoint();
    heading(title, `$ auth0-sms-gateway ${args.join(' ')}`);
    const result = await runSelf(
      args,
      envFor(sandbox),
      signal,
      (chunk) => (output.json ? ctx.io.stderr.write(chunk) : ctx.io.stdout.write(chunk)),
      (chunk) => ctx.io.stderr.write(chunk),
    );
    checkpoint();
    steps.push({ command: `auth0-sms-gateway ${args.join(' ')}`, exitCode: result.code ?? 1 });
    if (result.code !== 0) throw remoteError(`demo step "${title}" exited ${result.code ?? `on ${String(result.signal)}`}`, 'run it again with --verbose, and please report it');
    return result;
  };
  const backupOf = (stderr: string, what: string): string => {
    const backup = stderr.match(/^backup: (.+)$/m)?.[1];
    if (backup === undefined) throw remoteError(`the demo's ${what} step printed no backup path`, 'please report it');
    return backup;
  };

  /**
   * What a login page does to send a code: the Authentication API's POST /passwordless/start
   * (https://auth0.com/docs/api/authentication#get-code-or-link). Auth0 (the
   * sandbox) then sends the SMS the way this tenant sends them; returns what it recorded.
   */
  const loginCode = async (sandbox: Sandbox, generation: Generation, phone: string): Promise<PhoneMessage> => {
    checkpoint();
    const body = { client_id: SEED_LOGIN_CLIENT_ID, connection: 'sms', send: 'code', phone_number: phone };
    heading(
      generation === 'legacy' ? 'A user asks for a login code: Auth0 calls the gateway from the connection' : 'A user asks for a login code: Auth0 runs the phone provider\'s Action, which calls the gateway',
      `POST ${sandbox.url}/passwordless/start  ${JSON.stringify(body)}`,
    );
    const before = { messages: sandbox.phoneMessages.length, received: received[generation] };
    const answer = await postJson(`${sandbox.url}/passwordless/start`, body, tls.cert, signal);
    say(`Auth0 answered ${answer.status}${answer.status === 200 ? '' : `: ${untrusted(JSON.stringify(answer.body))}`}`);
    // On the Unified Phone Experience Auth0 answers before the message is sent and gives no
    // feedback on it (https://auth0.com/docs/customize/phone-messages/unified-phone/configure-unified-phone):
    // the demo waits for the tenant to finish sending, then reads what it recorded.
    await untilAborted(sandbox.idle(), signal);
    checkpoint();
    const sent = sandbox.phoneMessages.slice(before.messages);
    for (const message of sent) {
      say(`  [auth0] ${untrusted(message.connection ?? 'phone')} code to ${untrusted(message.to)} via ${message.via}: ${message.outcome}${message.reason === undefined ? '' : ` (${untrusted(message.reason)})`}`);
      for (const log of message.logs) say(style.dim(`    Action log: ${untrusted(log)}`));
    }
    const message = sent.find((m) => m.via === (generation === 'legacy' ? 'gateway' : 'custom-action'));
    const arrived = received[generation] - before.received;
    if (answer.status !== 200 || message?.outcome !== 'delivered' || arrived !== 1) {
      throw remoteError(
        `the login code of the ${generation === 'legacy' ? 'legacy' : 'Unified Phone Experience'} tenant did not reach the gateway (Auth0 answered ${answer.status}, ${message === undefined ? 'no message sent through it' : `sending ended "${message.outcome}"`}, the gateway received ${arrived})`,
        'please report it',
      );
    }
    return message;
  };

  say(
    `${style.bold('auth0-sms-gateway demo')}: Auth0 delivers Passwordless SMS in two generations, and one gateway serves both.\n` +
      `  legacy tenant          ${legacy.url}  (created before March 2025: the connection's options decide; "sms" is on Twilio)\n` +
      `  Unified Phone tenant   ${unified.url}  (phone_consolidated_experience: codes go through the tenant's phone provider)\n` +
      `  your SMS gateway       ${gatewayUrl}  (verifies Auth0's bearer JWT, audience ${AUDIENCE})\n` +
      'All on loopback: no Auth0 account, no internet.',
  );

  // The first generation: the connection's own options send the SMS.
  phase = 'legacy';
  say(`\n${style.bold('Legacy tenant')}: point the connection at the gateway (provider "sms_gateway").`);
  await step(legacy, 'List the SMS connections', ['list']);
  const planArgs = ['configure', 'sms', '--gateway-url', gatewayUrl, '--auth', 'bearer', '--audience', AUDIENCE, '--forward-req-info'];
  await step(legacy, 'Plan the switch to the gateway (dry run: nothing is written)', [...planArgs, '--dry-run']);
  const legacyBackup = backupOf((await step(legacy, 'Apply it: back up, re-read, PATCH the whole options, check', [...planArgs, '--yes'])).stderr, 'configure');
  await loginCode(legacy, 'legacy', LEGACY_PHONE);
  await step(legacy, 'Put the connection back from the backup', ['restore', legacyBackup, '--yes', '--no-backup']);

  // The second generation: the connection has no options to send with; the tenant's phone provider does.
  phase = 'unifiedPhone';
  say(`\n${style.bold('Unified Phone Experience tenant')}: the connection's options are not used; the tenant's phone provider sends the codes.`);
  await step(unified, 'Where do this tenant\'s codes go? (route phone-provider, no provider yet)', ['status']);
  const providerArgs = ['phone-provider', 'configure', '--gateway-url', gatewayUrl, '--auth', 'bearer', '--audience', AUDIENCE, '--forward-req-info'];
  await step(unified, 'Plan the phone provider (dry run: nothing is written)', [...providerArgs, '--dry-run']);
  const unifiedBackup = backupOf(
    (await step(unified, 'Apply it: back up, install the Action, build, deploy, bind, set the provider to "custom", check', [...providerArgs, '--yes'])).stderr,
    'phone-provider configure',
  );
  await step(unified, 'Where do the codes go now? (the Action this tool installed, deployed, and its gateway URL)', ['status']);
  await loginCode(unified, 'unifiedPhone', UNIFIED_PHONE);
  await step(unified, 'Put the phone provider back from the backup (no provider, no Action, no binding)', ['restore', unifiedBackup, '--yes', '--no-backup']);
  phase = 'other';

  const restored = { legacy: deepEqual(tenantState(legacy), initial.legacy), unifiedPhone: deepEqual(tenantState(unified), initial.unifiedPhone) };
  if (!restored.legacy || !restored.unifiedPhone) {
    const which = [restored.legacy ? [] : ['the legacy tenant'], restored.unifiedPhone ? [] : ['the Unified Phone Experience tenant']].flat().join(' and ');
    throw remoteError(`${which} did not return to its initial state`, 'please report it');
  }
  const gatewayMessages = { legacy: received.legacy, unifiedPhone: received.unifiedPhone };
  say(
    style.green(
      `\nDone: the gateway received ${gatewayMessages.legacy} SMS from the legacy connection and ${gatewayMessages.unifiedPhone} through the phone-provider Action,\n` +
        'and both tenants are back exactly where they began (connections, tenant settings, phone provider, Actions, bindings).',
    ),
  );
  const summary = { ok: true, steps, gatewayMessages, restored: true };
  if (!keepRunning) {
    if (output.json) output.printJson(summary);
    return { code: 0 };
  }

  // Keep running: one env file per tenant, in the private folder, readable by this user only.
  const envFiles = { legacy: join(dir, 'legacy.env'), unifiedPhone: join(dir, 'unified.env') };
  writeEnvFile(envFiles.legacy, 'the legacy tenant', envFor(legacy));
  writeEnvFile(envFiles.unifiedPhone, 'the Unified Phone Experience tenant', envFor(unified));
  if (output.json) {
    output.printJson({
      ...summary,
      keepRunning: {
        gatewayUrl,
        audience: AUDIENCE,
        legacy: { domain: legacy.domain, envFile: envFiles.legacy },
        unifiedPhone: { domain: unified.domain, envFile: envFiles.unifiedPhone },
      },
    });
  }
  const settings = `--gateway-url ${gatewayUrl} --auth bearer --audience ${AUDIENCE}`;
  say(
    `\nThe two tenants and the gateway keep running (the gateway prints what it receives). In another terminal:\n\n` +
      `  # the legacy tenant\n  source ${quote(envFiles.legacy)}\n  npx auth0-sms-gateway list\n  npx auth0-sms-gateway configure sms ${settings} --yes\n  npx auth0-sms-gateway test-gateway sms --to ${LEGACY_PHONE}\n\n` +
      `  # the Unified Phone Experience tenant\n  source ${quote(envFiles.unifiedPhone)}\n  npx auth0-sms-gateway status\n  npx auth0-sms-gateway phone-provider configure ${settings} --yes\n  npx auth0-sms-gateway phone-provider test --to ${UNIFIED_PHONE}\n\n` +
      `(The env files hold the tenants' throwaway credentials; they are deleted when you stop the demo.) Ctrl-C stops everything.`,
  );
  await new Promise<void>((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener('abort', () => resolve(), { once: true });
  });
  // Stopping a demo that keeps running is its normal end, as for `serve`: exit 0.
  return { code: 0, finally: 'Demo stopped: the tenants and the gateway are closed, and its temporary files removed.' };
}

/** Closes what the demo started and removes its folder; returns what could not be done. */
async function release(resources: Resources): Promise<string[]> {
  const problems: string[] = [];
  const closing = [...resources.sandboxes.map((sandbox) => sandbox.close()), ...(resources.gateway === undefined ? [] : [resources.gateway.close()])];
  const closed = await Promise.race([
    Promise.allSettled(closing).then((results) => results.every((r) => r.status === 'fulfilled')),
    new Promise<false>((resolve) => setTimeout(() => resolve(false), CLOSE_GRACE_MS).unref()),
  ]);
  if (!closed) problems.push('a sandbox tenant or the gateway did not close cleanly (they stop when this process ends)');
  if (resources.dir !== undefined) {
    try {
      rmSync(resources.dir, { recursive: true, force: true, maxRetries: 3 });
    } catch (error) {
      problems.push(`its temporary folder ${resources.dir} could not be removed (${(error as Error).message}): delete it by hand`);
    }
  }
  return problems;
}

/**
 * A fresh private folder under the system's temporary directory. mkdtemp picks an unpredictable
 * name and creates it 0700 in one step (https://nodejs.org/api/fs.html#fsmkdtempsyncprefix-options),
 * so it cannot be made in advance or swapped for a link by another user. Checked all the same:
 * a TMPDIR on a filesystem without Unix modes would leave it open.
 */
function makePrivateDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'auth0-sms-gateway-demo-'));
  if (process.platform !== 'win32') {
    const stat = lstatSync(dir);
    const ownUid = process.getuid?.();
    if (!stat.isDirectory() || (ownUid !== undefined && stat.uid !== ownUid) || (stat.mode & 0o077) !== 0) {
      rmSync(dir, { recursive: true, force: true });
      throw remoteError(`the temporary folder ${dir} is not private to this user`, 'point TMPDIR at a folder on a filesystem with Unix permissions');
    }
  }
  return dir;
}

/** A `source`-able file of the variables that point the other commands at one tenant; 0600, never an existing file. */
function writeEnvFile(file: string, what: string, env: NodeJS.ProcessEnv): void {
  const lines = Object.entries(env)
    .filter(([key, value]) => value !== undefined && (key.startsWith('AUTH0_') || key === 'NODE_EXTRA_CA_CERTS'))
    .map(([key, value]) => `export ${key}=${quote(String(value))}`);
  writeFileSync(file, `# auth0-sms-gateway demo: ${what} (throwaway credentials, deleted when the demo stops)\n${lines.join('\n')}\n`, { mode: 0o600, flag: 'wx' });
}

/** A word for a POSIX shell. */
function quote(word: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}

/** The Unified Phone Experience tenant's connections: "sms" as a connection made there looks, without legacy delivery settings. */
function unifiedConnections(): SandboxConnection[] {
  return seedConnections()
    .filter((c) => c.id !== SEED_IDS.gateway)
    .map((c) => {
      if (c.id !== SEED_IDS.twilio) return c;
      const { twilio_sid: _sid, twilio_token: _token, messaging_service_sid: _service, ...options } = c.options ?? {};
      return { ...c, id: 'con_UnifiedSmsDemo01', options };
    });
}

/** Everything the demo changes on a tenant and must put back. */
function tenantState(sandbox: Sandbox): unknown {
  return {
    connections: sandbox.connections(),
    settings: sandbox.tenantSettings(),
    phoneProvider: sandbox.phoneProvider() ?? null,
    actions: sandbox.actions(),
    bindings: sandbox.bindings(TRIGGER_ID),
  };
}

/** `work`, or a Cancelled error as soon as the demo is stopped. */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(new Cancelled());
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new Cancelled());
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/** POSTs JSON to the sandbox over TLS, trusting its certificate (this process did not start with NODE_EXTRA_CA_CERTS). */
function postJson(url: string, body: unknown, ca: string, signal: AbortSignal): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const payload = JSON.stringify(body);
    const req = request(
      url,
      { method: 'POST', ca, signal, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload), 'user-agent': LOGIN_USER_AGENT } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('error', reject);
        res.on('end', () => {
          let parsed: unknown = text;
          try {
            parsed = JSON.parse(text);
          } catch {
            // Not JSON: kept as text.
          }
          resolve({ status: res.statusCode ?? 0, body: parsed });
        });
      },
    );
    req.on('error', (error) => reject(signal.aborted ? new Cancelled() : error));
    req.end(payload);
  });
}

/**
 * Runs this CLI again, as a child process, streaming its output. When the demo is stopped the
 * child gets SIGTERM (SIGKILL if it lingers), and this resolves once it is gone, so that
 * nothing is released while a step still uses it.
 */
function runSelf(
  args: string[],
  env: NodeJS.ProcessEnv,
  signal: AbortSignal,
  onStdout: (chunk: string) => void,
  onStderr: (chunk: string) => void,
): Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }> {
  const entry = process.argv[1];
  if (entry === undefined) return Promise.reject(remoteError('cannot find the auth0-sms-gateway executable to run the demo steps'));
  if (signal.aborted) return Promise.reject(new Cancelled());
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [entry, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let killTimer: NodeJS.Timeout | undefined;
    const stopChild = () => {
      child.kill('SIGTERM');
      killTimer = setTimeout(() => child.kill('SIGKILL'), KILL_GRACE_MS);
    };
    signal.addEventListener('abort', stopChild, { once: true });
    const settle = () => {
      clearTimeout(killTimer);
      signal.removeEventListener('abort', stopChild);
    };
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
      onStdout(d);
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
      onStderr(d);
    });
    child.on('error', (error) => {
      settle();
      reject(error);
    });
    child.on('close', (code, exitSignal) => {
      settle();
      resolve({ code, signal: exitSignal, stdout, stderr });
    });
  });
}
