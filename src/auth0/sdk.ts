// The parts of the `auth0` SDK this tool uses, imported by name so that the bundler keeps only
// them (a dynamic import of 'auth0/management' would carry every Management API resource).
// client.ts loads this module lazily: commands that never call Auth0 do not pay for it.
export { createManagementAuth } from 'auth0/management';
export { ConnectionsClient } from 'auth0/connections';
export { ActionsClient } from 'auth0/actions';
export { BindingsClient } from 'auth0/actions/triggers/bindings';
export { ProvidersClient } from 'auth0/branding/phone/providers';
export { SettingsClient } from 'auth0/tenants/settings';
