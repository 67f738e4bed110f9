// The only module that imports the prompt library. Prompts write to stderr so stdout stays data.
import { confirm as inquirerConfirm, select as inquirerSelect } from '@inquirer/prompts';
import type { Io } from './output.js';

const context = (io: Io) => ({ input: io.stdin, output: io.stderr as unknown as NodeJS.WritableStream, clearPromptOnDone: false });

export async function confirm(io: Io, message: string): Promise<boolean> {
  return inquirerConfirm({ message, default: false }, context(io));
}

export async function select<T>(io: Io, message: string, choices: { name: string; value: T; description?: string }[]): Promise<T> {
  return inquirerSelect<T>({ message, choices }, context(io));
}
