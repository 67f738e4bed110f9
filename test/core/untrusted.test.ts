// Every character class the escaping promises, not only ESC, CR/LF and U+202E (which
// test/commands/hostile.test.ts covers): C1 controls (U+009B is CSI, which terminals act on),
// ALM, LRM/RLM, and the bidi isolates LRI/RLI/FSI/PDI (Trojan Source).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { safeForTerminal, untrusted } from '../../src/core/untrusted.js';

const CASES: [string, string][] = [ // [character, how it is shown]
  ['\u0085', '\\x85'], // NEL
  ['\u009b', '\\x9b'], // CSI
  ['\u009d', '\\x9d'], // OSC
  ['\u061c', '\\u061c'],
  ['\u200e', '\\u200e'],
  ['\u200f', '\\u200f'],
  ['\u2066', '\\u2066'],
  ['\u2067', '\\u2067'],
  ['\u2068', '\\u2068'],
  ['\u2069', '\\u2069'],
];

describe('untrusted and safeForTerminal', () => {
  it.each(CASES.map(([char, shown]) => [shown, char] as const))('escape %s', (shown, char) => {
    const text = `status 200${char}2J delivered`;
    expect(untrusted(text)).toBe(`status 200${shown}2J delivered`);
    expect(safeForTerminal(text)).toBe(`status 200${shown}2J delivered`);
  });

  it('leave ordinary non-ASCII text alone', () => {
    expect(untrusted('Grüße · 你好 · é')).toBe('Grüße · 你好 · é');
    expect(safeForTerminal('Grüße\n\t· 你好')).toBe('Grüße\n\t· 你好');
  });
});

// An oracle written apart from the module: code point by code point.
const unsafeCodePoint = (cp: number, layout: boolean): boolean =>
  (cp <= 0x1f && !(layout && (cp === 0x09 || cp === 0x0a || cp === 0x1b))) ||
  (cp >= 0x7f && cp <= 0x9f) ||
  cp === 0x061c ||
  cp === 0x200e ||
  cp === 0x200f ||
  (cp >= 0x202a && cp <= 0x202e) ||
  (cp >= 0x2066 && cp <= 0x2069);
const shown = (cp: number): string => (cp <= 0xff ? `\\x${cp.toString(16).padStart(2, '0')}` : `\\u${cp.toString(16).padStart(4, '0')}`);
/** ESC is left only where a colour sequence starts: '[', then digits and ';', then 'm'. */
const startsColour = (text: string, at: number): boolean => {
  if (text[at + 1] !== '[') return false;
  for (let i = at + 2; i < text.length; i++) {
    const char = text[i] ?? '';
    if (char === 'm') return true;
    if (char !== ';' && (char < '0' || char > '9')) return false;
  }
  return false;
};
const escapeForLayout = (text: string): string => {
  let out = '';
  for (let at = 0; at < text.length; ) {
    const cp = text.codePointAt(at) ?? 0;
    const char = String.fromCodePoint(cp);
    out += (cp === 0x1b && !startsColour(text, at)) || unsafeCodePoint(cp, true) ? shown(cp) : char;
    at += char.length;
  }
  return out;
};
const escapeAll = (text: string): string => [...text].map((char) => (unsafeCodePoint(char.codePointAt(0) ?? 0, false) ? shown(char.codePointAt(0) ?? 0) : char)).join('');

describe('untrusted, whatever the text', () => {
  // Mostly plain text (the fast path that asks before replacing), some of it with controls,
  // lone surrogates (half an emoji, as a truncated value holds), and the pieces of colour
  // sequences (ESC [ 1 ; 3 m), which safeForTerminal leaves whole.
  const text = fc.oneof(
    fc.string({ unit: 'grapheme' }),
    fc.string({
      unit: fc.constantFrom(
        ...['a', ' ', '\n', '\r', '\t', '\u001b', '\u0085', '\u009b', 'é', '你', '\u{1f600}', '\ud83d', '\ude00', '[', '1', ';', 'm'],
        // Each class's first and last code point, and the ones just outside it.
        ...['\u0000', '\u001f', '\u007e', '\u007f', '\u009f', '\u00a0', '\u061b', '\u061c', '\u061d', '\u200d', '\u200e', '\u200f', '\u2010'],
        ...['\u2029', '\u202a', '\u202e', '\u202f', '\u2065', '\u2066', '\u2069', '\u206a'],
        // The edges of the gaps safeForTerminal leaves for tab, line feed and ESC.
        ...['\u0008', '\u000b', '\u001a', '\u001c'],
      ),
    }),
    fc.string({ unit: fc.constantFrom('\u001b[', '\u001b[0m', '\u001b[1;31m', '\u001b[2J', 'x', '1', ';', 'm', '\n') }),
  );

  it('escapes exactly the controls and bidi characters, call after call (no state kept between calls)', () => {
    fc.assert(
      fc.property(fc.array(text, { minLength: 1, maxLength: 5 }), (texts) => {
        for (const t of texts) expect(untrusted(t)).toBe(escapeAll(t));
      }),
    );
  });

  it('safeForTerminal leaves line breaks and tabs, and escapes the same classes besides', () => {
    fc.assert(
      fc.property(fc.array(text, { minLength: 1, maxLength: 5 }), (texts) => {
        for (const t of texts) expect(safeForTerminal(t)).toBe(escapeForLayout(t));
      }),
    );
  });
});
