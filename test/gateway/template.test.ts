import { describe, expect, it } from 'vitest';
import { DEFAULT_SMS_TEMPLATE, renderSmsBody, templateHasPlaceholder, toSmsTemplateSyntax } from '../../src/gateway/template.js';

describe('renderSmsBody', () => {
  it.each([
    ['default template when none', undefined, 'md_with_macros', 'Your verification code is: 123456'],
    ['default template when empty', '', 'md_with_macros', 'Your verification code is: 123456'],
    ['every macro', '@@password@@ is @@password@@', 'md_with_macros', '123456 is 123456'],
    ['liquid code', 'Code: {{ code }}', 'liquid', 'Code: 123456'],
    ['liquid password, tight', 'Code: {{password}}', 'liquid', 'Code: 123456'],
    ['liquid, loose whitespace', 'Code: {{   code\t}}', 'liquid', 'Code: 123456'],
    ['macro under liquid', 'Code: @@password@@', 'liquid', 'Code: 123456'],
    ['liquid tags untouched without liquid', 'Code: {{ code }}', 'md_with_macros', 'Code: {{ code }}'],
    ['other liquid left alone', '{{ application.name }}: {{ code }}', 'liquid', '{{ application.name }}: 123456'],
  ] as const)('%s', (_name, template, syntax, expected) => {
    expect(renderSmsBody(template, '123456', syntax)).toBe(expected);
  });

  it('does not read $ in the code as a replacement pattern', () => {
    expect(renderSmsBody('x @@password@@ y', "$&$'", 'md_with_macros')).toBe("x $&$' y");
    expect(renderSmsBody('x {{ code }} y', '$1', 'liquid')).toBe('x $1 y');
  });

  it('uses Auth0\'s default text', () => {
    expect(DEFAULT_SMS_TEMPLATE).toBe('Your verification code is: @@password@@');
  });
});

describe('templateHasPlaceholder', () => {
  it.each([
    ['Code @@password@@', 'md_with_macros', true],
    ['Code @@password@@', 'liquid', true],
    ['Code {{ code }}', 'md_with_macros', false],
    ['Code {{ code }}', 'liquid', true],
    ['Code {{password}}', 'liquid', true],
    ['Code {{ otp }}', 'liquid', false],
    ['Code @@pass@@', 'md_with_macros', false],
    ['', 'md_with_macros', false],
  ] as const)('%j with %s → %s', (template, syntax, expected) => {
    // Twice: a global regex with lastIndex state would flip the second answer.
    expect(templateHasPlaceholder(template, syntax)).toBe(expected);
    expect(templateHasPlaceholder(template, syntax)).toBe(expected);
  });

  it('maps Auth0 syntax strings', () => {
    expect(toSmsTemplateSyntax('liquid')).toBe('liquid');
    expect(toSmsTemplateSyntax('md_with_macros')).toBe('md_with_macros');
    expect(toSmsTemplateSyntax(undefined)).toBe('md_with_macros');
  });
});
