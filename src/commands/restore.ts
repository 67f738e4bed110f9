import * as z from 'zod';
import { diffOptions, isPlainObject } from '../core/diff.js';
import { CliError, ExitCode, inputError } from '../core/errors.js';
import { CONTROL_CHARACTERS, gatewayUrlProblem } from '../core/gateway-url.js';
import { requireSmsConnection, requireSmsOptions } from '../core/options.js';
import { rewritableOptions } from '../core/options-schema.js';
import { holdsSecret } from '../core/bearer.js';
import { secretValuesIn } from '../core/redact.js';
import { untrusted } from '../core/untrusted.js';
import { readBackup, untrustedBackupLocation, type ConnectionBackup } from '../flow/backup.js';
import { defineCommand } from '../flow/command.js';
import type { CommandContext } from '../flow/context.js';
import { restorePhoneSide } from '../flow/phone-restore.js';
import { writeFlagsShape } from '../flow/settings-flags.js';
import { showConfirmWrite } from '../flow/write.js';

const flagsSchema = z.strictObject({ ...writeFlagsShape, force: z.boolean().optional(), twilioAuthTokenEnv: z.string().optional() });
type RestoreFlags = z.output<typeof flagsSchema>;

/**
 * Puts back what a backup holds, through the same diff → confirm → back up → write flow: a
 * connection's options, or the tenant's phone provider and its binding. The backup is checked
 * in full before any request.
 */
export const command = defineCommand(flagsSchema, async (ctx, flags, [fileArgument]) => {
  const file = fileArgument ?? '';
  const risk = untrustedBackupLocation(file);
  if (risk !== undefined && flags.force !== true) {
    throw inputError(`refusing the backup ${untrusted(file)}: ${risk}, so anyone could have changed what it puts back`, 'check the file and its folder (chmod go-w), then run again; --force restores it anyway');
  }
  const saved = await readBackup(file);
  // --force can stand for one thing a restore doubts, not two: a backup anyone could have
  // written does not also get to put control characters onto the tenant.
  if (saved.format === 'auth0-sms-gateway/backup@1') checkConnectionBackup(saved, file, flags.force === true && risk === undefined);
  const api = await ctx.auth0();
  if (saved.tenant !== api.domain && flags.force !== true) {
    throw inputError(`${untrusted(file)} is a backup of tenant ${untrusted(saved.tenant)}, not ${api.domain}`, 'point --domain at that tenant, or pass --force to restore it here anyway');
  }
  if (saved.format === 'auth0-sms-gateway/phone-provider-backup@1') return restorePhoneSide(ctx, api, saved, file, { ...flags, forceCode: flags.force === true && risk === undefined, unsafeLocation: risk });
  return restoreConnection(ctx, saved, file, flags);
});

/**
 * The backed-up options must be options this tool would write itself, whatever strategy the
 * file claims: a hand-edited or forged backup must not put an http:// gateway, control
 * characters or a provider the tool does not know back onto a tenant. Control characters in
 * the texts may also be what the tenant held when the backup was taken (a backup records
 * whatever was there): `force` puts those back, shown escaped in the diff first.
 */
function checkConnectionBackup(saved: ConnectionBackup, file: string, force: boolean): void {
  if (saved.connection.strategy !== 'sms') {
    throw inputError(`${untrusted(file)} is a backup of a "${untrusted(saved.connection.strategy)}" connection; this tool restores SMS connections only`, 'pass a backup written by auth0-sms-gateway configure');
  }
  let options;
  try {
    options = rewritableOptions(saved.connection);
  } catch (error) {
    // The odd value is in the file, not on the tenant: the tenant hint would send people to the Dashboard.
    if (!(error instanceof CliError) || error.exitCode !== ExitCode.input) throw error;
    throw inputError(`${untrusted(file)}: the backup of ${error.message}`, 'this backup cannot be restored as it is: edit it, or restore another one');
  }
  const url = options.gateway_url;
  if (typeof url === 'string' || options.provider === 'sms_gateway') {
    const problem = typeof url === 'string' ? gatewayUrlProblem(url) : 'the backup says provider sms_gateway but holds no gateway_url';
    if (problem !== undefined) throw inputError(`${untrusted(file)}: options.gateway_url: ${problem}`, 'this backup cannot be restored as it is: edit it, or restore another one');
  }
  // The texts Auth0 shows or sends.
  const auth = isPlainObject(options.gateway_authentication) ? options.gateway_authentication : {};
  // Auth0 refuses a gateway_authentication without an audience (and the gateway checks aud).
  if (isPlainObject(options.gateway_authentication) && (typeof auth.audience !== 'string' || auth.audience === '')) {
    throw inputError(`${untrusted(file)}: options.gateway_authentication has no audience, which Auth0 requires`, 'this backup cannot be restored as it is: edit it, or restore another one');
  }
  const texts = [
    ['options.gateway_url', options.gateway_url, false],
    ['options.from', options.from, false],
    ['options.template', options.template, true],
    ['options.gateway_authentication.subject', auth.subject, false],
    ['options.gateway_authentication.audience', auth.audience, false],
  ] as const;
  // A secret of the backup held by one of them would be stored and shown in clear, as apply
  // refuses to write it; hiding it in the diff instead would let a crafted backup blind a line.
  // Not even --force: the fix is in the file.
  const secrets = secretValuesIn(options);
  for (const [field, value] of texts) {
    const held = secrets.find((secret) => holdsSecret(value, secret.value));
    if (held !== undefined) {
      throw inputError(`${untrusted(file)}: ${field} holds the value of options.${untrusted(held.path)}, which would be stored and shown in clear`, 'edit the backup so that the secret is only the secret, or restore another one');
    }
  }
  if (force) return;
  // No control characters (a template may hold line breaks, CRLF included).
  for (const [field, value, lineBreaks] of texts) {
    if (field === 'options.gateway_url') continue;
    if (typeof value !== 'string') continue;
    if (CONTROL_CHARACTERS.test(lineBreaks ? value.replace(/\r?\n/g, '') : value)) {
      throw inputError(
        `${untrusted(file)}: ${field} contains control characters${lineBreaks ? ' other than line breaks' : ''}`,
        'if the tenant held them when the backup was taken, pass --force to put them back as they were (the diff shows them escaped); otherwise edit the backup, or restore another one',
      );
    }
  }
}

async function restoreConnection(ctx: CommandContext, saved: ConnectionBackup, file: string, flags: RestoreFlags): Promise<number> {
  const { output } = ctx;
  const api = await ctx.auth0();
  let current;
  try {
    current = await api.getConnection(saved.connection.id);
  } catch (error) {
    const gone = error instanceof CliError && error.exitCode === ExitCode.input;
    if (!gone) throw error;
    if (flags.force !== true) {
      throw inputError(`${untrusted(saved.connection.name)} (${untrusted(saved.connection.id)}), the connection of this backup, no longer exists in ${api.domain}`, 'pass --force to restore the backup onto the connection that now has that name');
    }
    current = await api.getConnection(saved.connection.name);
  }
  if ((current.id !== saved.connection.id || current.name !== saved.connection.name) && flags.force !== true) {
    throw inputError(`${untrusted(file)} is a backup of ${untrusted(saved.connection.name)} (${untrusted(saved.connection.id)}), not ${untrusted(current.name)} (${current.id})`, 'pass --force to restore it onto this connection anyway');
  }
  const next = rewritableOptions(saved.connection);
  const outcome = await showConfirmWrite(
    ctx,
    api,
    {
      current,
      next,
      // The current options are replaced whole: whatever they hold, odd values included, is only shown.
      changes: diffOptions(requireSmsOptions(requireSmsConnection(current)), next),
      headingSuffix: `, back to the backup of ${untrusted(saved.createdAt)}`,
      nothingToChange: `Nothing to change: ${untrusted(current.name)} already holds the backed-up options.`,
      confirmQuestion: `Restore ${untrusted(current.name)} on ${api.domain} to the backup of ${untrusted(saved.createdAt)}?`,
      json: { restoredFrom: file },
    },
    // The state being replaced gets its own backup: a restore can be undone too.
    flags,
  );
  if (outcome.result === 'applied') output.info(output.style.green(`Done: ${untrusted(current.name)} holds the options of ${untrusted(saved.createdAt)} again.`));
  return 0;
}
