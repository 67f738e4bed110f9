/** Replaced by the build (scripts/build.mjs) with package.json's version. */
declare const __PACKAGE_VERSION__: string;

/**
 * A file imported as text: `import text from './file.js?raw'`. vitest (through Vite) and the
 * build (scripts/build.mjs) load it as a string instead of running it; used for the generated
 * Auth0 Action's template, which must reach Auth0 byte for byte as written.
 */
declare module '*?raw' {
  const text: string;
  export default text;
}
