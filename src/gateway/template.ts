// No imports: this module is part of the library entry, and src/core/validate.ts takes its
// placeholder rules from here (one definition of what counts as a placeholder).

/** Auth0's `options.syntax` values for SMS templates. */
export type SmsTemplateSyntax = 'md_with_macros' | 'liquid';

/**
 * The template Auth0 shows for a fresh SMS connection
 * (https://auth0.com/docs/authenticate/passwordless/authentication-methods/use-sms-gateway-passwordless).
 */
export const DEFAULT_SMS_TEMPLATE = 'Your verification code is: @@password@@';

/** The code's placeholder in an `md_with_macros` template (Auth0's example template uses it). */
export const MACRO_PLACEHOLDER = '@@password@@';
/**
 * Liquid output tags for the code: `{{ code }}`, `{{password}}`, `{{- code -}}`, `{{ code | upcase }}`
 * (with `syntax: liquid` Auth0 exposes the code as `code` and `password`). Validation
 * (src/core/validate.ts) and rendering use this one pattern, so what passes is what renders.
 */
export const LIQUID_PLACEHOLDER = /\{\{-?\s*(?:code|password)\s*(?:\|[^}]*)?-?\}\}/;

const MACRO = /@@password@@/g;
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
