// A module.register() resolve hook (see graph-register.mjs): appends each resolved URL to the
// file named by BENCH_GRAPH_OUT, one a line, so that row 7 can say what importing the library loads.
import { appendFileSync } from 'node:fs';

/**
 * @param {string} specifier
 * @param {unknown} context
 * @param {(specifier: string, context: unknown) => Promise<{ url: string }>} nextResolve
 */
export async function resolve(specifier, context, nextResolve) {
  const result = await nextResolve(specifier, context);
  const out = process.env.BENCH_GRAPH_OUT;
  if (out !== undefined && out !== '') appendFileSync(out, `${result.url}\n`);
  return result;
}
