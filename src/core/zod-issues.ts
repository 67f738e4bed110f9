import type * as z from 'zod';
import { untrusted } from './untrusted.js';

/*
 * The one way zod issues become messages, for flags, files, backups, prompts and the Action's
 * settings. Apart from the schemas, so that reading a command's options loads no field schema
 * it does not use.
 */

/**
 * `connections[0].authentication.secret`: a path as people write it. Its keys may come from a
 * file (an unknown key names itself), so each is escaped: a key holding a line break and
 * `::error::` must not start a line of its own in a CI log.
 */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else out += out === '' ? untrusted(String(segment)) : `.${untrusted(String(segment))}`;
  }
  return out;
}

/** What is wrong, and where: an issue read, before it is written as a line. */
export interface PathProblem {
  path: PropertyKey[];
  message: string;
}

/** How much an input's reader explains beyond zod's own message. Every option is off by default. */
export interface IssueReading {
  /** The message for an unknown key; `path` ends with the key. Default: check its spelling. */
  unknownKey?: (path: readonly PropertyKey[]) => string;
  /** A union reports the issues of the branch the value was meant for (the one whose type matched), not zod's "Invalid input". */
  meantBranch?: boolean;
  /** Parsed with `{ reportInput: true }`: a key whose value is undefined is reported as missing. */
  missingKeys?: boolean;
  /** Added in parentheses where text was expected and a number or boolean came (a YAML reader's hint). */
  scalarHint?: string;
}

export const UNKNOWN_SETTING = 'unknown setting: check its spelling';

/**
 * Issues → problems: an unknown key names itself (otherwise the user cannot tell which one was
 * mistyped: fail closed, docs/architecture.md); `prefix` is where the parsed value sits.
 */
export function issueProblems(issues: readonly z.core.$ZodIssue[], reading: IssueReading = {}, prefix: readonly PropertyKey[] = []): PathProblem[] {
  return issues.flatMap((issue): PathProblem[] => {
    const path = [...prefix, ...issue.path];
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({ path: [...path, key], message: reading.unknownKey?.([...path, key]) ?? UNKNOWN_SETTING }));
    }
    if (issue.code === 'invalid_union' && reading.meantBranch === true) {
      const meant = issue.errors.find((branch) => !branch.some((inner) => inner.path.length === 0 && (inner.code === 'invalid_type' || inner.code === 'invalid_value')));
      return meant === undefined ? [{ path, message: issue.message }] : issueProblems(meant, reading, path);
    }
    if (reading.missingKeys === true && issue.code === 'invalid_type' && issue.input === undefined) return [{ path, message: 'missing: this key is required' }];
    if (
      reading.scalarHint !== undefined &&
      issue.code === 'invalid_type' &&
      issue.expected === 'string' &&
      (typeof issue.input === 'number' || typeof issue.input === 'boolean')
    ) {
      return [{ path, message: `${issue.message} (${reading.scalarHint})` }];
    }
    return [{ path, message: issue.message }];
  });
}

/** `field: message`, the field left out when the value itself is at fault. `label` names a path as the user knows it. */
export function problemLine(problem: PathProblem, label: (path: readonly PropertyKey[]) => string = formatPath): string {
  return problem.path.length === 0 ? problem.message : `${label(problem.path)}: ${problem.message}`;
}

/**
 * The one way zod issues become messages: one `field: message` line per issue, the field left
 * out when the value itself is at fault. `label` names a path as the user knows it (a flag,
 * a key of the file).
 */
export function issueLines(issues: readonly z.core.$ZodIssue[], label: (path: readonly PropertyKey[]) => string = formatPath): string[] {
  return issueProblems(issues).map((problem) => problemLine(problem, label));
}

export function formatZodError(error: z.ZodError, label?: (path: readonly PropertyKey[]) => string): string {
  return issueLines(error.issues, label).join('\n');
}

/** The first issue's message alone (a prompt shows it under the question), or undefined when `value` passes. */
export function firstProblem(schema: z.ZodType, value: unknown): string | undefined {
  const result = schema.safeParse(value);
  return result.success ? undefined : (result.error.issues[0]?.message ?? 'not a valid value');
}
