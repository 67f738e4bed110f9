import { constants, openSync } from 'node:fs';
import { open, stat, type FileHandle } from 'node:fs/promises';
import { Socket } from 'node:net';
import { CliError, inputError } from '../core/errors.js';

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

/**
 * A file's text, read in chunks and refused once it passes `limit` (a FIFO or device is never
 * read to its end). Read asynchronously: a FIFO nobody writes to blocks its open and its reads,
 * and a signal must still stop the run.
 */
export async function readBoundedFile(path: string, options: ReadInputOptions): Promise<string> {
  const unreadable = (error: unknown) =>
    inputError(`cannot read ${options.what} (${(error as NodeJS.ErrnoException).code ?? 'error'})`, options.unreadableHint ?? options.hint);
  let fifo = false;
  try {
    fifo = (await stat(path)).isFIFO();
  } catch (error) {
    throw unreadable(error);
  }
  // A named pipe (process substitution, /dev/stdin from a pipe): opened without waiting for a
  // writer and read through the event loop. A blocking open or read would hold a thread that
  // even process.exit waits for, so that no signal could stop the run.
  if (fifo) return readPipe(path, options, unreadable);
  let handle: FileHandle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    throw unreadable(error);
  }
  try {
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const buffer = Buffer.alloc(64 * 1024);
      let read: number;
      try {
        ({ bytesRead: read } = await handle.read(buffer, 0, buffer.length, null));
      } catch (error) {
        throw unreadable(error);
      }
      if (read === 0) break;
      total += read;
      if (total > options.limit) throw tooLarge(options);
      chunks.push(buffer.subarray(0, read));
    }
    return decodeText(Buffer.concat(chunks), options);
  } finally {
    await handle.close().catch(() => undefined);
  }
}

async function readPipe(path: string, options: ReadInputOptions, unreadable: (error: unknown) => Error): Promise<string> {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    throw unreadable(error);
  }
  const socket = new Socket({ fd, readable: true, writable: false });
  try {
    return await readBoundedStream(socket, options);
  } catch (error) {
    throw error instanceof CliError ? error : unreadable(error);
  } finally {
    socket.destroy();
  }
}

/** All of stdin as text, refused past `limit`; `whenTerminal` is the error for a stdin that is a terminal (nothing piped in). */
export async function readBoundedStdin(
  stream: NodeJS.ReadableStream & { isTTY?: boolean | undefined },
  options: ReadInputOptions & { whenTerminal: () => Error },
): Promise<string> {
  if (stream.isTTY === true) throw options.whenTerminal();
  return readBoundedStream(stream, options);
}

/** A stream's text, refused past `limit`: the stream is then destroyed, so the rest of a runaway pipe is never buffered. */
async function readBoundedStream(stream: NodeJS.ReadableStream, options: ReadInputOptions): Promise<string> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of stream) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : (chunk as Buffer);
    total += buffer.length;
    if (total > options.limit) {
      (stream as NodeJS.ReadableStream & { destroy?: () => void }).destroy?.();
      throw tooLarge(options);
    }
    chunks.push(buffer);
  }
  return decodeText(Buffer.concat(chunks), options);
}

/**
 * The bytes as UTF-8 text, a leading BOM dropped. Bytes that are not UTF-8 are refused: read
 * leniently, a Latin-1 audience would become "urn:\uFFFDx" and be written as such, and a UTF-16
 * file would read as text full of NUL characters.
 */
function decodeText(bytes: Buffer, options: ReadInputOptions): string {
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) {
    throw inputError(`${options.what} is UTF-16 text`, 'save it as UTF-8');
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    const line = bytes.subarray(0, firstInvalidUtf8(bytes)).toString('latin1').split('\n').length;
    throw inputError(`${options.what} is not UTF-8 text (line ${line})`, 'save it as UTF-8');
  }
}

/** The offset of the first byte that does not decode as UTF-8. */
function firstInvalidUtf8(bytes: Buffer): number {
  let low = 0;
  let high = bytes.length;
  // The longest prefix that decodes, by halving. Decoded as a stream, a prefix that ends
  // inside a character still decodes, so every prefix up to the first bad byte does.
  while (low < high) {
    const middle = Math.ceil((low + high) / 2);
    try {
      new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(0, middle), { stream: true });
      low = middle;
    } catch {
      high = middle - 1;
    }
  }
  return low;
}

function tooLarge(options: ReadInputOptions) {
  return inputError(`${options.what} is larger than ${mebibytes(options.limit)}, more than the tool reads`, options.hint);
}
