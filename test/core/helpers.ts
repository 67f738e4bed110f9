import { expect } from 'vitest';
import { CliError } from '../../src/core/errors.js';

/** Runs `fn`, expects it to throw a CliError, and returns it for further checks. */
export function cliErrorOf(fn: () => unknown): CliError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(CliError);
    return error as CliError;
  }
  throw new Error('expected a CliError, but nothing was thrown');
}
