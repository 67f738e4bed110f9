import { applyFileJsonSchema } from '../core/apply-file.js';
import { defineCommand, NO_FLAGS } from '../flow/command.js';

/**
 * Prints the JSON Schema of the apply file, generated from the zod schema apply itself parses
 * with, so the two cannot disagree. No credentials, no network. The schema is one JSON
 * document, so it is the same with and without --json.
 */
export const command = defineCommand(NO_FLAGS, async (ctx) => {
  ctx.output.printJson(applyFileJsonSchema(), { ownDocument: true });
  return 0;
});
