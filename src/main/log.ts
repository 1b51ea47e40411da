import { appendFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
  /** Values that must never reach the log (passwords, secret job fields); masked wherever they appear. */
  addSecret(value: string): void;
}

const SECRET_KEY = /pass(word)?|secret|token|credential|authorization/i;

/**
 * JSON-lines app log in {dataDir}/logs/app.log. Fields whose names look secret are dropped and
 * every registered secret value is masked, so a careless call site cannot leak a password.
 */
export function createLogger(dataDir: string, options: { echo?: boolean } = {}): Logger {
  const file = path.join(dataDir, 'logs', 'app.log');
  mkdirSync(path.dirname(file), { recursive: true });
  const secrets = new Set<string>();

  const mask = (text: string): string => {
    let out = text;
    for (const secret of secrets) if (secret.length >= 3) out = out.split(secret).join('********');
    return out;
  };

  const write = (level: LogLevel, message: string, fields?: Record<string, unknown>) => {
    const clean: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(fields ?? {})) clean[key] = SECRET_KEY.test(key) ? '********' : value;
    const line = mask(JSON.stringify({ at: new Date().toISOString(), level, message, ...clean }));
    appendFileSync(file, line + '\n', { mode: 0o600 });
    if (options.echo && level !== 'debug') process.stderr.write(line + '\n');
  };

  return {
    debug: (m, f) => write('debug', m, f),
    info: (m, f) => write('info', m, f),
    warn: (m, f) => write('warn', m, f),
    error: (m, f) => write('error', m, f),
    addSecret: (value) => {
      if (value) secrets.add(value);
    },
  };
}
