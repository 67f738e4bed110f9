import * as z from 'zod';
import { lazy } from './lazy.js';

/*
 * The tenant's phone side as the Management API returns it, as far as the tool reads it
 * (docs/auth0-facts.md#two-generations-of-sms-delivery). Apart from the planner, so that the
 * Management API client loads only these schemas.
 */

/** Built on first use: only the commands that read the tenant's phone side parse with them. */
export const phoneSchemas = lazy(() => {
  /** A phone provider as Auth0 returns it (credentials are never returned). */
  const phoneProvider = z.looseObject({
    id: z.string().min(1),
    name: z.string(),
    disabled: z.boolean().nullish(),
    channel: z.string().nullish(),
    configuration: z.record(z.string(), z.unknown()).nullish(),
  });
  const secretName = z.looseObject({ name: z.string() });
  /** An Action as Auth0 returns it, as far as the tool reads it. */
  const action = z.looseObject({
    id: z.string().min(1),
    name: z.string(),
    supported_triggers: z.array(z.looseObject({ id: z.string(), version: z.string().nullish() })).nullish(),
    code: z.string().nullish(),
    runtime: z.string().nullish(),
    secrets: z.array(secretName).nullish(),
    status: z.string().nullish(),
    /** Why a build failed: Auth0's ActionError is `{ id, msg, url }`. */
    errors: z.array(z.looseObject({ msg: z.unknown().optional(), message: z.unknown().optional() })).nullish().catch(null),
    all_changes_deployed: z.boolean().nullish(),
    deployed_version: z
      .looseObject({ id: z.string().nullish(), number: z.number().nullish(), code: z.string().nullish(), deployed: z.boolean().nullish(), secrets: z.array(secretName).nullish() })
      .nullish(),
  });
  const binding = z.looseObject({
    id: z.string().nullish(),
    display_name: z.string().nullish(),
    action: z.looseObject({ id: z.string(), name: z.string().nullish() }),
  });
  return { phoneProvider, action, binding };
});
type PhoneSchemas = ReturnType<typeof phoneSchemas>;
export type PhoneProvider = z.infer<PhoneSchemas['phoneProvider']>;
export type Action = z.infer<PhoneSchemas['action']>;
export type Binding = z.infer<PhoneSchemas['binding']>;
