/*
 * Text from outside the tool (the tenant's names and values, Auth0's error messages, a
 * gateway's answer, a backup or an apply file) is rendered for a terminal by one function.
 * Escape sequences in it could clear the screen, set the window title or move the cursor,
 * `\r` and line breaks could forge a line ("status 200 / delivered"), and bidi controls
 * reorder what is shown; in CI a forged line can close a job-summary code fence or emit a
 * `::error::` workflow command. All of them are shown as visible escapes instead.
 * `--json` output is exact JSON and does not go through here.
 */

// C0 controls (line breaks and tabs included), DEL, C1 controls, and the bidi controls:
// ALM, LRM, RLM, LRE/RLE/PDF/LRO/RLO, LRI/RLI/FSI/PDI.
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/gu;

function escapeOne(char: string): string {
  const code = char.codePointAt(0) ?? 0;
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

// The same classes without the global flag, to ask first: most text has none of them, and a
// test costs a third of a replace that finds nothing (`serve` renders four values a message).
const HAS_UNSAFE = new RegExp(UNSAFE.source, 'u');

/** `value` as one line of visible text: every control and bidi character shown as `\xNN` / `\uNNNN`. */
export function untrusted(value: unknown): string {
  const text = String(value);
  return HAS_UNSAFE.test(text) ? text.replace(UNSAFE, escapeOne) : text;
}

/**
 * The last line of defence on every human-facing write: the same characters escaped, except
 * line breaks and tabs (the tool's own layout) and the colour sequences the tool itself emits
 * (ESC [ digits ; m). Values are escaped with `untrusted()` where they are interpolated, so
 * their line breaks are already visible; this catches anything that was missed.
 */
const UNSAFE_IN_LAYOUT = /\u001b(?!\[[0-9;]*m)|[\u0000-\u0008\u000b-\u001a\u001c-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/gu;

const HAS_UNSAFE_IN_LAYOUT = new RegExp(UNSAFE_IN_LAYOUT.source, 'u');

export function safeForTerminal(text: string): string {
  return HAS_UNSAFE_IN_LAYOUT.test(text) ? text.replace(UNSAFE_IN_LAYOUT, escapeOne) : text;
}

/** A connection as messages name it, `name (id)`: both come from the tenant (or a file), so both are escaped. */
export function connectionLabel(connection: { name: string; id: string }): string {
  return `${untrusted(connection.name)} (${untrusted(connection.id)})`;
}
