import type { QueryNode } from './ast';

/**
 * The query as text, in the form the parser reads back to the same tree: parentheses only where
 * the tree needs them, quotes only where a bare word would read differently.
 */
export function printQuery(query: QueryNode): string {
  return printNode(query, 'top');
}

type Place = 'top' | 'and' | 'or' | 'not';

function printNode(node: QueryNode, place: Place): string {
  switch (node.kind) {
    case 'and': {
      const inner = node.terms.map((t) => printNode(t, 'and')).join(' ');
      // An empty `and` is the empty query; only the top level can say that without parentheses.
      return place === 'top' && node.terms.length !== 1 ? inner : `(${inner})`;
    }
    case 'or': {
      const inner = node.terms.map((t) => printNode(t, 'or')).join(' OR ');
      return place === 'top' || place === 'and' ? inner : `(${inner})`;
    }
    case 'not':
      return `-${printNode(node.term, 'not')}`;
    case 'text':
      return textWord(node.value);
    case 'match':
      return `${node.field}:${valueWord(node.value)}`;
    case 'compare':
      return `${node.field}${node.op}${numberText(node.amount)}${node.unit ?? ''}`;
  }
}

const NEEDS_QUOTES = /[\s()"]/;

function quote(value: string): string {
  return `"${value.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

/** A field's value: bare unless it is empty or holds a space, parenthesis or quote. */
function valueWord(value: string): string {
  return value === '' || NEEDS_QUOTES.test(value) ? quote(value) : value;
}

/** Free text: also quoted when bare it would read as a negation, OR, or a field term. */
function textWord(value: string): string {
  if (value === '' || NEEDS_QUOTES.test(value) || value.startsWith('-') || value === 'OR' || /^[A-Za-z_][A-Za-z0-9_]*[:<>=]/.test(value)) return quote(value);
  return value;
}

function numberText(n: number): string {
  return String(n);
}
