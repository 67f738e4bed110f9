import { applyFileJsonSchema } from '../core/apply-file.js';
import type { CommandContext } from './context.js';

/**
 * Prints the JSON Schema of the apply file, generated from the zod schema apply itself parses
 * with, so the two cannot disagree. No credentials, no network. The schema is one JSON
 * document, so it is the same with and without --json.
 */
export async function runSchema(ctx: CommandContext): Promise<number> {
  ctx.output.printJson(applyFileJsonSchema());
  return 0;
}
