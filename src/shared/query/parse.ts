import {
  FIELD_UNITS,
  NUMBER_FIELDS,
  TEXT_FIELDS,
  UNIT_REQUIRED,
  isNumberField,
  isTextField,
  type CompareOp,
  type NumberField,
  type ParseResult,
  type QueryError,
  type QueryNode,
} from './ast';

/**
 * Grammar (OR binds tighter than the implicit AND, as in Gmail: `state:running host:a OR host:b`
 * is running VMs on either host):
 *
 *   query   := and?
 *   and     := or (WS or)*
 *   or      := unary ('OR' unary)*
 *   unary   := '-' unary | primary
 *   primary := '(' and ')' | field op value | "quoted text" | word
 *
 * A hand-written recursive descent over characters: every error knows exactly where it is.
 */

class QuerySyntaxError extends Error {
  constructor(
    message: string,
    readonly start: number,
    readonly end: number,
  ) {
    super(message);
  }
}

/** Characters that end a bare word (besides white space). */
const WORD_END = new Set(['(', ')', '"']);
const isSpace = (ch: string | undefined): boolean => ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r';
const FIELD_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const NUMBER = /^((?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?)(.*)$/;
const ALL_FIELDS: readonly string[] = [...TEXT_FIELDS, ...NUMBER_FIELDS];

export function parseQuery(text: string): ParseResult {
  try {
    return { ok: true, query: new Parser(text).parseAll() };
  } catch (e) {
    if (e instanceof QuerySyntaxError) return { ok: false, error: clampRange({ message: e.message, start: e.start, end: e.end }, text.length) };
    throw e;
  }
}

function clampRange(error: QueryError, length: number): QueryError {
  const start = Math.max(0, Math.min(error.start, length));
  const end = Math.max(start, Math.min(error.end, length));
  return { ...error, start, end };
}

class Parser {
  private pos = 0;
  constructor(private readonly text: string) {}

  parseAll(): QueryNode {
    const terms = this.parseAnd(false);
    return terms.length === 1 ? terms[0]! : { kind: 'and', terms };
  }

  private skipSpace(): void {
    while (isSpace(this.text[this.pos])) this.pos++;
  }

  /** Terms up to the end (or the closing parenthesis when `inGroup`). */
  private parseAnd(inGroup: boolean): QueryNode[] {
    const terms: QueryNode[] = [];
    for (;;) {
      this.skipSpace();
      const ch = this.text[this.pos];
      if (ch === undefined) break;
      if (ch === ')') {
        if (inGroup) break;
        throw new QuerySyntaxError("unexpected ')': there is no '(' before it", this.pos, this.pos + 1);
      }
      if (this.atOr()) throw new QuerySyntaxError("expected a term before 'OR'", this.pos, this.pos + 2);
      terms.push(this.parseOr());
    }
    return terms;
  }

  /** `OR` as a whole word (followed by space, a parenthesis, a quote, a minus or the end). */
  private atOr(): boolean {
    if (this.text.startsWith('OR', this.pos)) {
      const after = this.text[this.pos + 2];
      return after === undefined || isSpace(after) || after === '(' || after === ')';
    }
    return false;
  }

  private parseOr(): QueryNode {
    const first = this.parseUnary();
    const terms = [first];
    for (;;) {
      const save = this.pos;
      this.skipSpace();
      if (!this.atOr()) {
        this.pos = save;
        break;
      }
      const orAt = this.pos;
      this.pos += 2;
      this.skipSpace();
      const ch = this.text[this.pos];
      if (ch === undefined || ch === ')' || this.atOr()) throw new QuerySyntaxError("expected a term after 'OR'", orAt, orAt + 2);
      terms.push(this.parseUnary());
    }
    return terms.length === 1 ? first : { kind: 'or', terms };
  }

  private parseUnary(): QueryNode {
    if (this.text[this.pos] === '-') {
      const at = this.pos;
      this.pos++;
      const ch = this.text[this.pos];
      if (ch === undefined || isSpace(ch) || ch === ')') throw new QuerySyntaxError("expected a term right after '-' (e.g. -state:off)", at, at + 1);
      return { kind: 'not', term: this.parseUnary() };
    }
    return this.parsePrimary();
  }

  private parsePrimary(): QueryNode {
    const start = this.pos;
    const ch = this.text[this.pos];
    if (ch === '(') {
      this.pos++;
      const terms = this.parseAnd(true);
      if (this.text[this.pos] !== ')') throw new QuerySyntaxError("expected ')' to close this '('", start, start + 1);
      if (terms.length === 0) throw new QuerySyntaxError("expected a term inside '( )'", start, this.pos + 1);
      this.pos++;
      return terms.length === 1 ? terms[0]! : { kind: 'and', terms };
    }
    if (ch === '"') return { kind: 'text', value: this.readQuoted() };
    const word = this.readWord();
    const field = /^[A-Za-z_][A-Za-z0-9_]*(?=[:<>=])/.exec(word);
    if (!field) return { kind: 'text', value: word };
    // field op value: the word stopped at white space, so a quoted value follows the operator directly.
    this.pos = start + field[0].length;
    return this.parseFieldTerm(field[0], start);
  }

  private parseFieldTerm(rawName: string, start: number): QueryNode {
    const name = rawName.toLowerCase();
    if (!FIELD_NAME.test(name) || (!isTextField(name) && !isNumberField(name))) {
      const close = nearestField(name);
      const hint = close ? ` (did you mean ${close}?)` : `: fields are ${ALL_FIELDS.join(', ')}`;
      throw new QuerySyntaxError(`unknown field '${rawName}'${hint}`, start, start + rawName.length);
    }
    const opStart = this.pos;
    const op = this.readOp();
    const head = this.text.slice(start, this.pos);
    const valueStart = this.pos;
    const next = this.text[this.pos];
    if (next === undefined || isSpace(next) || next === ')' || next === '(') {
      const example = isNumberField(name) ? FIELD_UNITS[name].example : `${name}:${name === 'state' ? 'running' : 'web*'}`;
      throw new QuerySyntaxError(`expected a value after '${head}' (e.g. ${example})`, start, this.pos);
    }
    if (isTextField(name)) {
      if (op !== ':' && op !== '=') {
        throw new QuerySyntaxError(`'${name}' is text: use '${name}:value' ('${op}' compares numbers)`, opStart, this.pos);
      }
      const value = next === '"' ? this.readQuoted() : this.readWord();
      return { kind: 'match', field: name, value };
    }
    if (next === '"') throw new QuerySyntaxError(`expected a number after '${head}', not quoted text (e.g. ${FIELD_UNITS[name].example})`, valueStart, valueStart + 1);
    const value = this.readWord();
    return { kind: 'compare', field: name, op: op === ':' ? '=' : op, ...this.readAmount(name, head, value, valueStart) };
  }

  private readOp(): CompareOp | ':' {
    const two = this.text.slice(this.pos, this.pos + 2);
    if (two === '>=' || two === '<=') {
      this.pos += 2;
      return two;
    }
    const one = this.text[this.pos]!;
    this.pos++;
    if (one === ':' || one === '>' || one === '<' || one === '=') return one;
    /* c8 ignore next */
    throw new QuerySyntaxError('expected an operator', this.pos - 1, this.pos);
  }

  private readAmount(field: NumberField, head: string, value: string, at: number): { amount: number; unit: string | null } {
    const spec = FIELD_UNITS[field];
    const m = NUMBER.exec(value);
    if (!m) throw new QuerySyntaxError(`expected a number after '${head}' (e.g. ${spec.example})`, at, at + value.length);
    const amount = Number(m[1]);
    if (!Number.isFinite(amount)) throw new QuerySyntaxError(`the number after '${head}' is too large`, at, at + m[1]!.length);
    const rawUnit = m[2]!;
    const unitAt = at + m[1]!.length;
    const known = Object.keys(spec.units);
    if (rawUnit === '') {
      if (UNIT_REQUIRED.has(field)) throw new QuerySyntaxError(`expected a unit after '${head}${m[1]}': ${known.join(', ')} (e.g. ${spec.example})`, at, at + value.length);
      return { amount, unit: null };
    }
    const unit = known.find((u) => u.toLowerCase() === rawUnit.toLowerCase());
    if (unit === undefined) {
      const allowed = known.length ? `use ${known.join(', ')} (e.g. ${spec.example})` : `'${field}' is a plain count (e.g. ${spec.example})`;
      throw new QuerySyntaxError(`unit '${rawUnit}' does not fit '${field}': ${allowed}`, unitAt, at + value.length);
    }
    return { amount, unit };
  }

  /** A bare word: up to white space, a parenthesis or a quote. Never empty (the caller saw a word character). */
  private readWord(): string {
    const start = this.pos;
    while (this.pos < this.text.length && !isSpace(this.text[this.pos]) && !WORD_END.has(this.text[this.pos]!)) this.pos++;
    if (this.pos === start) throw new QuerySyntaxError(`unexpected '${this.text[start] ?? ''}'`, start, start + 1);
    return this.text.slice(start, this.pos);
  }

  /** "text", with \" and \\ as escapes. */
  private readQuoted(): string {
    const start = this.pos;
    this.pos++;
    let out = '';
    for (;;) {
      const ch = this.text[this.pos];
      if (ch === undefined) throw new QuerySyntaxError(`expected a closing '"' for this quote`, start, this.text.length);
      this.pos++;
      if (ch === '"') break;
      if (ch === '\\' && (this.text[this.pos] === '"' || this.text[this.pos] === '\\')) {
        out += this.text[this.pos];
        this.pos++;
      } else out += ch;
    }
    const after = this.text[this.pos];
    if (after !== undefined && !isSpace(after) && after !== ')' && after !== '(') {
      throw new QuerySyntaxError('expected a space after the closing quote', this.pos, this.pos + 1);
    }
    return out;
  }
}

/** The field a typo most likely meant (edit distance at most 2), if any. */
function nearestField(name: string): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  for (const field of ALL_FIELDS) {
    const d = editDistance(name, field);
    if (d < bestDistance) {
      best = field;
      bestDistance = d;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) row.push(Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1)));
    prev = row;
  }
  return prev[b.length]!;
}
