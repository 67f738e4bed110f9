// node:crypto is not part of Node's start-up snapshot: importing it costs several milliseconds,
// more than the rest of the library. It is loaded on the first verification or signature
// instead, so that `import 'auth0-sms-gateway'` costs about what an empty module does.
/** @internal */
export type NodeCrypto = typeof import('node:crypto');

let loaded: NodeCrypto | undefined;
let loading: Promise<NodeCrypto> | undefined;

/** @internal node:crypto once loaded; undefined before the first loadCrypto() settles. */
export const loadedCrypto = (): NodeCrypto | undefined => loaded;

/** @internal Loads node:crypto once. */
export function loadCrypto(): Promise<NodeCrypto> {
  loading ??= import('node:crypto').then((module) => (loaded = module));
  return loading;
}
