// Row 13: the package as a user gets it. `npm pack` of the current dist/ (scripts ignored: the
// bench already built), then `npm install --offline` of the tarball into an empty project in the
// bench's temporary folder: the packed size, the installed size, the packages pulled in, and the
// tarball's file list. The installed copy is also what row 7 imports.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { root } from './util.mjs';

/** @param {string} dir @returns {number} bytes of the files under dir */
export function dirSize(dir) {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    total += entry.isDirectory() ? dirSize(p) : entry.isFile() ? statSync(p).size : 0;
  }
  return total;
}

/**
 * @typedef {object} Packed
 * @property {string} tarball
 * @property {number} size bytes of the .tgz
 * @property {number} unpackedSize
 * @property {{ path: string, size: number }[]} files
 * @property {string | null} app the project the tarball was installed into, or null when the install failed
 * @property {number} installed bytes under its node_modules
 * @property {number} packages packages in its lockfile
 * @property {string} installError
 */

/** @param {string} work @returns {Packed} */
export function packAndInstall(work) {
  const out = execFileSync('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', work], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  /** @type {{ filename: string, size: number, unpackedSize: number, files: { path: string, size: number }[] }[]} */
  const info = JSON.parse(out.slice(out.indexOf('[')));
  const packed = info[0];
  if (packed === undefined) throw new Error(`npm pack printed no package: ${out}`);
  const tarball = join(work, packed.filename);
  const app = join(work, 'app');
  mkdirSync(app, { recursive: true });
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'bench-app', private: true, type: 'module' }));
  const result = { tarball, size: statSync(tarball).size, unpackedSize: packed.unpackedSize, files: packed.files, app: /** @type {string | null} */ (app), installed: Number.NaN, packages: Number.NaN, installError: '' };
  try {
    execFileSync('npm', ['install', '--offline', '--no-audit', '--no-fund', tarball], { cwd: app, stdio: ['ignore', 'ignore', 'pipe'] });
    const lock = JSON.parse(readFileSync(join(app, 'package-lock.json'), 'utf8'));
    result.packages = Object.keys(lock.packages ?? {}).filter((p) => p !== '').length;
    result.installed = dirSize(join(app, 'node_modules'));
  } catch (error) {
    result.app = null;
    result.installError = String(/** @type {{ stderr?: unknown }} */ (error).stderr ?? error).trim().split('\n').slice(-3).join(' ');
  }
  return result;
}

/** @param {import('./util.mjs').Table} table @param {Packed} p */
export function packageRows(table, p) {
  table.add({
    id: '13a',
    what: 'packed tarball (npm pack)',
    now: `${(p.size / 1000).toFixed(0)} kB`,
    floor: '300 kB budget',
    ratio: p.size / 300_000,
    goal: '<= 300 kB',
    meets: p.size <= 300_000,
    note: `${p.files.length} files, ${(p.unpackedSize / 1000).toFixed(0)} kB unpacked (list below)`,
  });
  if (p.app === null) {
    table.failed('13b', 'installed size (npm install --offline <tgz>)', p.installError);
    return;
  }
  table.add({
    id: '13b',
    what: 'installed size (npm install --offline <tgz>)',
    now: `${(p.installed / 1e6).toFixed(2)} MB`,
    floor: '1.8 MB budget',
    ratio: p.installed / 1.8e6,
    goal: '<= 1.8 MB',
    meets: p.installed <= 1.8e6,
    note: `${p.packages} package${p.packages === 1 ? '' : 's'} installed (node_modules, lockfile included)`,
  });
}

/** @param {Packed} p @returns {string} the tarball's file list, largest first */
export function fileList(p) {
  const files = [...p.files].sort((a, b) => b.size - a.size || a.path.localeCompare(b.path));
  const width = Math.max(...files.map((f) => f.path.length));
  return files.map((f) => `  ${f.path.padEnd(width)}  ${(f.size / 1000).toFixed(1).padStart(7)} kB`).join('\n');
}
