import { defineCommand } from '../flow/command.js';
import { configureFlagsSchema } from '../flow/configure-connection.js';
import { runWizard } from '../flow/wizard.js';

/** `wizard`: the interactive setup (flow/wizard.ts); the same options as `configure`. */
export const command = defineCommand(configureFlagsSchema, (ctx, flags, [connectionRef]) => runWizard(ctx, connectionRef, flags));
