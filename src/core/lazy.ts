/**
 * `build()` on the first call, the same value on every call after. For zod schemas that only
 * some commands use: building a schema costs start-up time that a command which never parses
 * with it should not pay.
 */
export function lazy<T>(build: () => T): () => T {
  let built: { value: T } | undefined;
  return () => (built ??= { value: build() }).value;
}
