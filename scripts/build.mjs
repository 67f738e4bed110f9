// Bundles the CLI and the library entry with esbuild. Everything the tool needs is inlined,
// so `npm install auth0-sms-gateway` pulls one package; heavy parts (the auth0 SDK, the
// prompt library, the sandbox) sit in chunks that load only when a command needs them.
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { rmSync, writeFileSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
rmSync(join(root, 'dist'), { recursive: true, force: true });

const result = await build({
  absWorkingDir: root,
  entryPoints: { cli: 'src/main.ts', index: 'src/index.ts' },
  outdir: 'dist',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  minify: true,
  keepNames: true,
  legalComments: 'none',
  metafile: true,
  chunkNames: 'chunks/[name]-[hash]',
  define: { __PACKAGE_VERSION__: JSON.stringify(pkg.version) },
  // Bundled CommonJS dependencies (the auth0 SDK) call require() for Node built-ins.
  banner: { js: "import{createRequire as __cr}from'node:module';const require=__cr(import.meta.url);" },
  logLevel: 'warning',
});

// Licences of every bundled package, since they ship inside dist/ rather than node_modules/.
const packages = new Map();
for (const input of Object.keys(result.metafile.inputs)) {
  const m = input.match(/node_modules\/((?:@[^/]+\/)?[^/]+)\//g);
  if (!m) continue;
  const last = m[m.length - 1];
  const dir = input.slice(0, input.lastIndexOf(last) + last.length);
  packages.set(dir, true);
}
let licences = `# Third-party licences\n\n${pkg.name} bundles the following packages into dist/.\n`;
for (const dir of [...packages.keys()].sort()) {
  const meta = JSON.parse(readFileSync(join(root, dir, 'package.json'), 'utf8'));
  const file = ['LICENSE', 'LICENSE.md', 'LICENSE.txt', 'license', 'LICENCE', 'license.md']
    .map((f) => join(root, dir, f))
    .find((f) => { try { readFileSync(f); return true; } catch { return false; } });
  licences += `\n## ${meta.name}@${meta.version} (${meta.license ?? 'see package'})\n\n`;
  if (file) licences += '```\n' + readFileSync(file, 'utf8').trim() + '\n```\n';
}
writeFileSync(join(root, 'THIRD_PARTY_LICENSES.md'), licences);

// Type declarations for the library entry (gateway authors import verifyGatewayRequest).
execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.lib.json'], { stdio: 'inherit', cwd: root });
