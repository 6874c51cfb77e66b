/**
 * A parser for the subset of SOQL clv-sync sends:
 *
 *   SELECT f1, Rel.Field, …, (SELECT f, … FROM ChildRelationship [WHERE …] [ORDER BY …] [LIMIT n]) | COUNT()
 *   FROM Object
 *   [WHERE cond [AND|OR cond] …, with NOT and parentheses;
 *          cond = path (=|!=|<>|<|<=|>|>=|LIKE) literal | path [NOT] IN (literal, …)]
 *   [ORDER BY path [ASC|DESC] [NULLS FIRST|LAST], …]
 *   [LIMIT n] [OFFSET n]
 *
 * Literals: 'quoted strings' (with \' \\ \n escapes), numbers, true/false,
 * null, dates (2024-01-31), date-times (2024-01-31T00:00:00Z) and the date
 * keywords TODAY, YESTERDAY, TOMORROW, LAST_N_DAYS:n, N_DAYS_AGO:n.
 * Anything else (semi-joins, nested subqueries, aggregates, GROUP BY, FOR
 * UPDATE…) is refused with MALFORMED_QUERY rather than half-understood.
 * This parser only runs queries: whether a statement is SOQL at all, and
 * whether its fields exist, is decided first by soql-check.ts with
 * Salesforce's grammar (@jetstreamapp/soql-parser-js) and the real field
 * lists. Columns are 1-based, as in Salesforce's "ERROR at Row:1:Column:n".
 */

export type Literal =
  | { kind: 'string'; value: string; column: number }
  | { kind: 'number'; value: number; column: number }
  | { kind: 'boolean'; value: boolean; column: number }
  | { kind: 'null'; column: number }
  | { kind: 'date'; value: string; column: number }
  | { kind: 'datetime'; value: string; column: number }
  | { kind: 'dateKeyword'; name: string; n?: number; column: number };

export interface PathRef {
  /** `BillToContact.Email` → ['BillToContact', 'Email']. */
  path: string[];
  column: number;
}

export type Condition =
  | { kind: 'and' | 'or'; left: Condition; right: Condition }
  | { kind: 'not'; condition: Condition }
  | { kind: 'compare'; field: PathRef; op: '=' | '!=' | '<' | '<=' | '>' | '>=' | 'LIKE'; value: Literal }
  | { kind: 'in'; field: PathRef; negated: boolean; values: Literal[] };

export interface OrderTerm {
  field: PathRef;
  descending: boolean;
  nullsLast: boolean;
}

export interface SoqlSubquery {
  /** The child relationship, `OpportunityContactRoles`, where the subquery's FROM names it. */
  relationship: { name: string; column: number };
  query: SoqlQuery;
}

export interface SoqlQuery {
  text: string;
  /** Empty for `SELECT COUNT()`. */
  fields: PathRef[];
  /** Parent-to-child subqueries in the select list. */
  subqueries: SoqlSubquery[];
  count: boolean;
  from: { name: string; column: number };
  where?: Condition;
  orderBy: OrderTerm[];
  limit?: number;
  offset?: number;
}

/** A SOQL syntax error: MALFORMED_QUERY at a column. */
export class SoqlSyntaxError extends Error {
  readonly column: number;
  readonly detail: string;
  constructor(column: number, detail: string) {
    super(detail);
    this.name = 'SoqlSyntaxError';
    this.column = column;
    this.detail = detail;
  }
}

type Token =
  | { type: 'ident'; text: string; column: number }
  | { type: 'string'; text: string; column: number }
  | { type: 'number'; text: string; column: number }
  | { type: 'date'; text: string; column: number }
  | { type: 'datetime'; text: string; column: number }
  | { type: 'op'; text: string; column: number }
  | { type: 'punct'; text: string; column: number }
  | { type: 'end'; text: ''; column: number };

const DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,3})?(?:Z|[+-]\d{2}:\d{2})/;
const DATE = /^\d{4}-\d{2}-\d{2}/;
const NUMBER = /^-?\d+(?:\.\d+)?/;
const IDENT = /^[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*/;

/** The literal and word tokens, tried in this order (a datetime before its date prefix, a number before an identifier). */
const LEXEMES: readonly {
  type: Token['type'];
  pattern: RegExp;
  /** A leading '-' is a sign only where a value may start (after an operator, a parenthesis or a comma). */
  accepts?: (text: string, at: number) => boolean;
  normalize?: (lexeme: string) => string;
}[] = [
  { type: 'datetime', pattern: DATETIME },
  { type: 'date', pattern: DATE },
  {
    type: 'number',
    pattern: NUMBER,
    accepts: (text, at) => text[at] !== '-' || /[=<>(,]\s*$/.test(text.slice(0, at)),
  },
  { type: 'ident', pattern: IDENT },
  { type: 'op', pattern: /^(?:!=|<>|<=|>=|=|<|>)/, normalize: (op) => (op === '<>' ? '!=' : op) },
];

function matchLexeme(
  text: string,
  at: number,
  rest: string,
): { token: Omit<Token, 'column'>; length: number } | undefined {
  for (const { type, pattern, accepts, normalize } of LEXEMES) {
    const m = pattern.exec(rest);
    if (!m || (accepts && !accepts(text, at))) continue;
    return { token: { type, text: normalize ? normalize(m[0]) : m[0] }, length: m[0].length };
  }
  return undefined;
}

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const ch = text[i]!;
    const column = i + 1;
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    const rest = text.slice(i);
    if (ch === "'") {
      let value = '';
      let j = i + 1;
      for (; j < text.length && text[j] !== "'"; j++) {
        if (text[j] === '\\') {
          const next = text[++j];
          if (next === undefined) break;
          value += next === 'n' ? '\n' : next === 't' ? '\t' : next === 'r' ? '\r' : next;
        } else value += text[j];
      }
      if (j >= text.length) throw new SoqlSyntaxError(column, `unexpected token: '${rest.slice(0, 20)}'`);
      tokens.push({ type: 'string', text: value, column });
      i = j + 1;
      continue;
    }
    const lexeme = matchLexeme(text, i, rest);
    if (lexeme) {
      tokens.push({ ...lexeme.token, column } as Token); // every Token variant is { type, text, column }
      i += lexeme.length;
      continue;
    }
    if ('(),:'.includes(ch)) {
      tokens.push({ type: 'punct', text: ch, column });
      i++;
      continue;
    }
    throw new SoqlSyntaxError(column, `unexpected token: '${ch}'`);
  }
  tokens.push({ type: 'end', text: '', column: text.length + 1 });
  return tokens;
}

const RESERVED = new Set([
  'SELECT',
  'FROM',
  'WHERE',
  'AND',
  'OR',
  'NOT',
  'IN',
  'LIKE',
  'ORDER',
  'BY',
  'LIMIT',
  'OFFSET',
]);
const DATE_KEYWORDS = new Set(['TODAY', 'YESTERDAY', 'TOMORROW']);
const DATE_N_KEYWORDS = new Set(['LAST_N_DAYS', 'NEXT_N_DAYS', 'N_DAYS_AGO']);

class Parser {
  private pos = 0;
  private readonly tokens: Token[];
  constructor(tokens: Token[]) {
    this.tokens = tokens;
  }

  peek(): Token {
    return this.tokens[this.pos]!;
  }
  take(): Token {
    return this.tokens[this.pos++]!;
  }
  isKeyword(word: string, offset = 0): boolean {
    const t = this.tokens[this.pos + offset];
    return t?.type === 'ident' && t.text.toUpperCase() === word;
  }
  isPunct(punct: string, offset = 0): boolean {
    const t = this.tokens[this.pos + offset];
    return t?.type === 'punct' && t.text === punct;
  }
  expectKeyword(word: string): Token {
    if (!this.isKeyword(word)) this.unexpected();
    return this.take();
  }
  expectPunct(p: string): Token {
    const t = this.peek();
    if (t.type !== 'punct' || t.text !== p) this.unexpected();
    return this.take();
  }
  unexpected(): never {
    const t = this.peek();
    if (t.type === 'end') throw new SoqlSyntaxError(t.column, 'unexpected token: <EOF>');
    throw new SoqlSyntaxError(
      t.column,
      `unexpected token: '${t.type === 'string' ? `'${t.text}'` : t.text}'`,
    );
  }

  path(): PathRef {
    const t = this.peek();
    if (t.type !== 'ident' || RESERVED.has(t.text.toUpperCase())) this.unexpected();
    this.take();
    if (this.isPunct('(')) {
      // Aggregates and functions (COUNT(Id), FIELDS(ALL), toLabel(…)) are outside the subset.
      throw new SoqlSyntaxError(t.column, `The sandbox does not support the function ${t.text}(…) in SOQL`);
    }
    return { path: t.text.split('.'), column: t.column };
  }

  literal(): Literal {
    const t = this.take();
    switch (t.type) {
      case 'string':
        return { kind: 'string', value: t.text, column: t.column };
      case 'number':
        return { kind: 'number', value: Number(t.text), column: t.column };
      case 'date':
        return { kind: 'date', value: t.text, column: t.column };
      case 'datetime':
        return { kind: 'datetime', value: t.text, column: t.column };
      case 'ident': {
        const word = t.text.toUpperCase();
        if (word === 'TRUE' || word === 'FALSE')
          return { kind: 'boolean', value: word === 'TRUE', column: t.column };
        if (word === 'NULL') return { kind: 'null', column: t.column };
        if (DATE_KEYWORDS.has(word)) return { kind: 'dateKeyword', name: word, column: t.column };
        if (DATE_N_KEYWORDS.has(word)) {
          this.expectPunct(':');
          const n = this.take();
          if (n.type !== 'number' || !/^\d+$/.test(n.text)) {
            this.pos--;
            this.unexpected();
          }
          return { kind: 'dateKeyword', name: word, n: Number(n.text), column: t.column };
        }
        this.pos--;
        return this.unexpected();
      }
      default:
        this.pos--;
        return this.unexpected();
    }
  }

  condition(): Condition {
    return this.leftAssociative('OR', () => this.conjunction());
  }

  conjunction(): Condition {
    return this.leftAssociative('AND', () => this.unary());
  }

  /** `a OP b OP c` as `(a OP b) OP c`: AND binds tighter than OR, each read left to right. */
  private leftAssociative(keyword: 'AND' | 'OR', operand: () => Condition): Condition {
    let left = operand();
    while (this.isKeyword(keyword)) {
      this.take();
      left = { kind: keyword === 'AND' ? 'and' : 'or', left, right: operand() };
    }
    return left;
  }

  unary(): Condition {
    if (this.isKeyword('NOT')) {
      this.take();
      return { kind: 'not', condition: this.unary() };
    }
    if (this.isPunct('(')) {
      this.take();
      const inner = this.condition();
      this.expectPunct(')');
      return inner;
    }
    const field = this.path();
    if (this.isKeyword('IN') || (this.isKeyword('NOT') && this.isKeyword('IN', 1))) {
      const negated = this.isKeyword('NOT');
      if (negated) this.take();
      this.take();
      this.expectPunct('(');
      if (this.isKeyword('SELECT')) {
        throw new SoqlSyntaxError(this.peek().column, 'The sandbox does not support semi-join subqueries');
      }
      const values = [this.literal()];
      while (this.isPunct(',')) {
        this.take();
        values.push(this.literal());
      }
      this.expectPunct(')');
      return { kind: 'in', field, negated, values };
    }
    const opToken = this.peek();
    let op: Extract<Condition, { kind: 'compare' }>['op'];
    if (opToken.type === 'op') op = opToken.text as typeof op;
    else if (this.isKeyword('LIKE')) op = 'LIKE';
    else return this.unexpected();
    this.take();
    return { kind: 'compare', field, op, value: this.literal() };
  }

  integer(): number {
    const t = this.take();
    if (t.type !== 'number' || !/^\d+$/.test(t.text)) {
      this.pos--;
      this.unexpected();
    }
    return Number(t.text);
  }
}

export function parseSoql(text: string): SoqlQuery {
  const p = new Parser(tokenize(text));
  const query = parseSelect(p, text, false);
  if (p.peek().type !== 'end') p.unexpected();
  return query;
}

/** One SELECT; `nested` for a subquery, which ends at its closing parenthesis. */
function parseSelect(p: Parser, text: string, nested: boolean): SoqlQuery {
  p.expectKeyword('SELECT');
  const fields: PathRef[] = [];
  const subqueries: SoqlSubquery[] = [];
  let count = false;
  if (p.isKeyword('COUNT') && p.isPunct('(', 1) && p.isPunct(')', 2)) {
    p.take();
    p.take();
    p.take();
    count = true;
  } else {
    for (;;) {
      if (p.isPunct('(') && p.isKeyword('SELECT', 1)) {
        if (nested)
          throw new SoqlSyntaxError(p.peek().column, 'The sandbox does not support nested subqueries');
        p.take();
        const query = parseSelect(p, text, true);
        p.expectPunct(')');
        subqueries.push({ relationship: query.from, query });
      } else fields.push(p.path());
      if (p.isPunct(',')) {
        p.take();
        continue;
      }
      break;
    }
  }
  p.expectKeyword('FROM');
  const fromToken = p.take();
  if (fromToken.type !== 'ident' || fromToken.text.includes('.')) {
    throw new SoqlSyntaxError(fromToken.column, `unexpected token: '${fromToken.text || '<EOF>'}'`);
  }
  const query: SoqlQuery = {
    text,
    fields,
    subqueries,
    count,
    from: { name: fromToken.text, column: fromToken.column },
    orderBy: [],
  };
  if (p.isKeyword('WHERE')) {
    p.take();
    query.where = p.condition();
  }
  if (p.isKeyword('ORDER')) {
    p.take();
    p.expectKeyword('BY');
    for (;;) {
      const field = p.path();
      let descending = false;
      if (p.isKeyword('ASC')) p.take();
      else if (p.isKeyword('DESC')) {
        p.take();
        descending = true;
      }
      let nullsLast = descending;
      if (p.isKeyword('NULLS')) {
        p.take();
        if (p.isKeyword('FIRST')) nullsLast = false;
        else if (p.isKeyword('LAST')) nullsLast = true;
        else p.unexpected();
        p.take();
      }
      query.orderBy.push({ field, descending, nullsLast });
      if (p.isPunct(',')) {
        p.take();
        continue;
      }
      break;
    }
  }
  if (p.isKeyword('LIMIT')) {
    p.take();
    query.limit = p.integer();
  }
  if (p.isKeyword('OFFSET')) {
    p.take();
    query.offset = p.integer();
  }
  return query;
}
