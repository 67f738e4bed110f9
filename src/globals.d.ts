/** Replaced by the build (scripts/build.mjs) with package.json's version. */
declare const __PACKAGE_VERSION__: string;
