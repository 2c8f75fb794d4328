/**
 * The subset of Go's text/template that `--format` takes, with Docker's template functions.
 *
 * Supported:
 *   {{.Field.Sub}} {{.}} {{$}} {{$.Field}}          field access (maps and Berth's row objects)
 *   {{.Label "k"}}                                    a row method with arguments
 *   {{json .}} {{index .Config.Labels "k"}} {{len .Names}} {{join .Args ","}} {{.Names | upper}}
 *   {{if …}} {{else if …}} {{else}} {{end}}, {{range …}} (with `$i, $v :=`, {{else}}), {{with …}}
 *   {{$x := …}} {{$x = …}}, "strings", `raw`, numbers, true/false/nil, ( … ), {{- trim -}}, {{/* … *\/}}
 *   functions: json split join title lower upper pad truncate (Docker's), and or not len index print
 *   printf println eq ne lt le gt ge slice (Go's)
 * Not supported (a TemplateError says so): define, template, block, break, continue, and functions not
 * in the list above.
 *
 * Values print as Go's %v prints decoded JSON: strings as they are, arrays as `[a b]`, objects as
 * `map[k:v]`, null as `<nil>`, a missing map key as `<no value>`.
 */

export class TemplateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TemplateError';
  }
}

/** Objects whose missing fields are an error (Docker's typed contexts), not `<no value>` (maps). */
const strictObjects = new WeakSet<object>();

/** Marks a row object: asking it for a field it does not have fails, as it does on Docker's contexts. */
export function strict<T extends object>(o: T): T {
  strictObjects.add(o);
  return o;
}

// --- lexer ---------------------------------------------------------------------------------------------

type Tok =
  | { k: 'field'; names: string[]; pos: number } // .A.B  ('.' alone: names [])
  | { k: 'var'; name: string; names: string[]; pos: number } // $x.A
  | { k: 'ident'; name: string; pos: number }
  | { k: 'string'; value: string; pos: number }
  | { k: 'number'; value: number; pos: number }
  | { k: 'bool'; value: boolean; pos: number }
  | { k: 'nil'; pos: number }
  | { k: 'lparen' | 'rparen' | 'pipe' | 'declare' | 'assign' | 'comma'; pos: number };

const IDENT = /[A-Za-z_][A-Za-z0-9_]*/y;

function parseGoString(src: string, at: number, ctx: string): { value: string; end: number } {
  let i = at + 1;
  let out = '';
  while (i < src.length && src[i] !== '"') {
    if (src[i] === '\\') {
      const c = src[i + 1];
      const simple: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', '"': '"', a: '\x07', b: '\b', f: '\f', v: '\v', "'": "'" }; // prettier-ignore
      if (c !== undefined && c in simple) {
        out += simple[c];
        i += 2;
        continue;
      }
      const hex = c === 'x' ? 2 : c === 'u' ? 4 : c === 'U' ? 8 : 0;
      if (hex > 0 && /^[0-9a-fA-F]+$/.test(src.slice(i + 2, i + 2 + hex)) && i + 2 + hex <= src.length) {
        out += String.fromCodePoint(parseInt(src.slice(i + 2, i + 2 + hex), 16));
        i += 2 + hex;
        continue;
      }
      throw new TemplateError(`${ctx}: invalid syntax in string: unknown escape \\${c ?? ''}`);
    }
    out += src[i];
    i++;
  }
  if (i >= src.length) throw new TemplateError(`${ctx}: unterminated quoted string`);
  return { value: out, end: i + 1 };
}

function lexAction(src: string, ctx: string): Tok[] {
  const toks: Tok[] = [];
  let i = 0;
  const names = (): string[] => {
    const out: string[] = [];
    while (src[i] === '.') {
      IDENT.lastIndex = i + 1;
      const m = IDENT.exec(src);
      if (!m) break;
      out.push(m[0]);
      i = IDENT.lastIndex;
    }
    return out;
  };
  while (i < src.length) {
    const c = src[i]!;
    const pos = i;
    if (/\s/.test(c)) {
      i++;
    } else if (c === '.') {
      if (/[A-Za-z_]/.test(src[i + 1] ?? '')) toks.push({ k: 'field', names: names(), pos });
      else {
        i++;
        toks.push({ k: 'field', names: [], pos });
      }
    } else if (c === '$') {
      IDENT.lastIndex = i + 1;
      const m = IDENT.exec(src);
      i = m ? IDENT.lastIndex : i + 1;
      toks.push({ k: 'var', name: m ? m[0] : '', names: names(), pos });
    } else if (c === '"') {
      const s = parseGoString(src, i, ctx);
      toks.push({ k: 'string', value: s.value, pos });
      i = s.end;
    } else if (c === '`') {
      const end = src.indexOf('`', i + 1);
      if (end < 0) throw new TemplateError(`${ctx}: unterminated raw quoted string`);
      toks.push({ k: 'string', value: src.slice(i + 1, end), pos });
      i = end + 1;
    } else if (/[0-9]/.test(c) || (c === '-' && /[0-9]/.test(src[i + 1] ?? ''))) {
      const m = /-?(0x[0-9a-fA-F]+|\d+(\.\d+)?([eE][+-]?\d+)?)/y;
      m.lastIndex = i;
      const r = m.exec(src)!;
      toks.push({ k: 'number', value: Number(r[0]), pos });
      i = m.lastIndex;
    } else if (c === '(') {
      toks.push({ k: 'lparen', pos });
      i++;
    } else if (c === ')') {
      toks.push({ k: 'rparen', pos });
      i++;
      if (src[i] === '.')
        throw new TemplateError(`${ctx}: field access on a parenthesised value is not supported`);
    } else if (c === '|') {
      toks.push({ k: 'pipe', pos });
      i++;
    } else if (c === ',') {
      toks.push({ k: 'comma', pos });
      i++;
    } else if (c === ':' && src[i + 1] === '=') {
      toks.push({ k: 'declare', pos });
      i += 2;
    } else if (c === '=') {
      toks.push({ k: 'assign', pos });
      i++;
    } else if (/[A-Za-z_]/.test(c)) {
      IDENT.lastIndex = i;
      const m = IDENT.exec(src)!;
      i = IDENT.lastIndex;
      if (m[0] === 'true' || m[0] === 'false') toks.push({ k: 'bool', value: m[0] === 'true', pos });
      else if (m[0] === 'nil') toks.push({ k: 'nil', pos });
      else toks.push({ k: 'ident', name: m[0], pos });
    } else {
      throw new TemplateError(`${ctx}: unexpected ${JSON.stringify(c)} in command`);
    }
  }
  return toks;
}

// --- parser ----------------------------------------------------------------------------------------------

type Operand =
  | { k: 'field'; names: string[]; text: string }
  | { k: 'var'; name: string; names: string[]; text: string }
  | { k: 'func'; name: string }
  | { k: 'literal'; value: unknown }
  | { k: 'pipeline'; pipe: Pipeline };

interface Command {
  operands: Operand[];
}

interface Pipeline {
  decl: string[];
  assign: boolean;
  cmds: Command[];
}

type Node =
  | { k: 'text'; text: string }
  | { k: 'action'; pipe: Pipeline; ctx: string }
  | { k: 'if' | 'with' | 'range'; pipe: Pipeline; body: Node[]; else: Node[]; ctx: string };

const FUNCS = new Set(['json', 'split', 'join', 'title', 'lower', 'upper', 'pad', 'truncate', 'and', 'or', 'not', 'len', 'index', 'print', 'printf', 'println', 'eq', 'ne', 'lt', 'le', 'gt', 'ge', 'slice']); // prettier-ignore
const UNSUPPORTED_KEYWORDS = new Set(['define', 'template', 'block', 'break', 'continue', 'call', 'html', 'js', 'urlquery']); // prettier-ignore

function tokText(src: string, t: Tok, toks: Tok[], idx: number): string {
  const next = toks[idx + 1];
  return src.slice(t.pos, next ? next.pos : undefined).trim();
}

function parsePipeline(src: string, toks: Tok[], ctx: string): Pipeline {
  let i = 0;
  const pipe: Pipeline = { decl: [], assign: false, cmds: [] };
  // Declarations: $x := …, $i, $v := …, $x = …
  const declEnd = toks.findIndex((t) => t.k === 'declare' || t.k === 'assign');
  if (declEnd > 0 && toks.slice(0, declEnd).every((t) => t.k === 'var' || t.k === 'comma')) {
    pipe.decl = toks.slice(0, declEnd).flatMap((t) => (t.k === 'var' ? [t.name] : []));
    pipe.assign = toks[declEnd]!.k === 'assign';
    i = declEnd + 1;
  }
  const parseOperands = (stop: (t: Tok) => boolean): Command[] => {
    const cmds: Command[] = [];
    let cmd: Command = { operands: [] };
    while (i < toks.length && !stop(toks[i]!)) {
      const t = toks[i]!;
      switch (t.k) {
        case 'pipe':
          if (cmd.operands.length === 0) throw new TemplateError(`${ctx}: missing command before "|"`);
          cmds.push(cmd);
          cmd = { operands: [] };
          i++;
          continue;
        case 'field':
          cmd.operands.push({ k: 'field', names: t.names, text: tokText(src, t, toks, i) });
          break;
        case 'var':
          cmd.operands.push({ k: 'var', name: t.name, names: t.names, text: tokText(src, t, toks, i) });
          break;
        case 'ident':
          if (UNSUPPORTED_KEYWORDS.has(t.name)) {
            throw new TemplateError(`${ctx}: "${t.name}" is not supported in berth's --format templates`);
          }
          if (!FUNCS.has(t.name)) throw new TemplateError(`${ctx}: function "${t.name}" not defined`);
          cmd.operands.push({ k: 'func', name: t.name });
          break;
        case 'string':
        case 'number':
        case 'bool':
          cmd.operands.push({ k: 'literal', value: t.value });
          break;
        case 'nil':
          cmd.operands.push({ k: 'literal', value: null });
          break;
        case 'lparen': {
          i++;
          const start = i;
          let depth = 1;
          while (i < toks.length) {
            if (toks[i]!.k === 'lparen') depth++;
            if (toks[i]!.k === 'rparen' && --depth === 0) break;
            i++;
          }
          if (i >= toks.length) throw new TemplateError(`${ctx}: unclosed left paren`);
          cmd.operands.push({ k: 'pipeline', pipe: parsePipeline(src, toks.slice(start, i), ctx) });
          break;
        }
        case 'rparen':
          throw new TemplateError(`${ctx}: unexpected right paren`);
        default:
          throw new TemplateError(
            `${ctx}: unexpected ${JSON.stringify(src.slice(t.pos, t.pos + 2))} in operand`,
          );
      }
      i++;
    }
    if (cmd.operands.length === 0) {
      if (cmds.length > 0) throw new TemplateError(`${ctx}: missing command after "|"`);
      return cmds;
    }
    cmds.push(cmd);
    return cmds;
  };
  pipe.cmds = parseOperands(() => false);
  for (const cmd of pipe.cmds) {
    const [first, ...rest] = cmd.operands;
    if (first!.k !== 'func' && first!.k !== 'field' && rest.length > 0) {
      throw new TemplateError(`${ctx}: can't give argument to non-function ${describe(first!)}`);
    }
  }
  return pipe;
}

function describe(op: Operand): string {
  if (op.k === 'field' || op.k === 'var') return op.text;
  if (op.k === 'literal') return JSON.stringify(op.value);
  return op.k;
}

interface Action {
  body: string;
  ctx: string;
  at: number;
}

export class Template {
  private readonly nodes: Node[];

  constructor(readonly source: string) {
    this.nodes = parseTemplate(source);
  }

  /** Runs the template on `data` and returns the text. Throws TemplateError. */
  execute(data: unknown): string {
    const out: string[] = [];
    const scope: Map<string, unknown>[] = [new Map([['', data]])];
    runNodes(this.nodes, data, scope, out);
    return out.join('');
  }
}

function lineOf(src: string, at: number): number {
  return src.slice(0, at).split('\n').length;
}

function parseTemplate(src: string): Node[] {
  // Split into text and actions, applying trim markers.
  const parts: (string | Action)[] = [];
  let i = 0;
  while (i < src.length) {
    const open = src.indexOf('{{', i);
    if (open < 0) {
      parts.push(src.slice(i));
      break;
    }
    let text = src.slice(i, open);
    let start = open + 2;
    if (src[start] === '-' && /\s/.test(src[start + 1] ?? '')) {
      text = text.replace(/\s+$/, '');
      start += 1;
    }
    parts.push(text);
    const ctx = `template: :${lineOf(src, open)}`;
    let close: number;
    if (src.slice(start).trimStart().startsWith('/*')) {
      const end = src.indexOf('*/', start);
      if (end < 0) throw new TemplateError(`${ctx}: unclosed comment`);
      close = src.indexOf('}}', end);
      if (close < 0) throw new TemplateError(`${ctx}: unclosed action`);
      i = close + 2;
      if (src[close - 1] === '-' && /\s/.test(src[close - 2] ?? '')) i = skipSpace(src, i);
      continue;
    }
    // Find the closing braces outside string literals.
    let j = start;
    close = -1;
    while (j < src.length) {
      const c = src[j]!;
      if (c === '"') {
        j = parseGoString(src, j, ctx).end;
        continue;
      }
      if (c === '`') {
        const end = src.indexOf('`', j + 1);
        if (end < 0) throw new TemplateError(`${ctx}: unterminated raw quoted string`);
        j = end + 1;
        continue;
      }
      if (c === '}' && src[j + 1] === '}') {
        close = j;
        break;
      }
      j++;
    }
    if (close < 0) throw new TemplateError(`${ctx}: unclosed action`);
    let body = src.slice(start, close);
    i = close + 2;
    if (/\s-$/.test(body)) {
      body = body.slice(0, -1);
      i = skipSpace(src, i);
    }
    parts.push({ body: body.trim(), ctx, at: open });
  }

  // Build the tree.
  let p = 0;
  const parseList = (ends: Set<string>): { nodes: Node[]; end: string; rest: string; ctx: string } => {
    const nodes: Node[] = [];
    while (p < parts.length) {
      const part = parts[p++]!;
      if (typeof part === 'string') {
        if (part !== '') nodes.push({ k: 'text', text: part });
        continue;
      }
      const { body, ctx } = part;
      const word = /^[A-Za-z_]+/.exec(body)?.[0] ?? '';
      if (word === 'end' || word === 'else') {
        if (!ends.has(word)) throw new TemplateError(`${ctx}: unexpected {{${word}}}`);
        return { nodes, end: word, rest: body.slice(word.length).trim(), ctx };
      }
      if (word === 'if' || word === 'with' || word === 'range') {
        nodes.push(parseBlock(word, body.slice(word.length).trim(), ctx));
        continue;
      }
      if (body === '') throw new TemplateError(`${ctx}: missing value for command`);
      nodes.push({ k: 'action', pipe: parsePipeline(body, lexAction(body, ctx), ctx), ctx });
    }
    if (ends.size > 0) throw new TemplateError(`template: :${lineOf(src, src.length)}: unexpected EOF`);
    return { nodes, end: '', rest: '', ctx: '' };
  };
  const parseBlock = (kind: 'if' | 'with' | 'range', head: string, ctx: string): Node => {
    if (head === '') throw new TemplateError(`${ctx}: missing value for ${kind}`);
    const pipe = parsePipeline(head, lexAction(head, ctx), ctx);
    const body = parseList(new Set(['end', 'else']));
    let elseNodes: Node[] = [];
    if (body.end === 'else') {
      const chained = /^(if|with)\b/.exec(body.rest)?.[1];
      if (chained === 'if' || chained === 'with') {
        // {{else if …}}: a nested block that consumes the shared {{end}}.
        elseNodes = [parseBlock(chained, body.rest.slice(chained.length).trim(), body.ctx)];
      } else {
        if (body.rest !== '') throw new TemplateError(`${body.ctx}: unexpected "${body.rest}" in else`);
        elseNodes = parseList(new Set(['end'])).nodes;
      }
    }
    return { k: kind, pipe, body: body.nodes, else: elseNodes, ctx };
  };
  return parseList(new Set()).nodes;
}

function skipSpace(src: string, i: number): number {
  while (i < src.length && /\s/.test(src[i]!)) i++;
  return i;
}

// --- evaluation ------------------------------------------------------------------------------------------

type Scope = Map<string, unknown>[];

function lookupVar(scope: Scope, name: string, ctx: string): unknown {
  for (let s = scope.length - 1; s >= 0; s--) if (scope[s]!.has(name)) return scope[s]!.get(name);
  throw new TemplateError(`${ctx}: undefined variable "$${name}"`);
}

/** Go's truth: false, 0, nil, "" and empty arrays/maps are false. */
export function truthy(v: unknown): boolean {
  if (v === undefined || v === null || v === false || v === 0 || v === '') return false;
  if (Array.isArray(v)) return v.length > 0;
  if (typeof v === 'object') return Object.keys(v).length > 0;
  return true;
}

function runNodes(nodes: Node[], dot: unknown, scope: Scope, out: string[]): void {
  for (const node of nodes) {
    switch (node.k) {
      case 'text':
        out.push(node.text);
        break;
      case 'action': {
        const v = evalPipeline(node.pipe, dot, scope, node.ctx);
        if (node.pipe.decl.length === 0) out.push(printValue(v));
        break;
      }
      case 'if':
      case 'with': {
        scope.push(new Map());
        const v = evalPipeline(node.pipe, dot, scope, node.ctx);
        if (truthy(v)) runNodes(node.body, node.k === 'with' ? v : dot, scope, out);
        else runNodes(node.else, dot, scope, out);
        scope.pop();
        break;
      }
      case 'range': {
        scope.push(new Map());
        const decl = node.pipe.decl;
        const v = evalPipeline({ ...node.pipe, decl: [] }, dot, scope, node.ctx);
        const entries: [unknown, unknown][] = Array.isArray(v)
          ? v.map((x, i) => [i, x])
          : v !== null && typeof v === 'object'
            ? Object.keys(v)
                .sort()
                .map((k) => [k, (v as Record<string, unknown>)[k]])
            : typeof v === 'number' && Number.isInteger(v)
              ? Array.from({ length: Math.max(0, v) }, (_, i) => [i, i])
              : [];
        if (v !== undefined && v !== null && typeof v !== 'object' && typeof v !== 'number') {
          throw new TemplateError(`${node.ctx}: range can't iterate over ${printValue(v)}`);
        }
        if (entries.length === 0) runNodes(node.else, dot, scope, out);
        for (const [key, value] of entries) {
          const frame = new Map<string, unknown>();
          if (decl.length === 1) frame.set(decl[0]!, value);
          if (decl.length === 2) {
            frame.set(decl[0]!, key);
            frame.set(decl[1]!, value);
          }
          scope.push(frame);
          runNodes(node.body, value, scope, out);
          scope.pop();
        }
        scope.pop();
        break;
      }
    }
  }
}

function evalPipeline(pipe: Pipeline, dot: unknown, scope: Scope, ctx: string): unknown {
  let value: unknown;
  let piped = false;
  for (const cmd of pipe.cmds) {
    value = evalCommand(cmd, dot, scope, ctx, piped ? [value] : []);
    piped = true;
  }
  if (pipe.decl.length > 0) {
    if (pipe.assign) {
      for (const name of pipe.decl) {
        let set = false;
        for (let s = scope.length - 1; s >= 0 && !set; s--) {
          if (scope[s]!.has(name)) {
            scope[s]!.set(name, value);
            set = true;
          }
        }
        if (!set) throw new TemplateError(`${ctx}: undefined variable "$${name}"`);
      }
    } else {
      scope[scope.length - 1]!.set(pipe.decl[pipe.decl.length - 1]!, value);
    }
  }
  return value;
}

function evalCommand(cmd: Command, dot: unknown, scope: Scope, ctx: string, piped: unknown[]): unknown {
  const [first, ...rest] = cmd.operands;
  const args = () => [...rest.map((op) => evalOperand(op, dot, scope, ctx, [])), ...piped];
  if (first!.k === 'func') return callFunc(first!.name, args(), ctx);
  if (first!.k === 'field') return evalField(dot, first!.names, first!.text, ctx, args());
  if (piped.length > 0) {
    throw new TemplateError(`${ctx}: can't give argument to non-function ${describe(first!)}`);
  }
  return evalOperand(first!, dot, scope, ctx, []);
}

function evalOperand(op: Operand, dot: unknown, scope: Scope, ctx: string, args: unknown[]): unknown {
  switch (op.k) {
    case 'literal':
      return op.value;
    case 'field':
      return evalField(dot, op.names, op.text, ctx, args);
    case 'var':
      return evalField(lookupVar(scope, op.name, ctx), op.names, op.text, ctx, args);
    case 'pipeline':
      return evalPipeline(op.pipe, dot, scope, ctx);
    case 'func':
      return callFunc(op.name, [], ctx);
  }
}

function evalField(base: unknown, names: string[], text: string, ctx: string, args: unknown[]): unknown {
  let v = base;
  names.forEach((name, i) => {
    const last = i === names.length - 1;
    const at = `${ctx}: executing "" at <${text}>`;
    if (v === null || v === undefined) throw new TemplateError(`${at}: nil pointer evaluating ${name}`);
    if (typeof v !== 'object') {
      throw new TemplateError(`${at}: can't evaluate field ${name} in type ${typeName(v)}`);
    }
    const obj = v as Record<string, unknown>;
    if (!Object.prototype.hasOwnProperty.call(obj, name)) {
      if (strictObjects.has(obj) || Array.isArray(obj)) {
        throw new TemplateError(`${at}: can't evaluate field ${name}`);
      }
      v = undefined;
      return;
    }
    const f = obj[name];
    if (typeof f === 'function') {
      v = (f as (...a: unknown[]) => unknown).apply(obj, last ? args : []);
      return;
    }
    if (last && args.length > 0) {
      throw new TemplateError(`${at}: ${name} has arguments but cannot be invoked as function`);
    }
    v = f;
  });
  if (names.length === 0 && args.length > 0) {
    throw new TemplateError(`${ctx}: can't give argument to non-function ${text}`);
  }
  return v;
}

function typeName(v: unknown): string {
  if (typeof v === 'string') return 'string';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'float64';
  if (typeof v === 'boolean') return 'bool';
  return typeof v;
}

/** Go's fmt %v for decoded JSON values. */
export function printValue(v: unknown): string {
  if (v === undefined) return '<no value>';
  if (v === null) return '<nil>';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  if (v instanceof Uint8Array) return `[${Array.from(v).join(' ')}]`;
  if (Array.isArray(v)) return `[${v.map((x) => printValue(x)).join(' ')}]`;
  if (typeof v === 'object') {
    const o = v as Record<string, unknown>;
    const keys = Object.keys(o)
      .filter((k) => typeof o[k] !== 'function')
      .sort();
    return `map[${keys.map((k) => `${k}:${printValue(o[k])}`).join(' ')}]`;
  }
  return String(v);
}

function toJson(v: unknown): string {
  return JSON.stringify(v === undefined ? null : v) ?? 'null';
}

function asString(v: unknown, fn: string, ctx: string): string {
  if (typeof v === 'string') return v;
  if (v === undefined || v === null) return '';
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  throw new TemplateError(
    `${ctx}: error calling ${fn}: wrong type for value; expected string; got ${typeof v}`,
  );
}

function asInt(v: unknown, fn: string, ctx: string): number {
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  throw new TemplateError(`${ctx}: error calling ${fn}: expected an integer; got ${printValue(v)}`);
}

function compare(a: unknown, b: unknown, fn: string, ctx: string): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  throw new TemplateError(`${ctx}: error calling ${fn}: incompatible types for comparison`);
}

function goSprint(args: unknown[]): string {
  let out = '';
  args.forEach((a, i) => {
    if (i > 0 && typeof a !== 'string' && typeof args[i - 1] !== 'string') out += ' ';
    out += printValue(a);
  });
  return out;
}

/** fmt.Sprintf for the verbs templates use: %s %v %d %q %t %x %f %%, with flags and width. */
export function goSprintf(format: string, args: unknown[]): string {
  let n = 0;
  return format.replace(
    /%([-+ #0]*)(\d+)?(?:\.(\d+))?([a-zA-Z%])/g,
    (_m, flags: string, w?: string, prec?: string, verb?: string) => {
      if (verb === '%') return '%';
      if (n >= args.length) return `%!${verb}(MISSING)`;
      const a = args[n++];
      let s: string;
      switch (verb) {
        case 'd':
          s = typeof a === 'number' ? String(Math.trunc(a)) : `%!d(${typeName(a)}=${printValue(a)})`;
          break;
        case 'q':
          s = JSON.stringify(printValue(a));
          break;
        case 'x':
          s = typeof a === 'number' ? Math.trunc(a).toString(16) : [...new TextEncoder().encode(printValue(a))].map((b) => b.toString(16).padStart(2, '0')).join(''); // prettier-ignore
          break;
        case 'f':
          s =
            typeof a === 'number'
              ? a.toFixed(prec === undefined ? 6 : Number(prec))
              : `%!f(${printValue(a)})`;
          break;
        case 't':
          s = typeof a === 'boolean' ? String(a) : `%!t(${printValue(a)})`;
          break;
        default:
          s = printValue(a);
          if (prec !== undefined && (verb === 's' || verb === 'v')) s = s.slice(0, Number(prec));
      }
      const width = w === undefined ? 0 : Number(w);
      if (s.length < width) s = flags.includes('-') ? s.padEnd(width) : s.padStart(width, flags.includes('0') ? '0' : ' '); // prettier-ignore
      return s;
    },
  );
}

function callFunc(name: string, args: unknown[], ctx: string): unknown {
  const need = (n: number) => {
    if (args.length !== n) {
      throw new TemplateError(`${ctx}: wrong number of args for ${name}: want ${n} got ${args.length}`);
    }
  };
  switch (name) {
    case 'json':
      need(1);
      return toJson(args[0]);
    case 'split':
      need(2);
      return asString(args[0], name, ctx).split(asString(args[1], name, ctx));
    case 'join': {
      need(2);
      const list = args[0];
      if (!Array.isArray(list)) {
        throw new TemplateError(`${ctx}: error calling join: wrong type for value; expected []string; got ${typeof list}`); // prettier-ignore
      }
      return list.map((x) => printValue(x)).join(asString(args[1], name, ctx));
    }
    case 'title':
      need(1);
      return asString(args[0], name, ctx).replace(/(^|[^\p{L}\p{N}_'])(\p{L})/gu, (_m, a: string, b: string) => a + b.toUpperCase()); // prettier-ignore
    case 'lower':
      need(1);
      return asString(args[0], name, ctx).toLowerCase();
    case 'upper':
      need(1);
      return asString(args[0], name, ctx).toUpperCase();
    case 'pad': {
      need(3);
      const s = asString(args[0], name, ctx);
      if (s === '') return s;
      return ' '.repeat(asInt(args[1], name, ctx)) + s + ' '.repeat(asInt(args[2], name, ctx));
    }
    case 'truncate': {
      need(2);
      const s = asString(args[0], name, ctx);
      const n = asInt(args[1], name, ctx);
      return s.length < n ? s : s.slice(0, n);
    }
    case 'and': {
      if (args.length === 0)
        throw new TemplateError(`${ctx}: wrong number of args for and: want at least 1 got 0`);
      for (const a of args) if (!truthy(a)) return a;
      return args[args.length - 1];
    }
    case 'or': {
      if (args.length === 0)
        throw new TemplateError(`${ctx}: wrong number of args for or: want at least 1 got 0`);
      for (const a of args) if (truthy(a)) return a;
      return args[args.length - 1];
    }
    case 'not':
      need(1);
      return !truthy(args[0]);
    case 'len': {
      need(1);
      const v = args[0];
      if (typeof v === 'string') return new TextEncoder().encode(v).length;
      if (Array.isArray(v)) return v.length;
      if (v !== null && typeof v === 'object') return Object.keys(v).length;
      throw new TemplateError(`${ctx}: error calling len: len of type ${typeName(v)}`);
    }
    case 'index': {
      if (args.length === 0)
        throw new TemplateError(`${ctx}: wrong number of args for index: want at least 1 got 0`);
      let v = args[0];
      for (const key of args.slice(1)) {
        if (Array.isArray(v)) {
          const i = asInt(key, name, ctx);
          if (i < 0 || i >= v.length)
            throw new TemplateError(`${ctx}: error calling index: index out of range: ${i}`);
          v = v[i];
        } else if (v !== null && typeof v === 'object') {
          const o = v as Record<string, unknown>;
          const k = asString(key, name, ctx);
          if (Object.prototype.hasOwnProperty.call(o, k)) v = o[k];
          // A missing key: the map's zero value ("" for string maps such as Labels).
          else v = Object.values(o).every((x) => typeof x === 'string') ? '' : undefined;
        } else if (v === null || v === undefined) {
          throw new TemplateError(`${ctx}: error calling index: index of untyped nil`);
        } else {
          throw new TemplateError(`${ctx}: error calling index: can't index item of type ${typeName(v)}`);
        }
      }
      return v;
    }
    case 'slice': {
      if (args.length === 0)
        throw new TemplateError(`${ctx}: wrong number of args for slice: want at least 1 got 0`);
      const v = args[0];
      if (typeof v !== 'string' && !Array.isArray(v)) {
        throw new TemplateError(`${ctx}: error calling slice: can't slice item of type ${typeName(v)}`);
      }
      const from = args.length > 1 ? asInt(args[1], name, ctx) : 0;
      const to = args.length > 2 ? asInt(args[2], name, ctx) : v.length;
      if (from < 0 || to > v.length || from > to) throw new TemplateError(`${ctx}: error calling slice: index out of range`); // prettier-ignore
      return v.slice(from, to);
    }
    case 'print':
      return goSprint(args);
    case 'println':
      return args.map((a) => printValue(a)).join(' ') + '\n';
    case 'printf':
      if (args.length === 0)
        throw new TemplateError(`${ctx}: wrong number of args for printf: want at least 1 got 0`);
      return goSprintf(asString(args[0], name, ctx), args.slice(1));
    case 'eq': {
      if (args.length < 2) throw new TemplateError(`${ctx}: missing argument for comparison`);
      return args.slice(1).some((b) => args[0] === b || (args[0] == null && b == null));
    }
    case 'ne':
      need(2);
      return args[0] !== args[1];
    case 'lt':
      need(2);
      return compare(args[0], args[1], name, ctx) < 0;
    case 'le':
      need(2);
      return compare(args[0], args[1], name, ctx) <= 0;
    case 'gt':
      need(2);
      return compare(args[0], args[1], name, ctx) > 0;
    case 'ge':
      need(2);
      return compare(args[0], args[1], name, ctx) >= 0;
  }
  throw new TemplateError(`${ctx}: function "${name}" not defined`);
}

// --- Docker's --format conventions ---------------------------------------------------------------------

/** Docker replaces the two-character sequences `\t` and `\n` in a --format value by tab and newline. */
export function unescapeFormat(format: string): string {
  return format.replace(/\\t/g, '\t').replace(/\\n/g, '\n');
}

export interface ListFormat {
  /** `table` output: a header row and tabwriter alignment. */
  table: boolean;
  template: Template;
}

/**
 * Reads a list command's --format: '' or 'table' → the default table; 'json' → one JSON object per line;
 * 'table TEMPLATE' → that table; anything else → the template once per item.
 */
export function parseListFormat(format: string | undefined, defaultTable: string): ListFormat {
  const f = format ?? '';
  if (f === '' || f === 'table') {
    const body = defaultTable.startsWith('table ') ? defaultTable.slice(6) : defaultTable;
    return { table: true, template: new Template(unescapeFormat(body)) };
  }
  if (f === 'json') return { table: false, template: new Template('{{json .}}') };
  if (f.startsWith('table ') || f.startsWith('table\t')) {
    return { table: true, template: new Template(unescapeFormat(f.slice(6).trim())) };
  }
  return { table: false, template: new Template(unescapeFormat(f)) };
}
