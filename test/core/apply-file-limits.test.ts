// The apply file's alias expansion limit at its documented size (apply-file.test.ts's case expands
// to about 10^9, so a limit 50 times looser would still pass it), and the per-gateway check
// cache telling entries apart by secret_base64_encoded.
import { describe, expect, it } from 'vitest';
import { parseApplyFile } from '../../src/core/apply-file.js';
import { ExitCode } from '../../src/core/errors.js';
import { cliErrorOf } from '../core/helpers.js';

function problems(text: string, env: Record<string, string | undefined>): string {
  const error = cliErrorOf(() => parseApplyFile(text, { source: 'sms.yaml', env }));
  expect(error.exitCode).toBe(ExitCode.input);
  return error.message;
}

describe('parseApplyFile limits', () => {
  it('refuses aliases that expand to about 111,000 values, just past the 100,000 limit', () => {
    const names = 'abcde';
    const lines = ['a: &a [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < names.length; i++) lines.push(`${names[i]}: &${names[i]} [${Array(10).fill(`*${names[i - 1]}`).join(', ')}]`);
    lines.push(`connections: [${Array(10).fill('*e').join(', ')}]`);
    expect(problems(lines.join('\n'), {})).toBe('sms.yaml:1: not valid YAML: its aliases (*name) expand to more than 100000 values: write the values out');
  });

  it('checks the same gateway and secret again when only secret_base64_encoded differs', () => {
    const entry = (name: string, b64: boolean) =>
      `  - connection: ${name}\n    gateway_url: https://sms.example.com/send\n    authentication: { method: bearer, audience: urn:gw, secret: "\${S}", secret_base64_encoded: ${b64} }`;
    const text = `connections:\n${entry('sms', false)}\n${entry('sms-2', true)}\n`;
    expect(problems(text, { S: 'abc+def/ghi-0123456789-0123456789' }).split('\n')).toEqual([
      expect.stringMatching(/^sms\.yaml:7: connections\[1\]\.authentication\.secret: secret holds \+ or \//),
    ]);
  });
});
