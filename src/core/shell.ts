// Commands the tool prints for the user to paste: each argument quoted for POSIX shells, so a
// backup folder with a space or a quote still gives a command that works.

/** Shell-quoted for POSIX shells: single quotes unless the word is plainly safe. */
export function shellQuote(word: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}

/** The command that puts a backup back. */
export function restoreCommand(backup: string): string {
  return `auth0-sms-gateway restore ${shellQuote(backup)}`;
}
