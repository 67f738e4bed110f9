// Every character class the escaping promises, not only ESC, CR/LF and U+202E (which
// test/commands/hostile.test.ts covers): C1 controls (U+009B is CSI, which terminals act on),
// ALM, LRM/RLM, and the bidi isolates LRI/RLI/FSI/PDI (Trojan Source).
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
