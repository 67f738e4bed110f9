import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { connectionSchema, type Connection } from '../core/options.js';
import { inputError } from '../core/errors.js';
import { registerSecretsIn } from '../core/redact.js';

export const BACKUP_FORMAT = 'auth0-sms-gateway/backup@1';

export const backupSchema = z.object({
  format: z.literal(BACKUP_FORMAT),
  createdAt: z.string(),
  tenant: z.string().min(1),
  tool: z.string(),
  connection: connectionSchema,
});
export type Backup = z.infer<typeof backupSchema>;

/**
 * Backups hold secrets in clear text (they are what `restore` puts back), so they live outside
 * the working directory by default, where a `git add .` cannot pick them up, in a 0700 folder.
 */
export function defaultBackupDir(env: NodeJS.ProcessEnv): string {
  const state = env.XDG_STATE_HOME !== undefined && env.XDG_STATE_HOME !== '' ? env.XDG_STATE_HOME : join(env.HOME ?? homedir(), '.local', 'state');
  return join(state, 'auth0-sms-gateway', 'backups');
}

export interface WriteBackupInput {
  dir: string;
  tenant: string;
  connection: Connection;
  tool: string;
  now: Date;
}

/** Writes the full connection, secrets included, to a new 0600 file; returns its absolute path. */
export function writeBackup({ dir, tenant, connection, tool, now }: WriteBackupInput): string {
  const folder = resolve(dir);
  // A folder this call creates is 0700 (mkdir's mode is masked by umask, hence the chmod). A
  // folder the user already has keeps its permissions: it may be their project or /tmp; the
  // files in it are 0600 either way.
  if (!existsSync(folder)) {
    mkdirSync(folder, { recursive: true, mode: 0o700 });
    chmodSync(folder, 0o700);
  }
  const stamp = now.toISOString().replace(/[:.]/g, '-');
  const safeName = (s: string) => s.replace(/[^A-Za-z0-9._-]/g, '_');
  const file = join(folder, `${safeName(tenant)}_${safeName(connection.name)}_${stamp}.json`);
  const backup: Backup = { format: BACKUP_FORMAT, createdAt: now.toISOString(), tenant, tool, connection };
  // 'wx': never overwrite an earlier backup.
  writeFileSync(file, `${JSON.stringify(backup, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
  chmodSync(file, 0o600);
  return file;
}

export function readBackup(path: string): Backup {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw inputError(`cannot read backup file ${path} (${(error as NodeJS.ErrnoException).code ?? 'error'})`, 'pass the path that configure printed after "backup:"');
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw inputError(`${path} is not JSON`, 'pass a backup file written by auth0-sms-gateway configure');
  }
  const parsed = backupSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw inputError(
      `${path} is not an auth0-sms-gateway backup (${issue ? `${issue.path.join('.') || '(root)'}: ${issue.message}` : 'invalid'})`,
      'pass a backup file written by auth0-sms-gateway configure',
    );
  }
  if (parsed.data.connection.options === undefined || parsed.data.connection.options === null) {
    throw inputError(`${path} holds no connection options`, 'pass a backup written by auth0-sms-gateway configure');
  }
  registerSecretsIn(parsed.data);
  return parsed.data;
}
