/** The local Auth0 tenant used by `demo` and by the tests. */
export { createCertificate, type CertificateOptions } from './certificate.js';
export {
  generateConnections,
  seedClients,
  seedConnections,
  SEED_CLIENTS,
  SEED_GATEWAY_SECRET,
  SEED_IDS,
  SEED_SECRETS,
  SEED_TWILIO_TOKEN,
  SEED_UNKNOWN_OPTION,
} from './seed.js';
export { startSandbox } from './server.js';
export type { Connection, Fault, FaultMatch, RateLimit, RequestLogEntry, Sandbox, SandboxClient, SandboxOptions } from './types.js';
