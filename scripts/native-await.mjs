// Native async functions in place of TypeScript's `__awaiter` helper, for bundled code compiled
// for ES2015 (the auth0 SDK). TypeScript turns each `async` function of such a target into
//   __awaiter(this, void 0, void 0, function* () { … yield x … })
// which runs a generator under a promise driver: a generator object, a promise and two closures
// per call, and a `.then` per `yield`. The SDK makes about 15 of those calls per request; native
// `async`/`await` does the same work in V8 without them. The rewrite is syntactic and exact:
//   __awaiter(this, void 0, void 0, function* () { B })            → (async () => { B' })()
//   __awaiter(T, arguments, void 0, function* (P) { B })           → (async function (P) { B' }).apply(T, arguments)
// where B' has each `yield e` of that generator (not of a function nested in it) as `await (e)`.
// An arrow takes `this`, `arguments` and `new.target` from the function it stands in, which is
// what the helper passed for `this`; so the first form is used only when the body does not use
// `arguments`, `new.target`, `super` or a direct `eval` (nor `this`, when the helper was given
// `void 0` for it). Anything else (another promise constructor than the default, `yield*`, a
// call of another shape, a file TypeScript's parser reports an error in) is left as it is.
// Reads the code with TypeScript's parser (a devDependency), so strings, comments and regular
// expressions are never mistaken for code. (TypeScript emits none of the refused shapes, and it
// refuses `this` before `super()` itself, where an arrow would read `this` later than the helper.)
import ts from 'typescript';

/**
 * @typedef {{ start: number, end: number, text: string }} Edit
 * @typedef {{ text: string, converted: number, left: number }} NativeAwaitResult
 */

const AWAITER = /^__awaiter\d*$/;

/**
 * @param {string} text JavaScript (an ES module or a script)
 * @param {string} [fileName] for TypeScript's parser only
 * @returns {NativeAwaitResult} the rewritten text, how many calls were rewritten and how many `__awaiter` calls were left
 */
export function nativeAwait(text, fileName = 'input.js') {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.JS);
  // Code the parser misreads would be edited wrongly: such a file is left whole.
  if (/** @type {{ parseDiagnostics?: readonly unknown[] }} */ (/** @type {unknown} */ (source)).parseDiagnostics?.length) {
    return { text, converted: 0, left: (text.match(/\b__awaiter\d*\(/g) ?? []).length };
  }
  /** @type {Edit[]} */
  const edits = [];
  /** @type {Set<ts.Node>} */
  const rewritten = new Set();
  let converted = 0;
  let left = 0;

  /** @param {ts.Node} node */
  const visit = (node) => {
    if (ts.isCallExpression(node) && ts.isIdentifier(node.expression) && AWAITER.test(node.expression.text)) {
      const form = formOf(node);
      if (form === undefined) left++;
      else {
        converted++;
        rewritten.add(form.generator);
        edits.push(...form.edits);
      }
    } else if (ts.isYieldExpression(node) && rewritten.has(enclosingFunction(node))) {
      const operand = node.expression;
      if (operand === undefined) {
        // A bare `yield` ends its statement before a `(`, `[`, `+`… on the next line (nothing can
        // follow it there); after `await void 0` ASI would not end it, so a semicolon does.
        edits.push({ start: node.getStart(source), end: node.end, text: endsStatementByAsi(text, node.end) ? '(await void 0);' : '(await void 0)' });
      }
      else {
        // `yield` binds looser than any operator, `await` tighter: the operand keeps its extent.
        edits.push({ start: node.getStart(source), end: operand.getStart(source), text: 'await (' });
        edits.push({ start: operand.end, end: operand.end, text: ')' });
      }
    }
    ts.forEachChild(node, visit);
  };

  /**
   * The edits that turn one `__awaiter(…)` call into a native async function, or undefined.
   * @param {ts.CallExpression} call
   * @returns {{ generator: ts.FunctionExpression, edits: Edit[] } | undefined}
   */
  const formOf = (call) => {
    if (call.arguments.length !== 4) return undefined;
    const [self, args, promise, generator] = /** @type {[ts.Expression, ts.Expression, ts.Expression, ts.Expression]} */ ([...call.arguments]);
    const thisGiven = self.kind === ts.SyntaxKind.ThisKeyword;
    const argumentsGiven = ts.isIdentifier(args) && args.text === 'arguments';
    if (!(thisGiven || isVoidZero(self)) || !(argumentsGiven || isVoidZero(args)) || !isVoidZero(promise)) return undefined;
    if (!ts.isFunctionExpression(generator) || generator.asteriskToken === undefined || generator.name !== undefined) return undefined;
    const body = generator.body;
    if (containsOwn(body, (n) => (ts.isYieldExpression(n) && n.asteriskToken !== undefined) || (ts.isIdentifier(n) && n.text === 'await'))) return undefined;
    const callStart = call.getStart(source);
    // Both forms start with `(`: after a statement without its semicolon, that would call it.
    const open = startsStatementAfterOneWithoutSemicolon(call, source) ? ';(' : '(';
    if (argumentsGiven) {
      return {
        generator,
        edits: [
          { start: callStart, end: generator.getStart(source), text: open },
          { start: generator.getStart(source), end: generator.asteriskToken.end, text: 'async function' },
          { start: body.end, end: call.end, text: `).apply(${thisGiven ? 'this' : 'void 0'}, arguments)` },
        ],
      };
    }
    if (generator.parameters.length > 0) return undefined;
    const ownScope = (/** @type {ts.Node} */ n) =>
      isArgumentsReference(n) ||
      (ts.isMetaProperty(n) && n.keywordToken === ts.SyntaxKind.NewKeyword) ||
      n.kind === ts.SyntaxKind.SuperKeyword ||
      (ts.isIdentifier(n) && n.text === 'eval') ||
      (!thisGiven && n.kind === ts.SyntaxKind.ThisKeyword);
    if (containsOwn(body, ownScope)) return undefined;
    return {
      generator,
      edits: [
        { start: callStart, end: body.getStart(source), text: `${open}async () => ` },
        { start: body.end, end: call.end, text: ')()' },
      ],
    };
  };

  visit(source);
  edits.sort((a, b) => a.start - b.start || a.end - b.end);
  let out = '';
  let at = 0;
  for (const edit of edits) {
    if (edit.start < at) throw new Error(`native-await: overlapping edits in ${fileName} at offset ${edit.start}`);
    out += text.slice(at, edit.start) + edit.text;
    at = edit.end;
  }
  return { text: out + text.slice(at), converted, left };
}

/**
 * Whether the token after `end` stands on a new line and is one that could continue an
 * expression (`(`, `[`, a template, `+`, `-`, `/`): after a bare `yield`, ASI ended the
 * statement there.
 * @param {string} text
 * @param {number} end
 */
function endsStatementByAsi(text, end) {
  const scanner = ts.createScanner(ts.ScriptTarget.Latest, true, ts.LanguageVariant.Standard, text);
  scanner.resetTokenState(end);
  const token = scanner.scan();
  const continuing = [ts.SyntaxKind.OpenParenToken, ts.SyntaxKind.OpenBracketToken, ts.SyntaxKind.NoSubstitutionTemplateLiteral, ts.SyntaxKind.TemplateHead, ts.SyntaxKind.PlusToken, ts.SyntaxKind.MinusToken, ts.SyntaxKind.SlashToken, ts.SyntaxKind.SlashEqualsToken];
  return scanner.hasPrecedingLineBreak() && continuing.includes(token);
}

/** @param {ts.Node} node */
function isVoidZero(node) {
  return ts.isVoidExpression(node) && ts.isNumericLiteral(node.expression) && node.expression.text === '0';
}

/** @param {ts.Node} node */
function isArgumentsReference(node) {
  return ts.isIdentifier(node) && node.text === 'arguments' && !(ts.isPropertyAccessExpression(node.parent) && node.parent.name === node);
}

/**
 * The function (of any kind, arrows included) a node belongs to, or the file. A method's
 * computed name (`[yield x]() {}`) belongs to the code around the method, not to it.
 * @param {ts.Node} node
 * @returns {ts.Node}
 */
function enclosingFunction(node) {
  let at = node.parent;
  let from = node;
  while (!ts.isSourceFile(at) && !(ts.isFunctionLike(at) && !isComputedNameOf(from, at))) {
    from = at;
    at = at.parent;
  }
  return at;
}

/** @param {ts.Node} node @param {ts.Node} fn */
function isComputedNameOf(node, fn) {
  return ts.isComputedPropertyName(node) && /** @type {{ name?: ts.Node }} */ (fn).name === node;
}

/**
 * Whether `call` opens an expression statement that follows, in the same list, a statement not
 * ended by a semicolon: ASI joined nothing there, but a `(` in its place would.
 * @param {ts.CallExpression} call
 * @param {ts.SourceFile} source
 */
function startsStatementAfterOneWithoutSemicolon(call, source) {
  const start = call.getStart(source);
  /** @type {ts.Node} */
  let at = call.parent;
  while (!ts.isExpressionStatement(at) && !ts.isSourceFile(at) && at.getStart(source) === start) at = at.parent;
  if (!ts.isExpressionStatement(at) || at.getStart(source) !== start) return false;
  // A block, the file, a case clause: the statement lists; an `if`'s body has no list, and no `(` hazard.
  const list = /** @type {{ statements?: readonly ts.Statement[] }} */ (at.parent).statements;
  const index = list === undefined ? -1 : list.indexOf(at);
  const previous = index > 0 ? list?.[index - 1] : undefined;
  return previous !== undefined && !previous.getText(source).endsWith(';');
}

/**
 * Whether `test` holds for a node of `root`'s own code: not inside a nested non-arrow
 * function, which has its own `this`, `arguments` and `yield`s. (Arrows share the first two,
 * and cannot yield.)
 * @param {ts.Node} root
 * @param {(node: ts.Node) => boolean} test
 */
function containsOwn(root, test) {
  let found = false;
  /** @param {ts.Node} node */
  const look = (node) => {
    if (found) return;
    if (test(node)) {
      found = true;
      return;
    }
    if (node !== root && ts.isFunctionLike(node) && !ts.isArrowFunction(node)) {
      // Its computed name is evaluated where it stands, in `root`'s own code.
      const name = /** @type {{ name?: ts.Node }} */ (node).name;
      if (name !== undefined && ts.isComputedPropertyName(name)) look(name);
      return;
    }
    ts.forEachChild(node, look);
  };
  look(root);
  return found;
}
