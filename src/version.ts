/** package.json's version, put in by the build (scripts/build.mjs); tests run unbundled. */
export const VERSION: string = typeof __PACKAGE_VERSION__ === 'string' ? __PACKAGE_VERSION__ : '0.0.0-dev';

/** The executable's name, as people type it (and as npm links it). */
export const BIN_NAME = 'auth0-sms-gateway';
