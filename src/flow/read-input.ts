import { closeSync, openSync, readSync } from 'node:fs';
import { inputError } from '../core/errors.js';

/**
 * How much the tool reads from a file or stdin it is pointed at. An apply file of thousands
 * of connections or a backup is well under a megabyte; a secret is at most 5,120 characters
 * (Auth0's limit). Past these, the input is a mistake (`-f /dev/zero`, the wrong file), not
 * data: it is refused with exit 2 instead of being read into memory without end.
 */
export const INPUT_LIMITS = {
  applyFile: 4 * 1024 * 1024,
  backup: 4 * 1024 * 1024,
  secret: 64 * 1024,
} as const;

const mebibytes = (bytes: number): string => (bytes >= 1024 * 1024 ? `${bytes / (1024 * 1024)} MiB` : `${bytes / 1024} KiB`);

export interface ReadInputOptions {
  /** At most this many bytes. */
  limit: number;
  /** What is read, for messages: "the apply file", "the backup", "the secret". Never the content. */
  what: string;
  /** The fix when the limit is passed. */
  hint: string;
  /** The fix when the file cannot be opened or read; `hint` when not given. */
  unreadableHint?: string;
}

/** A file's text, read in chunks and refused once it passes `limit` (a FIFO or device is never read to its end). */
export function readBoundedFile(path: string, options: ReadInputOptions): string {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (error) {
    throw inputError(`cannot read ${options.what} (${(error as NodeJS.ErrnoException).code ?? 'error'})`, options.unreadableHint ?? options.hint);
  }
  try {
    const chunks: Buffer[] = [];
    let total = 0;
    const buffer = Buffer.alloc(64 * 1024);
    for (;;) {
      let read: number;
      try {
        read = readSync(fd, buffer, 0, buffer.length, null);
      } catch (error) {
        throw inputError(`cannot read ${options.what} (${(error as NodeJS.ErrnoException).code ?? 'error'})`, options.unreadableHint ?? options.hint);
      }
      if (read === 0) break;
      total += read;
      if (total > options.limit) throw tooLarge(options);
      chunks.push(Buffer.from(buffer.subarray(0, read)));
    }
    return Buffer.concat(chunks).toString('utf8');
  } finally {
    closeSync(fd);
  }
}

/** All of stdin as text, refused past `limit`; `whenTerminal` is the error for a stdin that is a terminal (nothing piped in). */
export async function readBoundedStdin(
  stream: NodeJS.ReadableStream & { isTTY?: boolean | undefined },
  options: ReadInputOptions & { whenTerminal: () => Error },
): Promise<string> {
  if (stream.isTTY === true) throw options.whenTerminal();
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of stream) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : (chunk as Buffer);
    total += buffer.length;
    if (total > options.limit) {
      // Stop reading: the rest of a runaway pipe is never buffered.
      (stream as NodeJS.ReadableStream & { destroy?: () => void }).destroy?.();
      throw tooLarge(options);
    }
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function tooLarge(options: ReadInputOptions) {
  return inputError(`${options.what} is larger than ${mebibytes(options.limit)}, more than the tool reads`, options.hint);
}
