// What a newcomer does: npm pack, install the tarball in an empty folder, run the bin.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBin } from '../helpers/spawn.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
let dir: string;
let bin: string;
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'a0sg-packed-'));
  // npm test has just built dist/; --ignore-scripts packs that build instead of building again.
  execFileSync(npm, ['pack', '--ignore-scripts', '--pack-destination', dir], { cwd: root, stdio: 'ignore' });
  const tarball = readdirSync(dir).find((f) => f.endsWith('.tgz'));
  if (tarball === undefined) throw new Error('npm pack wrote no tarball');
  const app = join(dir, 'app');
  execFileSync('mkdir', ['-p', app]);
  writeFileSync(join(app, 'package.json'), '{"name":"newcomer","private":true}');
  // The package has no runtime dependencies, so this install needs no registry.
  execFileSync(npm, ['install', '--no-audit', '--no-fund', '--offline', join(dir, tarball)], { cwd: app, stdio: 'ignore' });
  bin = join(app, 'node_modules', '.bin', 'auth0-sms-gateway');
}, 120_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the packed package', () => {
  it('installs one package whose bin prints help', async () => {
    const r = await runBin(['--help'], {}, bin);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Usage: auth0-sms-gateway');
    for (const command of ['list', 'show', 'configure', 'restore', 'test-gateway', 'serve', 'wizard', 'apply', 'schema', 'demo']) {
      expect(r.stdout).toMatch(new RegExp(`\\n  ${command}\\b`));
    }
    expect(readdirSync(join(dir, 'app', 'node_modules')).filter((n) => !n.startsWith('.'))).toEqual(['auth0-sms-gateway']);
  });

  it('fails closed on an unknown flag: exit 2 and no stack trace', async () => {
    const r = await runBin(['configure', '--dry_run'], {}, bin);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: unknown option '--dry_run'/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('runs demo end to end: exit 0, both generations deliver to one gateway, both tenants end as they began', async () => {
    const scratch = mkdtempSync(join(dir, 'tmp-'));
    const r = await runBin(['demo', '--json'], { CI: 'true', TMPDIR: scratch }, bin);
    expect(r.stderr).toContain('received an SMS for +15550100100');
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout) as { ok: boolean; restored: boolean; gatewayMessages: unknown; steps: { command: string; exitCode: number }[] };
    expect(doc).toMatchObject({ ok: true, restored: true, gatewayMessages: { legacy: 1, unifiedPhone: 1 } });
    expect(doc.steps.map((s) => s.command.split(' ').slice(1, 3).join(' '))).toContain('phone-provider configure');
    expect(doc.steps.every((s) => s.exitCode === 0)).toBe(true);
    // No files left behind.
    expect(readdirSync(scratch)).toEqual([]);
  }, 60_000);

  it('exports verifyGatewayRequest from the library entry', async () => {
    const script = join(dir, 'app', 'check.mjs');
    writeFileSync(script, "import { verifyGatewayRequest, signGatewayToken } from 'auth0-sms-gateway';\nconst t = await signGatewayToken({ secret: 's3cret-s3cret-s3cret-s3cret-s3cret!', audience: 'urn:a' });\nconst p = await verifyGatewayRequest({ authorization: `Bearer ${t}`, body: { recipient: '+1555', body: 'code 1', sender: '' } }, { secret: 's3cret-s3cret-s3cret-s3cret-s3cret!', audience: 'urn:a' });\nconsole.log(p.recipient);\n");
    const out = execFileSync(process.execPath, [script], { cwd: join(dir, 'app') }).toString();
    expect(out.trim()).toBe('+1555');
  });
});

describe('the packed library entry', () => {
  const app = (): string => join(dir, 'app');
  const installed = (): string => join(app(), 'node_modules', 'auth0-sms-gateway');
  const run = (file: string, text: string): string => {
    writeFileSync(join(app(), file), text);
    return execFileSync(process.execPath, [join(app(), file)], { cwd: app() }).toString().trim();
  };
  const usage = (load: string) => `${load}
const secret = 's3cret-s3cret-s3cret-s3cret-s3cret!';
const main = async () => {
  const t = await lib.signGatewayToken({ secret, audience: 'urn:a' });
  const p = await lib.verifyGatewayRequest({ authorization: 'Bearer ' + t, body: '{"recipient":"+1555","body":"code 1"}' }, { secret, audience: 'urn:a' });
  const sent = [];
  const handler = lib.createGatewayHandler({ secret, audience: 'urn:a' }, (payload) => { sent.push(payload.recipient); });
  const ok = await handler(new Request('https://gw.example.com/sms', { method: 'POST', headers: { authorization: 'Bearer ' + t }, body: JSON.stringify({ recipient: '+1666', body: 'b' }) }));
  const denied = await handler(new Request('https://gw.example.com/sms', { method: 'POST', body: '{}' }));
  let config = 'none';
  try { lib.createGatewayHandler({ audience: 'urn:a' }, () => undefined); } catch (e) { config = e instanceof lib.GatewayConfigurationError && e instanceof TypeError ? e.code : 'wrong'; }
  console.log([p.recipient, p.sender === '', ok.status, sent.join(), denied.status, denied.headers.get('www-authenticate'), config].join(' '));
};
main();
`;
  const expected = '+1555 true 200 +1666 401 Bearer empty_secret';

  it('loads with require (CommonJS)', () => {
    expect(run('check-require.cjs', usage("const lib = require('auth0-sms-gateway');"))).toBe(expected);
  });

  it('loads with import (ESM)', () => {
    expect(run('check-import.mjs', usage("import * as lib from 'auth0-sms-gateway';"))).toBe(expected);
  });

  it('ships ESM, CommonJS and declarations for each, plus the licence files', () => {
    const pkg = JSON.parse(readFileSync(join(installed(), 'package.json'), 'utf8')) as { exports: Record<string, unknown> };
    expect(pkg.exports['.']).toEqual({
      import: { types: './dist/lib/index.d.mts', default: './dist/lib/index.mjs' },
      require: { types: './dist/lib/index.d.cts', default: './dist/lib/index.cjs' },
    });
    for (const file of ['dist/lib/index.mjs', 'dist/lib/index.cjs', 'dist/lib/index.d.mts', 'dist/lib/index.d.cts', 'dist/cli.js', 'LICENSE', 'THIRD_PARTY_LICENSES.md']) {
      expect(existsSync(join(installed(), file)), file).toBe(true);
    }
    expect(readFileSync(join(installed(), 'LICENSE'), 'utf8')).toMatch(/MIT License[\s\S]*auth0-sms-gateway contributors/);
  });

  it('holds every file the README links to (npm shows the README; its links must not lead nowhere)', () => {
    const readme = readFileSync(join(installed(), 'README.md'), 'utf8');
    const links = [...readme.matchAll(/\]\(([^)#\s]+)(?:#[^)]*)?\)/g)].map((m) => m[1]!).filter((link) => !/^[a-z]+:/i.test(link));
    expect(links.length).toBeGreaterThan(0);
    for (const link of links) expect(existsSync(join(installed(), link)), link).toBe(true);
  });

  it('holds nothing of zod, commander, jose or the auth0 SDK: it imports only node: built-ins and its own files', () => {
    const walk = (d: string): string[] => readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(d, e.name)) : [join(d, e.name)]));
    const files = walk(join(installed(), 'dist', 'lib'));
    expect(files.length).toBeGreaterThanOrEqual(4);
    for (const file of files) {
      const text = readFileSync(file, 'utf8');
      const specifiers = [...text.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|\brequire\s*\(\s*|^\s*import\s+)["']([^"']+)["']/gm)].map((m) => m[1] ?? '');
      for (const specifier of specifiers) expect(specifier, `${file} imports ${specifier}`).toMatch(/^(node:|\.\.?\/)/);
      expect(text, file).not.toMatch(/zod|commander|jose|@inquirer|chalk/i);
    }
  });

  it('type-checks in a strict consumer with skipLibCheck false, for import and require, with DOM or Node types, or none', () => {
    const consumer = join(app(), 'consumer');
    execFileSync('mkdir', ['-p', consumer]);
    const body = (load: string) => `${load}
export const handler: (request: Request) => Promise<Response> = createGatewayHandler(
  { secret: 's', audience: 'urn:a', subject: 'urn:Auth0', maxBodyBytes: 4096 },
  async (payload: GatewayPayload, meta: GatewayHandlerMeta) => {
    const to: string = payload.recipient;
    const ip: string | undefined = payload.req?.ip;
    const claims: GatewayTokenClaims | null = meta.claims;
    void [to, ip, claims, meta.request.url, meta.receivedAt.getTime()];
  },
);
export const open = createGatewayHandler({ allowUnauthenticated: true }, () => undefined);
export async function check(authorization: string | null, body: unknown): Promise<string> {
  try {
    const payload = await verifyGatewayRequest({ authorization, body }, { secret: 's', audience: 'urn:a', secretBase64Encoded: false });
    return payload.body;
  } catch (error) {
    if (error instanceof GatewayVerificationError) {
      const status: 400 | 401 = error.status;
      const code: GatewayVerificationErrorCode = error.code;
      return \`\${status} \${code}\`;
    }
    if (error instanceof GatewayConfigurationError) return error.code;
    throw error;
  }
}
export const token: Promise<string> = signGatewayToken({ secret: 's', audience: 'urn:a' }, { lifetimeSeconds: 30 });
// @ts-expect-error the audience is required: the declarations are read, not \`any\`
void verifyGatewayRequest({ body: {} }, { secret: 's' });
`;
    const names = 'createGatewayHandler, verifyGatewayRequest, signGatewayToken, GatewayVerificationError, GatewayConfigurationError, type GatewayPayload, type GatewayHandlerMeta, type GatewayTokenClaims, type GatewayVerificationErrorCode';
    writeFileSync(join(consumer, 'esm.mts'), body(`import { ${names} } from 'auth0-sms-gateway';`));
    // A project that only verifies requests: no fetch types anywhere (no lib.dom, no @types/node).
    writeFileSync(
      join(consumer, 'plain.mts'),
      `import { verifyGatewayRequest, signGatewayToken, GatewayVerificationError } from 'auth0-sms-gateway';
export async function check(authorization: string | undefined, body: string): Promise<string> {
  try {
    return (await verifyGatewayRequest({ authorization, body }, { secret: 's', audience: 'urn:a' })).recipient;
  } catch (error) {
    if (error instanceof GatewayVerificationError) return error.code;
    throw error;
  }
}
export const token: Promise<string> = signGatewayToken({ secret: 's', audience: 'urn:a' });
`,
    );
    writeFileSync(join(consumer, 'cjs.cts'), body(`import { ${names} } from 'auth0-sms-gateway';\nimport lib = require('auth0-sms-gateway');\nvoid lib.renderSmsBody;`));
    const compilerOptions = {
      strict: true,
      skipLibCheck: false,
      noEmit: true,
      module: 'nodenext',
      moduleResolution: 'nodenext',
      target: 'es2022',
      exactOptionalPropertyTypes: true,
      noUncheckedIndexedAccess: true,
    };
    const variants = {
      // A Worker or browser-like project: fetch types from lib.dom, no @types/node at all.
      'tsconfig.dom.json': { ...compilerOptions, lib: ['es2022', 'dom'], types: [] },
      // A Node project: fetch types from @types/node.
      'tsconfig.node.json': { ...compilerOptions, lib: ['es2022'], types: ['node'], typeRoots: [join(root, 'node_modules', '@types')] },
    };
    const files: Record<string, string[]> = { 'tsconfig.plain.json': ['plain.mts'] };
    for (const [name, options] of Object.entries({ ...variants, 'tsconfig.plain.json': { ...compilerOptions, lib: ['es2022'], types: [] } })) {
      writeFileSync(join(consumer, name), JSON.stringify({ compilerOptions: options, files: files[name] ?? ['esm.mts', 'cjs.cts'] }));
      try {
        execFileSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(consumer, name)], { cwd: consumer, stdio: 'pipe' });
      } catch (error) {
        throw new Error(`${name}: ${String((error as { stdout?: Buffer }).stdout ?? error)}`);
      }
    }
  }, 60_000);
});
