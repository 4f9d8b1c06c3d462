// How the extension starts `vblint lsp`, and what it tells the user when that fails.
//
// Plain Node.js (no `vscode` import), so test/launch.test.js runs these functions against the
// real vblint binary outside VS Code.
import { ChildProcess, spawn } from 'child_process';
import * as os from 'os';
import * as path from 'path';

/// `vblint.server.args` when the user has not changed it (package.json declares the same default,
/// and the tests check the two agree).
export const DEFAULT_ARGS: readonly string[] = ['lsp'];

/// How to put vblint on this machine, for the messages below.
export const INSTALL_HINT =
  'install vblint (in the vblint source folder: `cargo install --locked --path .`), or ask your IT team';

/// A program and its arguments, exactly as they are run: no flag is added (the server talks over
/// stdin and stdout, which needs none).
export interface Launch {
  command: string;
  args: string[];
}

/// The launch for the settings `vblint.server.path` and `vblint.server.args`. A blank or missing
/// path means `vblint` (found on PATH); `~/` at the start of the path is the home folder; args
/// that are not a list of strings are the default.
export function launchFrom(pathSetting: unknown, argsSetting: unknown): Launch {
  let command = typeof pathSetting === 'string' ? pathSetting.trim() : '';
  if (command === '') {
    command = 'vblint';
  } else if (command === '~' || command.startsWith('~/') || command.startsWith('~\\')) {
    command = path.join(os.homedir(), command.slice(1));
  }
  const args =
    Array.isArray(argsSetting) && argsSetting.every((a) => typeof a === 'string')
      ? [...(argsSetting as string[])]
      : [...DEFAULT_ARGS];
  return { command, args };
}

/// The launch as a command line, for messages and the log.
export function commandLine(launch: Launch): string {
  return [launch.command, ...launch.args].map((w) => (/[\s"']/.test(w) || w === '' ? JSON.stringify(w) : w)).join(' ');
}

export type ProblemKind = 'not-found' | 'not-runnable' | 'exited' | 'no-answer' | 'failed';

/// Why the server did not start. `message` is for the user: what is wrong and how to fix it.
export class StartProblem extends Error {
  constructor(
    readonly kind: ProblemKind,
    message: string,
  ) {
    super(message);
    this.name = 'StartProblem';
    // Logged as it is: the message says everything, a stack trace would only hide it.
    this.stack = `${this.name}: ${message}`;
  }
}

/// Whether the setting names a file (a path) rather than a program to look up on PATH.
function isPath(command: string): boolean {
  return path.isAbsolute(command) || command.includes('/') || command.includes('\\');
}

const FIX_PATH = `Set "vblint.server.path" to the full path of the vblint program, or ${INSTALL_HINT}.`;

/// The problem behind an error from `child_process.spawn`.
export function problemFromSpawnError(launch: Launch, err: unknown): StartProblem {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  const shown = `"${launch.command}"`;
  if (code === 'ENOENT') {
    return new StartProblem(
      'not-found',
      isPath(launch.command)
        ? `vblint could not start: there is no program at ${shown}. ${FIX_PATH}`
        : `vblint could not start: the program ${shown} was not found. ${FIX_PATH}`,
    );
  }
  if (code === 'EACCES' || code === 'ENOEXEC' || code === 'EISDIR' || code === 'ENOTDIR' || code === 'EPERM') {
    return new StartProblem(
      'not-runnable',
      `vblint could not start: ${shown} cannot be run (${code}: it is not a program, or it is not allowed to run). ${FIX_PATH}`,
    );
  }
  const why = err instanceof Error ? err.message : String(err);
  return new StartProblem('failed', `vblint could not start ${shown}: ${why}. ${FIX_PATH}`);
}

/// The problem when the server process ended before it answered: its exit code or signal and
/// the last thing it wrote to stderr.
export function problemFromExit(
  launch: Launch,
  code: number | null,
  signal: NodeJS.Signals | null,
  stderrTail: readonly string[],
): StartProblem {
  const how = code !== null ? `exit code ${code}` : `signal ${signal ?? 'unknown'}`;
  const words = lastWords(stderrTail);
  const said = words ? `: ${words}` : '';
  return new StartProblem(
    'exited',
    `vblint could not start: "${commandLine(launch)}" stopped straight away (${how})${said}. ` +
      `Check that "vblint.server.path" is the vblint program and that "vblint.server.args" is ["lsp"]. ` +
      `If vblint is old, update it: ${INSTALL_HINT}.`,
  );
}

/// The line of a failed program's stderr that says what went wrong: the last one starting with
/// `error` or `vblint` (the rest of a usage error is help), else the last one.
function lastWords(lines: readonly string[]): string | undefined {
  const telling = [...lines].reverse().find((l) => /^\s*(error|vblint)/i.test(l)) ?? lines[lines.length - 1];
  return telling?.trim().replace(/\.$/, '');
}

/// The problem when the server is running but has not answered within `seconds`.
export function problemNoAnswer(launch: Launch, seconds: number): StartProblem {
  return new StartProblem(
    'no-answer',
    `vblint could not start: "${commandLine(launch)}" gave no answer within ${seconds} seconds. ` +
      `Check that "vblint.server.path" is the vblint program (in a terminal, \`vblint --version\` prints its version).`,
  );
}

/// Starts the server process. Resolves once the process is running; rejects with a
/// [`StartProblem`] when it cannot be started at all.
export function spawnServer(launch: Launch, cwd?: string): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    let proc: ChildProcess;
    try {
      proc = spawn(launch.command, launch.args, { cwd, stdio: 'pipe', windowsHide: true, shell: false });
    } catch (err) {
      reject(problemFromSpawnError(launch, err));
      return;
    }
    proc.once('spawn', () => resolve(proc));
    // Kept for the life of the process: an 'error' with no listener would throw.
    proc.on('error', (err) => reject(problemFromSpawnError(launch, err)));
  });
}

/// The last lines a process wrote, kept as they arrive in chunks.
export class LineTail {
  private partial = '';
  readonly lines: string[] = [];

  constructor(private readonly keep = 20) {}

  push(chunk: string): void {
    const parts = (this.partial + chunk).split(/\r?\n/);
    this.partial = parts.pop() ?? '';
    for (const line of parts) {
      if (line.trim() !== '') {
        this.lines.push(line);
      }
    }
    this.lines.splice(0, Math.max(0, this.lines.length - this.keep));
  }

  /// Every complete line, then any unfinished one.
  all(): string[] {
    return this.partial.trim() === '' ? [...this.lines] : [...this.lines, this.partial];
  }
}
