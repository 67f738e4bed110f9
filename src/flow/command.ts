import type * as z from 'zod';
import type { CommandContext } from './context.js';

/**
 * What cli.ts loads for a command when it runs: the strict schema of its options and the
 * action. `args` are the positional arguments commander collected, in order.
 */
export interface CommandModule<S extends z.ZodType = z.ZodType> {
  flagsSchema: S;
  run(ctx: CommandContext, flags: z.output<S>, args: readonly (string | undefined)[]): Promise<number | void>;
  /** The command answers SIGINT and SIGTERM itself (a server that stops cleanly); otherwise main() does (flow/interrupt.ts). */
  ownSignals?: boolean;
}

/** Declares a command module with its flags typed by its schema. */
export function defineCommand<S extends z.ZodType>(flagsSchema: S, run: CommandModule<S>['run'], options: { ownSignals?: boolean } = {}): CommandModule<S> {
  return { flagsSchema, run, ...options };
}
