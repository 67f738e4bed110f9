// End of input at a question (Ctrl-D, a closed stdin): the prompt library alone would leave the
// question unanswered and let the process exit 0, as if all had gone well. Checked in a real
// process (src/ui/prompts.ts built as the CLI builds it), whose stdin closes before any answer.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'a0sg-prompts-'));
  const script = (await import(pathToFileURL(join(root, 'scripts', 'build.mjs')).href)) as { buildCli(options: { outdir: string; entryPoints: Record<string, string> }): Promise<unknown> };
  await script.buildCli({ outdir: dir, entryPoints: { prompts: 'src/ui/prompts.ts' } });
  writeFileSync(
    join(dir, 'ask.mjs'),
    `import { terminalPrompter } from './prompts.js';
const io = { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr, env: process.env };
try {
  const answer = await terminalPrompter(io)[process.argv[2]]({ message: 'Apply?', choices: [{ name: 'a', value: 'a' }] });
  console.log('answered', JSON.stringify(answer));
} catch (error) {
  console.log('rejected', error.name);
  process.exitCode = 3;
}
`,
  );
}, 60_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('a question whose input ends unanswered', () => {
  it.each(['confirm', 'input', 'password', 'select'])('%s rejects with AbortPromptError (the run says cancelled, exit 130), never settles as a silent exit 0', (kind) => {
    const r = spawnSync(process.execPath, [join(dir, 'ask.mjs'), kind], { input: '', encoding: 'utf8', timeout: 20_000 });
    expect(r.stdout.trim()).toBe('rejected AbortPromptError');
    expect(r.status).toBe(3);
  });

  it('an answer given before the input ends is kept', () => {
    const r = spawnSync(process.execPath, [join(dir, 'ask.mjs'), 'input'], { input: 'hello\n', encoding: 'utf8', timeout: 20_000 });
    expect(r.stdout.trim()).toBe('answered "hello"');
    expect(r.status).toBe(0);
  });
});
