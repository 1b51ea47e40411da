/**
 * Windows PowerShell 5.1 pitfall checker for the agent scripts. We cannot run powershell.exe in
 * CI, so the hosts are the first place a PS7-only construct would fail; this catches the known
 * ones statically. Rules work on the source with comments and strings blanked out (found with
 * tree-sitter-powershell), so text inside a message can never trigger or hide a finding.
 *
 * The parser is web-tree-sitter (WebAssembly, nothing compiled at install time) running the
 * grammar's own `tree-sitter-powershell.wasm`. Loading it is asynchronous, so this module loads it
 * once with a top-level await: importers get ready-to-use synchronous functions.
 */
import { createRequire } from 'node:module';
import { Language, Parser, type Node } from 'web-tree-sitter';

export type Ps51Rule =
  | 'as-hashtable'
  | 'null-coalescing'
  | 'null-conditional'
  | 'ternary'
  | 'pipeline-chain'
  | 'foreach-parallel'
  | 'unwrapped-count'
  | 'convertto-json-depth'
  | 'secret-output';

export interface LintFinding {
  rule: Ps51Rule;
  /** 1-based line and column of the offending text. */
  line: number;
  column: number;
  message: string;
}

export interface SyntaxProblem {
  line: number;
  column: number;
  text: string;
}

async function loadParser(): Promise<Parser> {
  const grammar = createRequire(import.meta.url).resolve(
    'tree-sitter-powershell/tree-sitter-powershell.wasm',
  );
  await Parser.init();
  const parser = new Parser();
  parser.setLanguage(await Language.load(grammar));
  return parser;
}

const parser = await loadParser();

/** Runs `fn` on the syntax tree of `source`, then frees the tree (it lives in WebAssembly memory). */
function withTree<T>(source: string, fn: (root: Node) => T): T {
  const tree = parser.parse(source);
  if (!tree) throw new Error('tree-sitter-powershell returned no tree');
  try {
    return fn(tree.rootNode);
  } finally {
    tree.delete();
  }
}

/** Parses PowerShell and lists every ERROR or MISSING node (1-based positions). */
export function findSyntaxErrors(source: string): SyntaxProblem[] {
  const problems: SyntaxProblem[] = [];
  const visit = (node: Node): void => {
    if (node.type === 'ERROR' || node.isMissing) {
      problems.push({
        line: node.startPosition.row + 1,
        column: node.startPosition.column + 1,
        text: node.text.slice(0, 60),
      });
      return;
    }
    for (const child of node.children) if (child) visit(child);
  };
  withTree(source, (root) => {
    if (root.hasError) visit(root);
  });
  return problems;
}

const COMMENT_TYPES = new Set(['comment']);
const VERBATIM_STRING_TYPES = new Set(['verbatim_string_characters', 'verbatim_here_string_characters']);
const EXPANDABLE_STRING_TYPES = new Set(['expandable_string_literal', 'expandable_here_string_literal']);

/** Blanks (keeps newlines, so offsets and lines stay valid) every node whose type is in `types`. */
function maskNodes(source: string, root: Node, types: Set<string>): string {
  const chars = source.split('');
  const visit = (node: Node): void => {
    if (types.has(node.type)) {
      for (let i = node.startIndex; i < node.endIndex; i++) if (chars[i] !== '\n') chars[i] = ' ';
      return;
    }
    for (const child of node.children) if (child) visit(child);
  };
  visit(root);
  return chars.join('');
}

function positionOf(text: string, index: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < index; i++) {
    if (text[i] === '\n') {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: index - lineStart + 1 };
}

/** The rest of one command from `start`: stops at a pipe, `;`, closing bracket or an unescaped newline. */
function commandTail(code: string, start: number): string {
  let depth = 0;
  let i = start;
  for (; i < code.length; i++) {
    const c = code[i];
    if (c === '(' || c === '{' || c === '[') depth++;
    else if (c === ')' || c === '}' || c === ']') {
      if (depth === 0) break;
      depth--;
    } else if (depth === 0 && (c === '|' || c === ';')) break;
    else if (c === '\n') {
      const before = code.slice(start, i).trimEnd();
      if (!before.endsWith('`')) break;
    }
  }
  return code.slice(start, i);
}

const SECRET_VARIABLE = /\$[\w:{}.]*?(password|passwd|pwd|secret|token|apikey|credential|_pw\b|aeskey)/i;
const OUTPUT_COMMANDS =
  /\b(Write-Host|Write-Output|Write-Verbose|Write-Warning|Write-Information|Write-Debug|Write-AgentLog)\b/gi;

export function lintPs51(source: string): LintFinding[] {
  // `code`: comments and all strings blanked. `interpolating`: only verbatim strings blanked,
  // because "$password" inside a double-quoted string is still the variable's value.
  const [code, interpolating] = withTree(source, (root) => [
    maskNodes(
      source,
      root,
      new Set([...COMMENT_TYPES, ...VERBATIM_STRING_TYPES, ...EXPANDABLE_STRING_TYPES]),
    ),
    maskNodes(source, root, new Set([...COMMENT_TYPES, ...VERBATIM_STRING_TYPES])),
  ]);
  const findings: LintFinding[] = [];
  const add = (rule: Ps51Rule, index: number, message: string): void => {
    findings.push({ rule, ...positionOf(source, index), message });
  };
  const each = (pattern: RegExp, text: string, fn: (m: RegExpExecArray) => void): void => {
    const re = new RegExp(pattern.source, pattern.flags.includes('g') ? pattern.flags : pattern.flags + 'g');
    for (let m = re.exec(text); m; m = re.exec(text)) fn(m);
  };

  each(/-AsHashtable\b/i, code, (m) =>
    add(
      'as-hashtable',
      m.index,
      'ConvertFrom-Json -AsHashtable does not exist in 5.1; walk the PSCustomObject instead.',
    ),
  );
  each(/\?\?/, code, (m) =>
    add('null-coalescing', m.index, '?? and ??= are PowerShell 7 only; use if/else.'),
  );
  each(/\?\.|\}\?\[/, code, (m) =>
    add('null-conditional', m.index, '?. and ?[] are PowerShell 7 only; test for $null first.'),
  );
  each(/([^|\s{(;,=])[ \t]*\?[ \t]+(?![{\s])[^;\n]*?\s:\s/, code, (m) =>
    add('ternary', m.index + m[1].length, 'The ternary operator is PowerShell 7 only; use if/else.'),
  );
  each(/&&|\|\|/, code, (m) =>
    add(
      'pipeline-chain',
      m.index,
      '&& and || pipeline chains are PowerShell 7 only; use if ($?) or try/catch.',
    ),
  );
  each(/\b(ForEach-Object|%)\s[^\n|;]*-Parallel\b/i, code, (m) =>
    add(
      'foreach-parallel',
      m.index,
      'ForEach-Object -Parallel is PowerShell 7 only; loop sequentially or use jobs.',
    ),
  );
  each(/\bConvertTo-Json\b/i, code, (m) => {
    if (!/-Depth\b/i.test(commandTail(code, m.index))) {
      add(
        'convertto-json-depth',
        m.index,
        'ConvertTo-Json without -Depth flattens nested objects at depth 2 in 5.1; pass -Depth explicitly.',
      );
    }
  });
  each(OUTPUT_COMMANDS, interpolating, (m) => {
    const tail = commandTail(interpolating, m.index);
    const secret = SECRET_VARIABLE.exec(tail);
    if (secret)
      add(
        'secret-output',
        m.index,
        `${m[1]} writes a secret-looking variable (${secret[0]}); never log secrets.`,
      );
  });
  lintCount(code, add);
  return findings.sort((a, b) => a.line - b.line || a.column - b.column);
}

/**
 * `.Count` on something that may be a single object throws under strict mode and is wrong
 * without it. Detectable cases: `(expr).Count` not written `@(expr).Count`, and `$v.Count` where
 * `$v` was assigned straight from a command (`$v = Get-Thing ...`) instead of `@(Get-Thing ...)`.
 */
function lintCount(code: string, add: (rule: Ps51Rule, index: number, message: string) => void): void {
  const countAt = /\)\.Count\b/gi;
  for (let m = countAt.exec(code); m; m = countAt.exec(code)) {
    let depth = 0;
    let open = -1;
    for (let i = m.index; i >= 0; i--) {
      if (code[i] === ')') depth++;
      else if (code[i] === '(') {
        depth--;
        if (depth === 0) {
          open = i;
          break;
        }
      }
    }
    if (open < 0) continue;
    const before = open > 0 ? code[open - 1] : '';
    // `@(...)` is safe; `name(...)` is a method call whose return type we cannot know.
    if (before === '@' || /[\w\]]/.test(before)) continue;
    add(
      'unwrapped-count',
      open,
      'Wrap the expression in @() before using .Count (a single result is not an array in 5.1).',
    );
  }

  const commandAssigned = new Map<string, number>();
  const assignment = /\$([\w:]+)\s*=\s*(?!@\()([A-Za-z]+-[A-Za-z]+)\b/g;
  for (let m = assignment.exec(code); m; m = assignment.exec(code)) {
    if (/^New-Object$/i.test(m[2])) continue; // constructs exactly one object: its Count is its own.
    const name = m[1].toLowerCase();
    if (!commandAssigned.has(name)) commandAssigned.set(name, m.index);
  }
  const varCount = /\$([\w:]+)\.Count\b/gi;
  for (let m = varCount.exec(code); m; m = varCount.exec(code)) {
    if (commandAssigned.has(m[1].toLowerCase())) {
      add(
        'unwrapped-count',
        m.index,
        `$${m[1]} is assigned from a command without @(); wrap it before using .Count.`,
      );
    }
  }
}
