import { chmodSync, existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import * as z from 'zod';
import { inputError, type CliError } from '../core/errors.js';
import { lazy } from '../core/lazy.js';
import type { Connection } from '../core/options.js';
import { connectionSchema } from '../core/options-schema.js';
import { phoneSchemas, type Action, type Binding, type PhoneProvider } from '../core/phone-provider.js';
import { placeholderSecretPath, REDACTED, registerSecretsIn } from '../core/redact.js';
import { untrusted } from '../core/untrusted.js';
import { issueLines } from '../core/validate.js';
import { INPUT_LIMITS, readBoundedFile } from './read-input.js';
import { nonEmpty, stateDir } from './state-dir.js';

/** How many problems the error about a broken backup names. */
const BACKUP_PROBLEMS_SHOWN = 5;

export const BACKUP_FORMAT = 'auth0-sms-gateway/backup@1';
export const PHONE_BACKUP_FORMAT = 'auth0-sms-gateway/phone-provider-backup@1';

const header = { createdAt: z.string(), tenant: z.string().min(1), tool: z.string() };

export const connectionBackupSchema = z.object({ format: z.literal(BACKUP_FORMAT), ...header, connection: connectionSchema });
export type ConnectionBackup = z.infer<typeof connectionBackupSchema>;

/**
 * The tenant's phone side as it was: the provider (credentials are never returned, so a Twilio
 * provider's token is not in here), the trigger's bindings, and the tool's own Action (null:
 * there was none).
 */
export const phoneBackupSchema = lazy(() =>
  z.object({
    format: z.literal(PHONE_BACKUP_FORMAT),
    ...header,
    phoneProvider: phoneSchemas().phoneProvider.nullable(),
    bindings: z.array(phoneSchemas().binding),
    action: z.object({ id: z.string().min(1), name: z.string(), code: z.string() }).nullable(),
  }),
);
export type PhoneBackup = z.infer<ReturnType<typeof phoneBackupSchema>>;

export type Backup = ConnectionBackup | PhoneBackup;

/**
 * Backups hold secrets in clear text (they are what `restore` puts back), so they live outside
 * the working directory by default, where a `git add .` cannot pick them up, in a 0700 folder.
 * An empty variable counts as unset, and a relative XDG_STATE_HOME is ignored, as the XDG
 * Base Directory spec says ("If an implementation encounters a relative path in any of these
 * variables it should consider the path invalid and ignore it"): either would otherwise put
 * the backups in the current folder.
 */
export function defaultBackupDir(env: NodeJS.ProcessEnv): string {
  return join(stateDir(env), 'backups');
}

/** The folder a run writes its backups to: --backup-dir, else AUTH0_SMS_GATEWAY_BACKUP_DIR, else the default; empty means unset. */
export function backupDirFor(flag: string | undefined, env: NodeJS.ProcessEnv): string {
  return nonEmpty(flag) ?? nonEmpty(env.AUTH0_SMS_GATEWAY_BACKUP_DIR) ?? defaultBackupDir(env);
}

export interface BackupTarget {
  dir: string;
  tenant: string;
  tool: string;
  now: Date;
}

/** Writes the full connection, secrets included, to a new 0600 file; returns its absolute path. */
export function writeBackup(target: BackupTarget & { connection: Connection }): string {
  const backup: ConnectionBackup = { format: BACKUP_FORMAT, createdAt: target.now.toISOString(), tenant: target.tenant, tool: target.tool, connection: target.connection };
  return writePrivateJson(target, target.connection.name, backup);
}

/** Writes the tenant's phone side as it is now; returns the file's absolute path. */
export function writePhoneBackup(target: BackupTarget & { phoneProvider: PhoneProvider | null; bindings: Binding[]; action: Action | null }): string {
  const backup: PhoneBackup = {
    format: PHONE_BACKUP_FORMAT,
    createdAt: target.now.toISOString(),
    tenant: target.tenant,
    tool: target.tool,
    phoneProvider: target.phoneProvider,
    bindings: target.bindings,
    action: target.action === null ? null : { id: target.action.id, name: target.action.name, code: target.action.code ?? '' },
  };
  return writePrivateJson(target, 'phone-provider', backup);
}

function writePrivateJson(target: BackupTarget, label: string, content: unknown): string {
  const folder = resolve(target.dir);
  // A folder this call creates is 0700 (mkdir's mode is masked by umask, hence the chmod). A
  // folder the user already has keeps its permissions: it may be their project or /tmp; the
  // files in it are 0600 either way.
  if (!existsSync(folder)) {
    mkdirSync(folder, { recursive: true, mode: 0o700 });
    chmodSync(folder, 0o700);
  }
  const stamp = target.now.toISOString().replace(/[:.]/g, '-');
  const safeName = (s: string) => s.replace(/[^A-Za-z0-9._-]/g, '_');
  const file = join(folder, `${safeName(target.tenant)}_${safeName(label)}_${stamp}.json`);
  // restore refuses a backup from such a folder (readBackup): better to say so now than when it is needed.
  const unsafe = unsafeBackupFolder(folder);
  if (unsafe !== undefined) throw unsafe;
  // 'wx': never overwrite an earlier backup.
  writeFileSync(file, `${JSON.stringify(content, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
  chmodSync(file, 0o600);
  return file;
}

/**
 * The error for a backup folder restore would not trust (an existing one others can write, or
 * another user's), so that a write can refuse it before anything changes.
 */
export function unsafeBackupFolder(dir: string): CliError | undefined {
  const folder = resolve(dir);
  const unsafe = untrustedBackupLocation(join(folder, '.probe'));
  return unsafe === undefined
    ? undefined
    : inputError(
        // The probe is a file in the folder: "its folder" is the backup folder itself.
        `the backup folder ${untrusted(folder)} is not safe for backups (${unsafe.replace(/^its folder /, 'it ')}), and restore would refuse a backup from it: nothing was changed`,
        'pass --backup-dir <a folder only you can write> (it wins over AUTH0_SMS_GATEWAY_BACKUP_DIR), e.g. one made with mkdir -m 700',
      );
}

/**
 * Why a backup's file or folder cannot be trusted, if it cannot: writable by others (anyone
 * could have put another tenant's options or a forged gateway URL in it), or owned by another
 * user. Not on Windows, where these mode bits do not exist.
 */
export function untrustedBackupLocation(path: string): string | undefined {
  if (process.platform === 'win32') return undefined;
  const uid = process.getuid?.();
  for (const [what, at] of [['file', path], ['folder', dirname(resolve(path))]] as const) {
    let stats;
    try {
      stats = statSync(at);
    } catch {
      continue;
    }
    // A sticky, world-writable folder (/tmp) keeps others from replacing the file: allowed.
    const sticky = (stats.mode & 0o1000) !== 0;
    if ((stats.mode & 0o002) !== 0 && !(what === 'folder' && sticky)) return `its ${what} is writable by other users`;
    if ((stats.mode & 0o020) !== 0 && what === 'file') return 'it is writable by its group';
    if (uid !== undefined && stats.uid !== uid && stats.uid !== 0) return `its ${what} belongs to another user`;
  }
  return undefined;
}

export async function readBackup(path: string): Promise<Backup> {
  const text = await readBoundedFile(path, { limit: INPUT_LIMITS.backup, what: `the backup file ${untrusted(path)}`, hint: 'pass the path that configure printed after "backup:"' });
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw inputError(`${untrusted(path)} is not JSON`, 'pass a backup file written by auth0-sms-gateway');
  }
  const format = (raw as { format?: unknown } | null)?.format;
  if (format !== BACKUP_FORMAT && format !== PHONE_BACKUP_FORMAT) {
    throw inputError(
      `${untrusted(path)} is not an auth0-sms-gateway backup (${format === undefined ? 'it has no "format"' : `its "format" is ${untrusted(JSON.stringify(format) ?? String(format)).slice(0, 80)}`}, not "${BACKUP_FORMAT}" or "${PHONE_BACKUP_FORMAT}")`,
      'pass a backup file written by auth0-sms-gateway',
    );
  }
  const parsed = format === PHONE_BACKUP_FORMAT ? phoneBackupSchema().safeParse(raw) : connectionBackupSchema.safeParse(raw);
  if (!parsed.success) {
    // Every problem, so that a hand-edited file is mended in one go; a few, for a file that is
    // something else entirely.
    const problems = issueLines(parsed.error.issues);
    const shown = problems.slice(0, BACKUP_PROBLEMS_SHOWN).join('; ') + (problems.length > BACKUP_PROBLEMS_SHOWN ? `; and ${problems.length - BACKUP_PROBLEMS_SHOWN} more` : '');
    throw inputError(`${untrusted(path)} is not an auth0-sms-gateway backup (${untrusted(shown)})`, 'pass a backup file written by auth0-sms-gateway');
  }
  if (parsed.data.format === BACKUP_FORMAT && (parsed.data.connection.options === undefined || parsed.data.connection.options === null)) {
    throw inputError(`${untrusted(path)} holds no connection options`, 'pass a backup written by auth0-sms-gateway configure');
  }
  const placeholder = placeholderSecretPath(parsed.data);
  if (placeholder !== undefined) {
    throw inputError(
      `${untrusted(path)} holds "${REDACTED}" as ${untrusted(placeholder)}: that is how the tool's output hides a secret, and restoring it would replace the real one`,
      'restore the backup file the tool wrote, not a copy of its output',
    );
  }
  registerSecretsIn(parsed.data);
  return parsed.data;
}
