// PowerShell over WinRS: building powershell.exe invocations that never hit the command-line limit,
// decoding CLIXML error/progress records on stderr, and reading JSON results from stdout.
export { BASE_ARGS, CMD_LINE_LIMIT, POWERSHELL_EXE, SCRIPT_PREAMBLE, buildPowerShellInvocation, commandLineLength, encodePowerShell } from './command-line';
export type { PowerShellInvocation } from './command-line';
export { CLIXML_NS, decodeClixmlDocument, type ClixmlRecord, type ClixmlStream } from './clixml';
export { unescapeClixml } from './clixml-escape';
export { CLIXML_SENTINEL, PowerShellStderrDecoder, type StderrDecoderEvents } from './stderr-decoder';
export { parseLastJsonLine } from './json-result';
export { MAX_OUTPUT_LINE_BYTES, OutputLines, type OutputLinesOptions } from './output-lines';
