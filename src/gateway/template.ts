import { LIQUID_PLACEHOLDER } from '../core/validate.js';
/** Auth0's `options.syntax` values for SMS templates. */
export type SmsTemplateSyntax = 'md_with_macros' | 'liquid';

/** The template Auth0 shows for a fresh SMS connection (auth0-doc-custom-sms-gateway.md). */
export const DEFAULT_SMS_TEMPLATE = 'Your verification code is: @@password@@';

// `md_with_macros` uses the `@@password@@` macro (Auth0's example template); with
// `syntax: liquid` the code is also available as `{{ code }}` or `{{ password }}` (cli-contract.md).
const MACRO = /@@password@@/g;
// The same tags validation accepts (`{{- code -}}`, `{{ code | upcase }}`), so what passes is what renders.
const LIQUID = new RegExp(LIQUID_PLACEHOLDER.source, 'g');

/**
 * The SMS text Auth0 would send: the template with the code in place of its placeholders.
 * No template (or an empty one) means Auth0's default. Other Liquid tags are left as they are:
 * this renders the code, not a Liquid engine.
 */
export function renderSmsBody(template: string | undefined, code: string, syntax: SmsTemplateSyntax = 'md_with_macros'): string {
  const source = template === undefined || template === '' ? DEFAULT_SMS_TEMPLATE : template;
  // A replacer function, so a `$` in the code is never read as a replacement pattern.
  const withMacro = source.replace(MACRO, () => code);
  return syntax === 'liquid' ? withMacro.replace(LIQUID, () => code) : withMacro;
}

/** Whether the template would put the code in the message at all. */
export function templateHasPlaceholder(template: string, syntax: SmsTemplateSyntax = 'md_with_macros'): boolean {
  if (new RegExp(MACRO.source).test(template)) return true;
  return syntax === 'liquid' && new RegExp(LIQUID.source).test(template);
}

/** Auth0 stores `syntax` as a free string; anything but `liquid` renders as `md_with_macros`. */
export function toSmsTemplateSyntax(syntax: string | undefined): SmsTemplateSyntax {
  return syntax === 'liquid' ? 'liquid' : 'md_with_macros';
}
