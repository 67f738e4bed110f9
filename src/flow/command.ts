import type * as z from 'zod';
import type { CommandContext } from './context.js';

/**
 * A command with no options of its own. Not an empty zod schema: the commands that only read
 * (list, show, status, …) would load zod for it, a measurable part of their start-up.
 */
export const NO_FLAGS = null;

/** What a command's options parse to: its schema's output, or nothing for NO_FLAGS. */
export type FlagsOf<S extends z.ZodType | null> = S extends z.ZodType ? z.output<S> : Record<string, never>;

/**
 * What cli.ts loads for a command when it runs: the strict schema of its options (or NO_FLAGS)
 * and the action. `args` are the positional arguments commander collected, in order.
 */
export interface CommandModule<S extends z.ZodType | null = z.ZodType | null> {
  flagsSchema: S;
  run(ctx: CommandContext, flags: FlagsOf<S>, args: readonly (string | undefined)[]): Promise<number | void>;
  /** The command answers SIGINT and SIGTERM itself (a server that stops cleanly); otherwise main() does (flow/interrupt.ts). */
  ownSignals?: boolean;
}

/** Declares a command module with its flags typed by its schema. */
export function defineCommand<S extends z.ZodType | null>(flagsSchema: S, run: CommandModule<S>['run'], options: { ownSignals?: boolean } = {}): CommandModule<S> {
  return { flagsSchema, run, ...options };
}
