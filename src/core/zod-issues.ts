import type * as z from 'zod';

/*
 * The one way zod issues become messages, for flags, files, backups and prompts. Apart from
 * the schemas, so that reading a command's options loads no field schema it does not use.
 */

/** `connections[0].authentication.secret`: a path as people write it. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else out += out === '' ? String(segment) : `.${String(segment)}`;
  }
  return out;
}

/**
 * The one way zod issues become messages: one `field: message` line per issue, the field left
 * out when the value itself is at fault. `label` names a path as the user knows it (a flag,
 * a key of the file); an unknown key names itself, or the user cannot tell which one was
 * mistyped (fail closed, docs/architecture.md).
 */
export function issueLines(issues: readonly z.core.$ZodIssue[], label: (path: readonly PropertyKey[]) => string = formatPath): string[] {
  return issues.flatMap((issue) =>
    issue.code === 'unrecognized_keys'
      ? issue.keys.map((key) => `${label([...issue.path, key])}: unknown setting: check its spelling`)
      : [issue.path.length === 0 ? issue.message : `${label(issue.path)}: ${issue.message}`],
  );
}

export function formatZodError(error: z.ZodError, label?: (path: readonly PropertyKey[]) => string): string {
  return issueLines(error.issues, label).join('\n');
}

/** The first issue's message alone (a prompt shows it under the question), or undefined when `value` passes. */
export function firstProblem(schema: z.ZodType, value: unknown): string | undefined {
  const result = schema.safeParse(value);
  return result.success ? undefined : (result.error.issues[0]?.message ?? 'not a valid value');
}

