import type { ManagementApi } from '../auth0/client.js';
import { diffOptions, deepEqual, type Change } from '../core/diff.js';
import { CliError, ExitCode, inputError, remoteError } from '../core/errors.js';
import { createHash } from 'node:crypto';
import { ACTION_SECRET_NAME, parseActionCode, renderActionCode, withSecretFingerprint, type ActionSettings } from '../core/action-code.js';
import { gatewayUrlProblem } from '../core/gateway-url.js';
import { audienceSchema, subjectSchema } from '../core/validate.js';
import { firstProblem } from '../core/zod-issues.js';
import { findOurAction, isDeployed, shownSettings, templateLabel, type OurAction, type PhoneProvider, type PhoneState } from '../core/phone-provider.js';
import { registerSecret } from '../core/redact.js';
import { shellQuote } from '../core/shell.js';
import { equivalentPhoneCommand } from '../ui/wizard.js';
import { BIN_NAME } from '../version.js';
import { untrusted } from '../core/untrusted.js';
import { changesToJson, renderChanges } from '../ui/diff.js';
import type { PhoneBackup } from './backup.js';
import type { CommandContext } from './context.js';
import { backupPhoneSide, describePlannedSteps, ensurePhoneUnmoved, phoneStateOf, readPhoneView, scopesFor } from './phone-provider.js';
import { realStepRunner, sendSettled, type PhoneWrite } from './phone-writes.js';
import type { WriteFlags } from './settings-flags.js';
import { acquireLocks } from './lock.js';
import { checkBeforeAsking, confirmOrThrow, exitingNow } from './write.js';

export interface PhoneRestoreFlags extends WriteFlags {
  /** The environment variable that holds a Twilio provider's auth token, which Auth0 never returns. */
  twilioAuthTokenEnv?: string | undefined;
  /**
   * Deploy Action code the tool cannot check as it is: --force, for a backup in a safe place
   * (restore.ts decides; `unsafeLocation` says why --force does not count).
   */
  force?: boolean | undefined;
  forceCode?: boolean | undefined;
  unsafeLocation?: string | undefined;
}

/**
 * The code a restore deploys for the backup's Action: the tool's current code rendered from the
 * settings the backup's code holds, checked as configure checks them. Never the backup's text as
 * such: the tool's header and settings block can frame any code (an edit that also sends each
 * code elsewhere), and an older template cannot be told from such an edit. Code whose settings
 * cannot be read, or that is not the tool's, is deployed as it is only with --force.
 */
function codeToRestore(code: string, file: string, flags: PhoneRestoreFlags): string {
  const parsed = parseActionCode(code);
  if (parsed.kind === 'ours' && parsed.settings !== null) {
    const { settings } = parsed;
    for (const [field, problem] of [
      ['gateway_url', gatewayUrlProblem(settings.gateway_url)],
      ['audience', settings.audience === undefined ? undefined : firstProblem(audienceSchema, settings.audience)],
      ['subject', settings.subject === undefined ? undefined : firstProblem(subjectSchema, settings.subject)],
    ] as const) {
      if (problem !== undefined) throw inputError(`${untrusted(file)}: the Action's ${field}: ${problem}`, 'this backup cannot be restored as it is: edit it, or restore another one');
    }
    return renderActionCode(settings);
  }
  if (flags.forceCode === true) return code;
  const what = parsed.kind === 'ours' ? `the tool's, but its settings cannot be read (${parsed.problem ?? 'unreadable'})` : "not the tool's code";
  throw inputError(
    `${untrusted(file)}: the Action's code is ${what}: a restore deploys only code it can check`,
    flags.force === true && flags.unsafeLocation !== undefined
      ? `--force does not deploy unchecked code from this backup: ${flags.unsafeLocation}; move it to a private folder (chmod go-w), or set the Action up with \`auth0-sms-gateway phone-provider configure\``
      : "set the Action up with `auth0-sms-gateway phone-provider configure`; --force deploys the backup's code as it is",
  );
}

/** One step of a restore: the writes it sends, what it will do (the plan shown before), and what it says once done. */
interface RestoreStep {
  writes: PhoneWrite[];
  plan: string;
  say: string;
  /**
   * For a step of several writes: what is done once the first k have gone through (index k - 1)
   * and the next was refused (`refused`), or its answer was lost (`lost`).
   */
  partly?: { refused: string; lost: string }[];
}

/** `token`: how the provider's Twilio auth token appears (Auth0 never returns it); undefined for none. */
function providerView(provider: PhoneProvider | null, token?: string): Record<string, unknown> {
  return provider === null
    ? {}
    : {
        phone_provider: {
          name: provider.name,
          enabled: provider.disabled !== true,
          configuration: provider.configuration ?? null,
          ...(token === undefined ? {} : { credentials: { auth_token: token } }),
        },
      };
}

/**
 * The tool's Action as the restore diff shows it. The code's digest is there because a code
 * edited by hand may read the same settings: any code the restore writes shows as a change.
 */
function actionView(name: string, code: string, deployed: boolean): Record<string, unknown> {
  const parsed = parseActionCode(code);
  return {
    name,
    ...(parsed.kind === 'ours' ? { template: templateLabel(parsed), settings: shownSettings(parsed.settings) } : { template: '(not this tool\'s code)' }),
    code: `sha256:${createHash('sha256').update(code).digest('hex').slice(0, 12)}`,
    deployed,
  };
}

/** The settings of the tool's code when it signs with a secret (bearer); undefined otherwise. */
function bearerSettingsOf(code: unknown): ActionSettings | undefined {
  const parsed = parseActionCode(code);
  return parsed.kind === 'ours' && parsed.settings?.authentication === 'bearer' ? parsed.settings : undefined;
}

/** The command that installs the backup's Action again, from the settings its code holds (the secret has to be given again). */
function reinstallCommand(code: string): string {
  const parsed = parseActionCode(code);
  if (parsed.kind !== 'ours' || parsed.settings === null) return `${BIN_NAME} phone-provider configure --gateway-url <url> …`;
  const secretEnv = '<VARIABLE>';
  // The wizard's command, less its --yes: nobody has seen this plan yet.
  return equivalentPhoneCommand({ bin: BIN_NAME, settings: parsed.settings, secretEnv })
    .filter((word) => word !== '--yes')
    .map((word) => (word === secretEnv ? word : shellQuote(word)))
    .join(' ');
}

/** The Twilio token for a restored Twilio provider, read before any request. */
function twilioToken(backup: PhoneBackup, flags: PhoneRestoreFlags, env: NodeJS.ProcessEnv): string | undefined {
  if (backup.phoneProvider?.name !== 'twilio') return undefined;
  const hint = 'export the Twilio auth token as a variable (e.g. TWILIO_AUTH_TOKEN) and pass --twilio-auth-token-env TWILIO_AUTH_TOKEN';
  if (flags.twilioAuthTokenEnv === undefined) {
    throw inputError("this backup holds a Twilio phone provider, and Auth0 never returns its auth token: it has to be given again", hint);
  }
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(flags.twilioAuthTokenEnv)) throw inputError('--twilio-auth-token-env takes the NAME of an environment variable, not the token', hint);
  const token = env[flags.twilioAuthTokenEnv];
  if (token === undefined || token === '') throw inputError('the environment variable named by --twilio-auth-token-env is not set or empty', hint);
  // Hidden from every message from here on, as any secret the tool reads: Auth0 may quote it back.
  registerSecret(token);
  return token;
}

/**
 * Puts the phone side back as a backup holds it: the provider (none stays none: the one the
 * tool created is deleted), the trigger's bindings, and the tool's own Action (deleted when
 * the backup had none; its code put back otherwise; its secret cannot be, Auth0 never returns
 * one). The order keeps a working provider as long as possible: a provider going away or to
 * Twilio first, bindings next, a `custom` provider after its Action is bound, the tool's
 * Action last.
 */
export async function restorePhoneSide(ctx: CommandContext, api: ManagementApi, backup: PhoneBackup, file: string, flags: PhoneRestoreFlags): Promise<number> {
  const { output } = ctx;
  const token = twilioToken(backup, flags, ctx.io.env);
  const state: PhoneState = phoneStateOf(await readPhoneView(api, { tolerant: false, output }));
  const ours = findOurAction(state);
  const target = backup.phoneProvider;
  const current = state.provider;
  const steps: RestoreStep[] = [];

  const providerBody = (provider: PhoneProvider): Record<string, unknown> => ({
    name: provider.name,
    disabled: provider.disabled === true,
    configuration: provider.configuration ?? {},
    ...(provider.name === 'twilio' ? { credentials: { auth_token: token } } : provider.name === 'custom' ? { credentials: {} } : {}),
  });
  const providerMatches = current !== null && target !== null && current.name === target.name && (current.disabled === true) === (target.disabled === true) && deepEqual(current.configuration ?? {}, target.configuration ?? {});
  // A Twilio provider's token cannot be compared; given again, it is written again.
  const providerStep = (): RestoreStep | undefined => {
    if (target === null) return current === null ? undefined : { writes: [{ kind: 'delete-provider', id: current.id }], plan: 'delete the phone provider (the backup was taken when there was none)', say: 'deleted the phone provider (the backup was taken when there was none)' };
    if (providerMatches && target.name !== 'twilio') return undefined;
    if (current === null) return { writes: [{ kind: 'create-provider', body: providerBody(target) }], plan: `create the phone provider "${untrusted(target.name)}"`, say: `created the phone provider "${untrusted(target.name)}"` };
    return { writes: [{ kind: 'update-provider', id: current.id, body: providerBody(target) }], plan: `set the phone provider back to "${untrusted(target.name)}"`, say: `set the phone provider back to "${untrusted(target.name)}"` };
  };
  const early = target === null || target.name !== 'custom';
  if (early) {
    const step = providerStep();
    if (step !== undefined) steps.push(step);
  }
  if (backup.action !== null && ours === null) {
    // Its code is in the backup, but not its secret (Auth0 never returns one): configure installs it again.
    throw remoteError(
      `the tool's Action "${untrusted(backup.action.name)}" no longer exists, and a restore cannot create it again without its secret: nothing was written`,
      `install it again with \`${untrusted(reinstallCommand(backup.action.code))}\`, then run this restore for the rest if needed`,
    );
  }
  // The backup binds the tool's Action by the id it had then; one installed again since has
  // another id, and is the one the restore binds (and puts the code back into, below).
  const wanted = backup.bindings.map((binding) =>
    backup.action !== null && ours !== null && binding.action.id === backup.action.id && ours.action.id !== backup.action.id
      ? { ...binding, action: { ...binding.action, id: ours.action.id, name: ours.action.name } }
      : binding,
  );
  const wantedIds = wanted.map((binding) => binding.action.id);
  if (!deepEqual(state.bindings.map((binding) => binding.action.id), wantedIds)) {
    for (const binding of wanted) {
      const action = state.actions.find((candidate) => candidate.id === binding.action.id);
      if (action === undefined) throw remoteError(`the Action "${untrusted(binding.action.name ?? binding.action.id)}" the backup binds no longer exists: nothing was written`, 'bind another Action in the Dashboard, or restore a newer backup');
      if (!isDeployed(action)) throw remoteError(`the Action "${untrusted(action.name)}" the backup binds is not deployed: Auth0 cannot bind it; nothing was written`, 'deploy it in the Dashboard, then run the restore again');
    }
    steps.push({
      writes: [
        {
          kind: 'bind',
          bindings: wanted.map((binding) => ({ ref: { type: 'action_id', value: binding.action.id }, display_name: binding.display_name ?? binding.action.name ?? binding.action.id })),
        },
      ],
      plan: wanted.length === 0 ? 'remove the custom-phone-provider binding' : `bind ${wanted.map((b) => untrusted(b.action.name ?? b.action.id)).join(', ')} again`,
      say: wanted.length === 0 ? 'removed the custom-phone-provider binding' : `bound ${wanted.map((b) => untrusted(b.action.name ?? b.action.id)).join(', ')} again`,
    });
  }
  if (!early) {
    const step = providerStep();
    if (step !== undefined) steps.push(step);
  }
  if (backup.action === null && ours !== null) steps.push({ writes: [{ kind: 'delete-action', id: ours.action.id }], plan: `delete the Action ${untrusted(ours.action.name)} (the backup had none)`, say: `deleted the Action ${untrusted(ours.action.name)} (the backup had none)` });
  // The tool's Action now, whichever id it has: the backup's code goes back into it, but not the
  // backup's secret, so the code's secret fingerprint stays the one of the secret the Action
  // keeps (none when the code in place names none): otherwise the next apply would believe a
  // secret in place that the Action does not hold.
  const heldFingerprint = bearerSettingsOf(ours?.action.code)?.secret_fingerprint;
  // The backup's code as it would go back; checked (and written as the tool's current code) only
  // when it differs from the code in place: a restore that writes no code deploys nothing.
  const asWas = backup.action === null ? undefined : withSecretFingerprint(backup.action.code, heldFingerprint);
  // (asWas already carries the held fingerprint: the tool's code rendered from its settings keeps it.)
  const backupCode = asWas === undefined || asWas === ours?.action.code ? asWas : codeToRestore(asWas, file, flags);
  const backupBearer = bearerSettingsOf(backup.action?.code);
  // Fingerprints are salted, and a run that keeps a secret keeps its fingerprint: another one
  // means the secret was set again since the backup, most likely to another value.
  const secretMayDiffer = backupBearer?.secret_fingerprint !== undefined && backupBearer.secret_fingerprint !== heldFingerprint;
  const putBackCode = backupCode !== undefined && ours !== null && ours.action.code !== backupCode;
  if (putBackCode && backupBearer !== undefined && !(ours.action.secrets ?? []).some((secret) => secret.name === ACTION_SECRET_NAME)) {
    // The code would sign every message with a secret the Action does not have: every SMS would fail.
    throw remoteError(
      `the backup's Action code signs with a secret, and the Action "${untrusted(ours.action.name)}" has none now (it was set to no authentication since); a restore cannot put a secret back (Auth0 never returns one): nothing was written`,
      `set it up again with \`${untrusted(reinstallCommand(backupCode))}\`, then run this restore for the rest if needed`,
    );
  }
  if (putBackCode) {
    steps.push({
      writes: [
        { kind: 'update-action', id: ours.action.id, body: { code: backupCode } },
        { kind: 'deploy-action', id: ours.action.id },
      ],
      plan: `put the code of ${untrusted(ours.action.name)} back and deploy it`,
      say: `put the code of ${untrusted(ours.action.name)} back and deployed it`,
      partly: [
        {
          refused: `put the code of ${untrusted(ours.action.name)} back, not deployed (the deployed version still runs)`,
          lost: `put the code of ${untrusted(ours.action.name)} back; whether it was deployed is unknown`,
        },
      ],
    });
  }

  // The diff is the tenant before and after these steps (not the backup as such): what is shown is what is written.
  const writes = (...kinds: PhoneWrite['kind'][]) => steps.some((step) => step.writes.some((write) => kinds.includes(write.kind)));
  const providerWritten = writes('create-provider', 'update-provider', 'delete-provider');
  // Auth0 never returns a Twilio token, and every output redacts it: two different marks make its line show as written.
  const twilioTokenBefore = current?.name === 'twilio' ? '(set)' : undefined;
  const before = {
    ...providerView(current, twilioTokenBefore),
    bound_to_custom_phone_provider: bindingLabels(state.bindings, wanted),
    tool_action: currentActionView(ours),
  };
  const after = {
    ...(providerWritten ? providerView(target, target?.name === 'twilio' ? '(given again)' : undefined) : providerView(current, twilioTokenBefore)),
    bound_to_custom_phone_provider: writes('bind') ? bindingLabels(wanted, state.bindings) : bindingLabels(state.bindings, wanted),
    tool_action:
      backupCode === undefined || ours === null ? null : putBackCode ? actionView(ours.action.name, backupCode, true) : currentActionView(ours),
  };
  const changes: Change[] = diffOptions(before, after);
  if (steps.length > 0 && changes.length === 0) {
    // Never write what was not shown: a step the diff cannot show is a defect, not a restore.
    throw new CliError(ExitCode.remote, 'the restore planned a write its diff does not show: nothing was written', { hint: 'please report it with the output of --verbose' });
  }
  const dryRun = flags.dryRun === true;
  const report = (changed: boolean, saved: string | null, done: string[]) => {
    if (output.json) output.printJson({ phoneProvider: { domain: api.domain }, changed, dryRun, diff: changesToJson(changes), planned: steps.map((step) => step.plan), backup: saved, steps: done, restoredFrom: file });
  };
  if (!output.json) output.data(`${output.style.bold('phone provider')} of ${api.domain}, back to the backup of ${untrusted(backup.createdAt)}\n${renderChanges(changes, output.style)}`);
  if (backup.action !== null && ours !== null && (putBackCode || secretMayDiffer)) {
    output.warn(
      secretMayDiffer
        ? `the Action's secret may not be the one it had at the time of the backup, and a restore cannot put a secret back (Auth0 never returns it): it keeps the one it has now; if the gateway expects the old one, set it with \`auth0-sms-gateway phone-provider configure --secret-env <VARIABLE>\``
        : 'the Action\'s secret cannot be put back (Auth0 never returns it): it keeps the one it has now',
    );
  }
  if (steps.length === 0) {
    output.info(`Nothing to change${secretMayDiffer ? ' that a restore can write' : ''}: the phone provider already is as the backup holds it${secretMayDiffer ? ', but for the secret' : ''}.`);
    report(false, null, []);
    return ExitCode.ok;
  }
  output.info(describePlannedSteps(steps.map((step) => step.plan)));
  checkBeforeAsking(ctx, api, flags, scopesFor(steps.flatMap((step) => step.writes.map((write) => write.kind))));
  if (dryRun) {
    output.info(`Dry run: ${steps.length} step${steps.length === 1 ? '' : 's'} planned, nothing written.`);
    report(false, null, []);
    return ExitCode.ok;
  }
  await confirmOrThrow(ctx, `Restore the phone provider of ${api.domain} to the backup of ${untrusted(backup.createdAt)}?`);
  const release = await acquireLocks(ctx.io.env, api.domain, ['phone-provider']);
  const done: string[] = [];
  let saved: string | null;
  try {
    // A person answered: the tenant may have moved while the question waited.
    if (!ctx.globals.yes) await ensurePhoneUnmoved(api, state);
    saved = backupPhoneSide(ctx, api, state, flags);
    if (saved !== null) output.info(`backup: ${saved}`);
    const before = saved;
    await ctx.interrupts.guard(
      () => runRestoreSteps(ctx, api, steps, done, before),
      () => `which steps of the restore Auth0 carried out is unknown; run \`auth0-sms-gateway status\`${before === null ? '' : ` (the state before it is in ${before})`}`,
      exitingNow(ctx, release),
    );
  } finally {
    release();
  }
  report(true, saved, done);
  if (ctx.interrupts.requested !== undefined) {
    // The signal came during the last step, which finished: nothing is left to do.
    if (done.length === steps.length) {
      throw new CliError(ExitCode.cancelled, `stopped by ${ctx.interrupts.requested} after the last step finished: the phone provider of ${api.domain} is back to the backup of ${untrusted(backup.createdAt)} (${done.join(', ')})`);
    }
    throw new CliError(ExitCode.cancelled, `stopped by ${ctx.interrupts.requested}; done: ${done.length === 0 ? 'nothing' : done.join(', ')}`, {
      hint: 'run the same restore again to finish: it changes only what still differs',
    });
  }
  output.info(output.style.green(`Done: the phone provider of ${api.domain} is back to the backup of ${untrusted(backup.createdAt)}.`));
  return ExitCode.ok;
}

/** Bound Actions by name, with their ids when the two lists' names alone would look the same. */
function bindingLabels(bindings: PhoneBackup['bindings'], other: PhoneBackup['bindings']): string[] {
  const name = (b: PhoneBackup['bindings'][number]) => b.action.name ?? b.action.id;
  const sameNames = deepEqual(bindings.map(name), other.map(name)) && !deepEqual(bindings.map((b) => b.action.id), other.map((b) => b.action.id));
  return bindings.map((b) => (sameNames ? `${name(b)} (${b.action.id})` : name(b)));
}

function currentActionView(ours: OurAction | null): Record<string, unknown> | null {
  return ours === null ? null : actionView(ours.action.name, ours.action.code ?? '', ours.deployed);
}

async function runRestoreSteps(ctx: CommandContext, api: ManagementApi, steps: readonly RestoreStep[], done: string[], saved: string | null): Promise<void> {
  const runner = realStepRunner(ctx.settleWaitsMs);
  for (const step of steps) {
    if (ctx.interrupts.requested !== undefined) return;
    let sent = 0;
    try {
      for (const write of step.writes) {
        await sendSettled(api, write, runner);
        sent++;
      }
    } catch (error) {
      const lost = error instanceof CliError && error.answerLost;
      // Part of a step of several writes counts: an Action's code updated but not deployed is a change.
      const part = step.partly?.[sent - 1];
      const soFar = sent === 0 ? done : [...done, part === undefined ? `part of: ${step.say}` : lost ? part.lost : part.refused];
      throw new CliError(
        error instanceof CliError ? error.exitCode : ExitCode.remote,
        `the restore stopped${lost ? ' with the outcome of its last step unknown' : ''} (${error instanceof CliError ? error.message : String(error)}); done before that: ${soFar.length === 0 ? 'nothing' : soFar.join(', ')}`,
        {
          hint: saved === null ? 'run `auth0-sms-gateway status` to see the tenant' : `the state before this restore is in ${saved}`,
          cause: error,
          outcomeUnknown: lost,
        },
      );
    }
    done.push(step.say);
    ctx.output.info(`  ${step.say}`);
  }
}
