import type { QueryError } from '../../../shared/query';

/**
 * A wrong query, shown under its box: the text with the part that went wrong underlined (a caret
 * where nothing is there to underline, e.g. a value missing at the end), and what was expected.
 */
export function QueryErrorLine({ text, error, testId }: { text: string; error: QueryError; testId?: string }) {
  const before = text.slice(0, error.start);
  const bad = text.slice(error.start, error.end);
  const after = text.slice(error.end);
  return (
    <div className="query-error" role="alert" data-testid={testId} data-start={error.start} data-end={error.end}>
      <code className="query-error-text">
        {before}
        {bad ? <mark className="query-error-bad">{bad}</mark> : <mark className="query-error-caret">‸</mark>}
        {after}
      </code>
      <span className="query-error-message">{error.message}</span>
    </div>
  );
}
