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
const escapeAll = (text: string): string => [...text].map((char) => (unsafeCodePoint(char.codePointAt(0) ?? 0, false) ? shown(char.codePointAt(0) ?? 0) : char)).join('');

describe('untrusted, whatever the text', () => {
  // Mostly plain text (the fast path that asks before replacing), some of it with controls.
  const text = fc.oneof(fc.string({ unit: 'grapheme' }), fc.string({ unit: fc.constantFrom('a', ' ', '\n', '\u001b', '\u0085', '\u202e', '\u2066', 'é', '你', '\u{1f600}') }));

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
        for (const t of texts) {
          const out = safeForTerminal(t);
          // ESC is left only as the start of a colour sequence; these texts hold none.
          expect(out).toBe([...t].map((char) => { const cp = char.codePointAt(0) ?? 0; return cp === 0x1b || unsafeCodePoint(cp, true) ? shown(cp) : char; }).join(''));
        }
      }),
    );
  });
});
