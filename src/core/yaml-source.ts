import { constructFromEvents, CORE_SCHEMA, EVENT_ID, getScalarValue, parseEvents, type DocumentEvent, type Event, YAMLException } from 'js-yaml';

/** An event that opens or is a node (not a document's start, not the end of a collection). */
type NodeEvent = Exclude<Event, { type: typeof EVENT_ID.DOCUMENT | typeof EVENT_ID.POP }>;

/**
 * A YAML (or JSON: YAML 1.2 reads it) text as a value, with the line each part of it starts
 * on, for messages of the form `file:line: path: message`. js-yaml's event stream carries the
 * offset of every node, so one parse gives both the value and the lines (core schema:
 * `yes` stays a string; duplicate keys are refused, which JSON.parse would silently accept).
 */
export interface YamlSource {
  /** The first document; undefined when the text holds none. */
  value: unknown;
  /** The line of the deepest node on `path` that exists: a key's own line, a list item's first line. */
  lineOf(path: readonly PropertyKey[]): number;
}

/** What makes the text unreadable, at a line. */
export class YamlSyntaxError extends Error {
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(message);
    this.name = 'YamlSyntaxError';
  }
}

/**
 * Aliases (`*name`) are references, so a few of them nested can describe a value too large to
 * walk (a "billion laughs" file). Both limits stop such a file before anything walks it: the
 * expanded size is what guards; the count only bounds the parser's work, high enough for a
 * file of thousands of connections that each reuse an anchored gateway_url and authentication.
 */
const MAX_ALIASES = 10_000;
const MAX_EXPANDED_NODES = 100_000;

/** Where a node starts, and its parts: a mapping's keys (with the key's own start) or a list's items. */
interface Position {
  start: number;
  keys?: Map<string, { keyStart: number; node: Position }>;
  items?: Position[];
}

interface Frame {
  node: Position;
  /** In a mapping: the key read last, waiting for its value. */
  key?: { text: string; start: number } | undefined;
}

export function readYamlSource(text: string): YamlSource {
  let lines: number[] | undefined;
  const lineAt = (offset: number) => lineOfOffset((lines ??= lineStarts(text)), offset);
  let events: Event[];
  let value: unknown;
  try {
    events = parseEvents(text, {});
    value = constructFromEvents(events, { source: text, schema: CORE_SCHEMA, maxAliases: MAX_ALIASES })[0];
  } catch (error) {
    if (!(error instanceof YAMLException)) throw error;
    throw new YamlSyntaxError(lineAt(error.mark?.position ?? 0), error.reason);
  }
  const { secondDocument, aliases } = documentsAndAliases(events);
  if (secondDocument !== undefined) {
    throw new YamlSyntaxError(lineAt(secondDocumentAt(text, secondDocument)), 'the file holds more than one document (---): keep one');
  }
  if (aliases > 0 && expandsPast(value, MAX_EXPANDED_NODES)) {
    throw new YamlSyntaxError(1, `its aliases (*name) expand to more than ${MAX_EXPANDED_NODES} values: write the values out`);
  }
  // The positions are only needed for a message: built on the first lineOf, from the events kept.
  let root: Position | undefined | null = null;
  return {
    value,
    lineOf(path) {
      if (root === null) root = positions(text, events);
      let node = root;
      let offset = root?.start ?? 0;
      for (const segment of path) {
        if (node === undefined) break;
        if (node.keys !== undefined) {
          const pair = node.keys.get(String(segment));
          if (pair === undefined) break;
          offset = pair.keyStart;
          node = pair.node;
        } else if (node.items !== undefined && typeof segment === 'number') {
          node = node.items[segment];
          if (node === undefined) break;
          offset = node.start;
        } else {
          break;
        }
      }
      return lineAt(offset);
    },
  };
}

/** A second document: its first node event, the first document's start event, and where that document's text ends. */
interface SecondDocument {
  node: NodeEvent;
  firstStart: DocumentEvent;
  /** The end of the furthest node of the first document, -1 when it holds none. */
  firstEnd: number;
}

/**
 * The second document, if any, and how many aliases the text holds: one pass over the events'
 * types, so that a file is refused before anything walks its value.
 */
function documentsAndAliases(events: readonly Event[]): { secondDocument: SecondDocument | undefined; aliases: number } {
  let first: DocumentEvent | undefined;
  let documents = 0;
  let aliases = 0;
  let firstEnd = -1;
  for (const event of events) {
    if (event.type === EVENT_ID.DOCUMENT) {
      documents++;
      first ??= event;
    } else if (event.type === EVENT_ID.POP) {
      continue;
    } else if (documents > 1 && first !== undefined) {
      return { secondDocument: { node: event, firstStart: first, firstEnd }, aliases };
    } else {
      if (event.type === EVENT_ID.ALIAS) aliases++;
      firstEnd = Math.max(firstEnd, eventEnd(event));
    }
  }
  return { secondDocument: undefined, aliases };
}

/**
 * Where the second document starts: the `---` (or `...`) line before its first node, or, when
 * that node is empty and has no place in the text (`---` at the end of the file), the `---`
 * line that follows the first document.
 */
function secondDocumentAt(text: string, { node, firstStart, firstEnd }: SecondDocument): number {
  const start = eventStart(node);
  if (start !== undefined) return documentMarkerBefore(text, start);
  const markers = /^---(?=[ \t\r\n]|$)/gm;
  markers.lastIndex = Math.max(firstEnd, 0);
  // A first document with nothing in it: its own `---` is the first marker, the second one's is next.
  if (firstEnd === -1 && firstStart.explicitStart) markers.exec(text);
  return markers.exec(text)?.index ?? text.length;
}

/** Where a node event's text ends, as far as its events tell (-1 when nowhere). */
function eventEnd(event: NodeEvent): number {
  if (event.type === EVENT_ID.ALIAS) return event.anchorEnd;
  return Math.max(event.anchorEnd, event.tagEnd, event.type === EVENT_ID.SCALAR ? event.valueEnd : event.start + 1);
}

/** Where a node event starts: its anchor (`&name`), its tag, else the node itself; undefined for an empty node. */
function eventStart(event: NodeEvent): number | undefined {
  return event.type === EVENT_ID.ALIAS
    ? event.anchorStart - 1
    : firstOf(event.anchorStart - 1, event.tagStart, event.type === EVENT_ID.SCALAR ? event.valueStart : event.start);
}

/** The first document's positions (a second document was refused before they are asked for). */
function positions(text: string, events: readonly Event[]): Position | undefined {
  let root: Position | undefined;
  let documents = 0;
  const stack: Frame[] = [];
  const attach = (node: Position, keyText: string) => {
    const frame = stack.at(-1);
    if (frame === undefined) {
      root ??= node;
      return;
    }
    if (frame.node.items !== undefined) {
      frame.node.items.push(node);
    } else if (frame.key === undefined) {
      frame.key = { text: keyText, start: node.start };
    } else {
      frame.node.keys?.set(frame.key.text, { keyStart: frame.key.start, node });
      frame.key = undefined;
    }
  };
  for (const event of events) {
    if (event.type === EVENT_ID.DOCUMENT) {
      documents++;
      continue;
    }
    if (event.type === EVENT_ID.POP) {
      stack.pop();
      continue;
    }
    if (documents > 1) break;
    const start = eventStart(event) ?? 0;
    if (event.type === EVENT_ID.MAPPING || event.type === EVENT_ID.SEQUENCE) {
      const node: Position = event.type === EVENT_ID.MAPPING ? { start, keys: new Map() } : { start, items: [] };
      // A collection used as a key (`? [a, b]`) matches no path segment.
      attach(node, '\u0000');
      stack.push({ node });
    } else {
      attach({ start }, event.type === EVENT_ID.SCALAR ? getScalarValue(text, event) : '\u0000');
    }
  }
  return root;
}

/** The smallest offset that is set (offsets are -1, or -2 for an anchor, when absent); undefined when none is. */
function firstOf(...offsets: number[]): number | undefined {
  let first = Number.POSITIVE_INFINITY;
  for (const offset of offsets) if (offset >= 0 && offset < first) first = offset;
  return Number.isFinite(first) ? first : undefined;
}

/** The `---` (or `...`) line that opens the document whose first node is at `offset`, else `offset`. */
function documentMarkerBefore(text: string, offset: number): number {
  const before = text.slice(0, offset);
  const marker = Math.max(before.lastIndexOf('\n---'), before.lastIndexOf('\n...'));
  return marker === -1 ? offset : marker + 1;
}

/** Whether walking `value`, shared references counted each time they are met, meets more than `limit` values. */
function expandsPast(value: unknown, limit: number): boolean {
  let count = 0;
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const next = stack.pop();
    if (++count > limit) return true;
    if (next !== null && typeof next === 'object') for (const child of Object.values(next)) stack.push(child);
  }
  return false;
}

function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return starts;
}

/** 1-based line of an offset, by binary search over the lines' starts. */
function lineOfOffset(starts: readonly number[], offset: number): number {
  let low = 0;
  let high = starts.length - 1;
  while (low < high) {
    const mid = (low + high + 1) >> 1;
    if ((starts[mid] ?? 0) <= offset) low = mid;
    else high = mid - 1;
  }
  return low + 1;
}
