import type { ChalkInstance } from 'chalk';
import type { Change } from '../core/diff.js';

const show = (value: unknown): string => (value === undefined ? '(absent)' : JSON.stringify(value));

/**
 * One line per changed, added or removed key, removed keys included (Terraform's plan hid the
 * keys a whole-object replace deletes). Secrets: only whether they changed.
 */
export function renderChanges(changes: readonly Change[], style: ChalkInstance): string {
  if (changes.length === 0) return '  (no changes)';
  return changes
    .map((c) => {
      if (c.kind === 'added') {
        return style.green(`  + ${c.path}: ${c.secret ? '(secret set)' : show(c.after)}`);
      }
      if (c.kind === 'removed') {
        return style.red(`  - ${c.path}: ${c.secret ? '(secret removed)' : show(c.before)}`);
      }
      return style.yellow(`  ~ ${c.path}: ${c.secret ? '(secret changed)' : `${show(c.before)} -> ${show(c.after)}`}`);
    })
    .join('\n');
}

/** The `diff` array of --json output: path, before, after; secrets already redacted by the planner. */
export function changesToJson(changes: readonly Change[]): { path: string; kind: string; before: unknown; after: unknown }[] {
  return changes.map((c) => ({ path: c.path, kind: c.kind, before: c.before ?? null, after: c.after ?? null }));
}
