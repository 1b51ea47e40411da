/**
 * The parsed `AETHERV-RESULT` of a script's stdout: the last line with that prefix, as the app
 * takes it (docs/agent.md). Throws with the whole output when there is none.
 */
export function resultOf(stdout: string) {
  const line = stdout.split(/\r?\n/).filter((l) => l.startsWith('AETHERV-RESULT ')).pop();
  if (!line) throw new Error(`no result line in:\n${stdout}`);
  return JSON.parse(line.slice('AETHERV-RESULT '.length));
}
