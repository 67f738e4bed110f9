// The library entry is built on its own and must stay free of the CLI's dependencies: checked
// here on a fresh build (esbuild's metafile) with the build script's own functions.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build, type Metafile, type Plugin } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

interface BuildScript {
  root: string;
  buildLibrary(options: { outdir: string }): Promise<Record<'esm' | 'cjs', Metafile>>;
  libraryGuardPlugin(): Plugin;
  rawTextPlugin(): Plugin;
  bundledPackages(...metafiles: Metafile[]): string[];
}

const root = fileURLToPath(new URL('../..', import.meta.url));
const scriptUrl = pathToFileURL(join(root, 'scripts', 'build.mjs')).href;
let script: BuildScript;
let out: string;
let metafiles: Record<'esm' | 'cjs', Metafile>;

beforeAll(async () => {
  script = (await import(scriptUrl)) as BuildScript;
  out = mkdtempSync(join(tmpdir(), 'a0sg-lib-'));
  metafiles = await script.buildLibrary({ outdir: out });
}, 60_000);
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe('the library build', () => {
  it('reads only src/index.ts and src/gateway/ modules, and none of the CLI ones', () => {
    for (const metafile of Object.values(metafiles)) {
      const inputs = Object.keys(metafile.inputs).sort();
      expect(inputs).toContain('src/index.ts');
      expect(inputs).toContain('src/gateway/verify.ts');
      for (const input of inputs) expect(input).toMatch(/^src\/(index\.ts|gateway\/[\w-]+\.ts)$/);
      // The CLI's side of src/gateway: it imports src/core (and through it zod).
      for (const cliOnly of ['src/gateway/server.ts', 'src/gateway/client.ts', 'src/gateway/jwt.ts']) expect(inputs).not.toContain(cliOnly);
      expect(inputs.join('\n')).not.toMatch(/node_modules|zod|commander|auth0\/|jose|src\/core/);
    }
  });

  it('imports nothing when it loads, and node:crypto only when it first verifies or signs', () => {
    for (const metafile of Object.values(metafiles)) {
      for (const output of Object.values(metafile.outputs)) {
        expect(output.imports.map((i) => [i.path, i.kind, i.external])).toEqual([['node:crypto', 'dynamic-import', true]]);
      }
    }
    expect(script.bundledPackages(...Object.values(metafiles))).toEqual([]);
  });

  it('emits ESM and CommonJS that load and agree', async () => {
    const esm = (await import(pathToFileURL(join(out, 'index.mjs')).href)) as Record<string, unknown>;
    const { createRequire } = await import('node:module');
    const cjs = createRequire(import.meta.url)(join(out, 'index.cjs')) as Record<string, unknown>;
    expect(Object.keys(esm).sort()).toEqual(Object.keys(cjs).sort());
    expect(Object.keys(esm).sort()).toEqual([
      'DEFAULT_SMS_TEMPLATE',
      'GatewayConfigurationError',
      'GatewayVerificationError',
      'createGatewayHandler',
      'isBase64url',
      'parseGatewayPayload',
      'renderSmsBody',
      'signGatewayToken',
      'verifyGatewayRequest',
      'verifyGatewayToken',
    ]);
    expect(readFileSync(join(out, 'index.cjs'), 'utf8')).not.toMatch(/import\.meta|createRequire/);
    // One process may load both builds: an error from either is an instance of both copies of its class, and of nothing else.
    type ErrorClass = new (code: string, message: string) => Error;
    for (const name of ['GatewayVerificationError', 'GatewayConfigurationError']) {
      const [E, C] = [esm[name] as ErrorClass, cjs[name] as ErrorClass];
      for (const error of [new E('expired', 'x'), new C('expired', 'x')]) {
        expect(error instanceof E && error instanceof C).toBe(true);
        expect(error instanceof Error).toBe(true);
        // As stack traces, console.log and logs show it (the bundler renames a self-referring class).
        expect([error.name, error.constructor.name]).toEqual([name, name]);
      }
      expect([E.name, C.name]).toEqual([name, name]);
    }
    const verification = esm.GatewayVerificationError as ErrorClass;
    const configuration = cjs.GatewayConfigurationError as ErrorClass;
    expect(new configuration('empty_secret', 'x') instanceof verification).toBe(false);
    expect(new Error('x') instanceof configuration).toBe(false);
    expect(new configuration('empty_secret', 'x') instanceof TypeError).toBe(true);
  });

  it('refuses to build when the library reaches a package or src/core', async () => {
    for (const [file, text, message] of [
      ['src/gateway/__guard-test-pkg.ts', "import * as z from 'zod';\nexport const s = z.string();\n", /must not import "zod"/],
      ['src/gateway/__guard-test-core.ts', "export { inputError } from '../core/errors.js';\n", /must not import src\/core\/errors\.js/],
    ] as const) {
      const entry = join(root, file);
      writeFileSync(entry, text);
      try {
        const result = build({ absWorkingDir: root, entryPoints: [entry], bundle: true, write: false, platform: 'node', logLevel: 'silent', plugins: [script.libraryGuardPlugin()] });
        await expect(result).rejects.toThrow(message);
      } finally {
        rmSync(entry, { force: true });
      }
    }
  });
});

describe('the ?raw import', () => {
  it('bundles a file as its text, as vitest does', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'a0sg-raw-'));
    try {
      const template = "// generated code template\nexport const onExecute = async () => `${'${'}x}`;\n";
      writeFileSync(join(dir, 'template.js'), template);
      writeFileSync(join(dir, 'entry.ts'), "import text from './template.js?raw';\nimport ts from './other.js?raw';\nexport { text, ts };\n");
      writeFileSync(join(dir, 'other.ts'), 'export const typed: number = 1;\n');
      const result = await build({ absWorkingDir: dir, entryPoints: [join(dir, 'entry.ts')], bundle: true, write: false, format: 'esm', platform: 'node', logLevel: 'silent', plugins: [script.rawTextPlugin()] });
      const file = join(dir, 'out.mjs');
      writeFileSync(file, result.outputFiles[0]?.text ?? '');
      const mod = (await import(pathToFileURL(file).href)) as { text: string; ts: string };
      expect(mod.text).toBe(template);
      // A .js specifier whose file is the .ts source beside it, as TypeScript imports are written.
      expect(mod.ts).toBe('export const typed: number = 1;\n');
      // The template is text, not code: its export is not the module's.
      expect(Object.keys(mod).sort()).toEqual(['text', 'ts']);

      writeFileSync(join(dir, 'missing.ts'), "import text from './nope.js?raw';\nexport default text;\n");
      await expect(build({ absWorkingDir: dir, entryPoints: [join(dir, 'missing.ts')], bundle: true, write: false, logLevel: 'silent', plugins: [script.rawTextPlugin()] })).rejects.toThrow(/cannot read \.\/nope\.js/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('third-party licences', () => {
  it('list only packages that put bytes into an output, nested copies by their own folder', () => {
    const metafile = {
      inputs: {},
      outputs: {
        'dist/cli.js': {
          imports: [],
          exports: [],
          bytes: 10,
          inputs: {
            'node_modules/zod/v4/core/util.js': { bytesInOutput: 120 },
            'node_modules/type-only/index.js': { bytesInOutput: 0 },
            'node_modules/auth0/node_modules/jose/dist/index.js': { bytesInOutput: 9 },
            'node_modules/@inquirer/core/dist/index.js': { bytesInOutput: 3 },
            'src/main.ts': { bytesInOutput: 50 },
          },
        },
      },
    } as unknown as Metafile;
    expect(script.bundledPackages(metafile)).toEqual(['node_modules/@inquirer/core', 'node_modules/auth0/node_modules/jose', 'node_modules/zod']);
  });

  it('are written for the built package', () => {
    const text = readFileSync(join(root, 'THIRD_PARTY_LICENSES.md'), 'utf8');
    expect(text).toMatch(/The library entry \(dist\/lib\/\) bundles no third-party code\./);
    expect(text).toMatch(/^## commander@/m);
    expect(relative(root, join(root, 'LICENSE'))).toBe('LICENSE');
    expect(readFileSync(join(root, 'LICENSE'), 'utf8')).toMatch(/^MIT License\n\nCopyright \(c\) \d{4} auth0-sms-gateway contributors\n/);
  });
});
