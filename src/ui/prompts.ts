// The only module that imports the prompt library. Prompts write to stderr so stdout stays data.
import { Writable } from 'node:stream';
// The four prompts themselves, not the @inquirer/prompts barrel: it would bundle an editor
// prompt, iconv-lite and chardet that this tool never uses.
import inquirerConfirm from '@inquirer/confirm';
import inquirerInput from '@inquirer/input';
import inquirerPassword from '@inquirer/password';
import inquirerSelect from '@inquirer/select';
import type { Io } from './output.js';

/** A validator in the prompt library's terms: true, or the reason shown under the question before it is asked again. */
export type Validate = (value: string) => true | string | Promise<true | string>;

export interface Choice<T> {
  name: string;
  value: T;
  description?: string;
}

/**
 * The questions the wizard can ask. Its flow takes one of these rather than importing the
 * prompt library, so the flow stays library-agnostic; `terminalPrompter` is the real one.
 */
export interface Prompter {
  input(question: { message: string; default?: string | undefined; validate?: Validate }): Promise<string>;
  /** Typed text is masked: for client secrets and gateway secrets. */
  password(question: { message: string; validate?: Validate }): Promise<string>;
  select<T>(question: { message: string; choices: Choice<T>[]; default?: T | undefined }): Promise<T>;
  confirm(question: { message: string; default?: boolean }): Promise<boolean>;
}

/**
 * Each prompt pipes its output into the stream it is given and ends that stream when it is
 * answered (mute-stream's pipe), which would close a test's stream after the first question
 * and crash on an Io whose stderr is only `{ write }`. A fresh forwarding stream per prompt
 * takes the `end` and passes the text on to `io.stderr`.
 */
function promptOutput(io: Io): NodeJS.WritableStream {
  const stream = new Writable({
    decodeStrings: false,
    write(chunk: string | Buffer, _encoding, callback) {
      io.stderr.write(typeof chunk === 'string' ? chunk : chunk.toString('utf8'));
      callback();
    },
  });
  // The screen manager wraps lines at the terminal's width; mute-stream reads it from here.
  const stderr = io.stderr as { columns?: number; rows?: number };
  Object.assign(stream, { isTTY: io.stderr.isTTY === true, columns: stderr.columns, rows: stderr.rows });
  return stream;
}

interface PromptContext {
  input: Io['stdin'];
  output: NodeJS.WritableStream;
  clearPromptOnDone: boolean;
  signal: AbortSignal;
}

/**
 * Asks one question. End of input (Ctrl-D, a closed stdin) leaves it unanswered, and the prompt
 * library would settle it only as the process exits, with exit code 0, as if all had gone well.
 * So when nothing is left to do but wait for the answer (Node's `beforeExit`), the question is
 * aborted: the prompt rejects with AbortPromptError, which the run reports as cancelled (130).
 */
function ask<T>(io: Io, prompt: (context: PromptContext) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const ended = () => controller.abort(new Error('end of input'));
  process.once('beforeExit', ended);
  return prompt({ input: io.stdin, output: promptOutput(io), clearPromptOnDone: false, signal: controller.signal }).finally(() => process.off('beforeExit', ended));
}

export function terminalPrompter(io: Io): Prompter {
  return {
    input: ({ message, default: defaultValue, validate }) =>
      ask(io, (context) => inquirerInput({ message, ...(defaultValue === undefined ? {} : { default: defaultValue }), ...(validate === undefined ? {} : { validate }) }, context)),
    password: ({ message, validate }) => ask(io, (context) => inquirerPassword({ message, mask: '*', ...(validate === undefined ? {} : { validate }) }, context)),
    select: <T>({ message, choices, default: defaultValue }: { message: string; choices: Choice<T>[]; default?: T | undefined }) =>
      ask(io, (context) => inquirerSelect<T>({ message, choices, ...(defaultValue === undefined ? {} : { default: defaultValue }) }, context)),
    // Default no: a confirmation that guards a write must be answered, never just entered through.
    confirm: ({ message, default: defaultValue = false }) => ask(io, (context) => inquirerConfirm({ message, default: defaultValue }, context)),
  };
}
