/** True for an existing regular file this process may execute. */
export function isExecutable(file: string): boolean;
/** The first executable called `name` on env.PATH (with PATHEXT's extensions on Windows). */
export function findOnPath(name: string, env?: NodeJS.ProcessEnv): string | undefined;
