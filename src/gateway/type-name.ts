// zod's words for a value of the wrong type, without zod: the gateway payload's checks (the
// library entry carries no schema library) and the check of a connection (core/options.ts,
// which the commands that only read use without loading zod) say what a zod schema said.

/** The name of a value's type as the messages say it ("received undefined", "received array"). */
export function typeName(value: unknown): string {
  switch (typeof value) {
    case 'number':
      return Number.isNaN(value) ? 'NaN' : Number.isFinite(value) ? 'number' : String(value);
    case 'object': {
      if (value === null) return 'null';
      if (Array.isArray(value)) return 'array';
      const constructor = Object.getPrototypeOf(value) !== Object.prototype && 'constructor' in value ? (value.constructor as { name?: unknown } | undefined) : undefined;
      // A name that is no string (an object whose toString is not callable) is no type name.
      return typeof constructor?.name === 'string' && constructor.name !== '' ? constructor.name : 'object';
    }
    default:
      return typeof value;
  }
}

/** `Invalid input: expected string, received number`: never the value, which may be a secret. */
export const invalid = (expected: string, value: unknown): string => `Invalid input: expected ${expected}, received ${typeName(value)}`;

/**
 * A wrong option value in a message: a number or boolean as written (`-1`, `NaN`, `false`),
 * anything else by its type. Never `String(value)` of an object: its own toString may be
 * anything, and may throw instead of the configuration error the caller means to raise.
 */
export function shownValue(value: unknown): string {
  return typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint' || value === undefined ? String(value) : typeName(value);
}
