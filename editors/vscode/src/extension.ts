// VS Code client for vblint: starts `vblint lsp` and lets vscode-languageclient do the rest
// (diagnostics, quick fixes, hover, incremental sync, configuration).
//
// Everything about the language lives in the server. This file decides which documents the
// server sees, turns VS Code settings into the server's settings, starts and restarts the
// server, tells the user once and plainly when it cannot start, and shows "Explain" in a view.
import { ChildProcess } from 'child_process';
import * as vscode from 'vscode';
import {
  CloseAction,
  DocumentSelector,
  ErrorAction,
  LanguageClient,
  LanguageClientOptions,
  RevealOutputChannelOn,
  State,
} from 'vscode-languageclient/node';
import { EXPLAIN_COMMAND, Explanation, explanationFrom, explanationPage } from './explanation';
import {
  Launch,
  LineTail,
  StartProblem,
  commandLine,
  launchFrom,
  problemFromExit,
  problemNoAnswer,
  spawnServer,
} from './launch';
import { TraceChannel } from './trace';

const SECTION = 'vblint';

/// How long the server has to answer `initialize`.
const START_TIMEOUT_SECONDS = 30;

/// The documents vblint checks. Languages first (VS Code decides the language from the file
/// name, or the user picks it); then file patterns, so a `.txt` or `.csv` file is still checked
/// when another extension has given it a different language. Lexicon files are TOML files in a
/// folder called `lexicon`, where the server reports the lexicon's own errors.
const REPORT_LANGUAGES = ['plaintext', 'markdown', 'restructuredtext', 'log', 'csv', 'tsv'];
const REPORT_PATTERN = '**/*.{txt,text,md,markdown,rst,log,csv,tsv}';
const LEXICON_PATTERN = '**/lexicon/**/*.toml';

/// The settings the server understands. Sent as `initializationOptions` when the server starts;
/// changes are sent as `workspace/didChangeConfiguration` with `{ settings: { vblint: {...} } }`.
/// `explainView` tells the server that this client shows "Explain" itself (see `showExplanation`).
interface ServerSettings {
  quotes: 'skip' | 'info' | 'flag';
  lexicon: string[];
  disable: string[];
  explainView: boolean;
}

/// A language client that shows no pop-ups of its own. Start-up failures and crashes are told
/// to the user once, by this extension, with the way out; the library's own messages ("couldn't
/// create connection", "write EPIPE", "connection got closed") go to the log only.
class VblintClient extends LanguageClient {
  override error(message: string, data?: unknown, _showNotification?: boolean | 'force'): void {
    super.error(message, data, false);
  }
}

/// One server process and its client.
interface Session {
  client: VblintClient;
  launch: Launch;
  process?: ChildProcess;
  exit?: { code: number | null; signal: NodeJS.Signals | null };
  stderr: LineTail;
  /// `initialize` was answered.
  running: boolean;
  /// This extension is stopping it (restart, new settings, VS Code closing).
  stopping: boolean;
}

let session: Session | undefined;
let output: vscode.LogOutputChannel;
let trace: TraceChannel;
let explainPanel: vscode.WebviewPanel | undefined;

function serverSettings(): ServerSettings {
  const config = vscode.workspace.getConfiguration(SECTION);
  const quotes = config.get<string>('quotes', 'info');
  return {
    quotes: quotes === 'skip' || quotes === 'flag' ? quotes : 'info',
    lexicon: config.get<string[]>('lexicon', []),
    disable: config.get<string[]>('disable', []),
    explainView: true,
  };
}

function documentSelector(): DocumentSelector {
  const selector: DocumentSelector = [];
  for (const language of REPORT_LANGUAGES) {
    selector.push({ scheme: 'file', language });
    selector.push({ scheme: 'untitled', language });
  }
  selector.push({ scheme: 'file', pattern: REPORT_PATTERN });
  selector.push({ scheme: 'file', pattern: LEXICON_PATTERN });
  return selector;
}

/// The folder the server starts in: the first workspace folder on disk, if any.
function serverFolder(): string | undefined {
  return vscode.workspace.workspaceFolders?.find((f) => f.uri.scheme === 'file')?.uri.fsPath;
}

/// Starts the session's process; the client calls this on start.
async function startProcess(s: Session): Promise<ChildProcess> {
  const proc = await spawnServer(s.launch, serverFolder());
  s.process = proc;
  proc.stderr?.setEncoding('utf8');
  proc.stderr?.on('data', (chunk: string) => s.stderr.push(chunk));
  proc.on('exit', (code, signal) => {
    s.exit = { code, signal };
  });
  return proc;
}

function createSession(launch: Launch): Session {
  const s = { launch, stderr: new LineTail(), running: false, stopping: false } as Session;
  const clientOptions: LanguageClientOptions = {
    documentSelector: documentSelector(),
    initializationOptions: serverSettings(),
    synchronize: { configurationSection: SECTION },
    outputChannel: output,
    traceOutputChannel: trace,
    revealOutputChannelOn: RevealOutputChannelOn.Never,
    initializationFailedHandler: () => false,
    errorHandler: {
      // A read or write failed; if the server has gone, `closed` follows.
      error: () => ({ action: ErrorAction.Continue, handled: true }),
      closed: () => {
        if (s.running && !s.stopping) {
          void reportCrash(s);
        }
        return { action: CloseAction.DoNotRestart, handled: true };
      },
    },
    middleware: {
      executeCommand: async (command, args, next) => {
        const result = await next(command, args);
        if (command === EXPLAIN_COMMAND) {
          await showExplanation(result, args[0]);
        }
        return result;
      },
    },
  };
  // The id 'vblint' makes vscode-languageclient read the `vblint.trace.server` setting.
  s.client = new VblintClient('vblint', 'vblint', () => startProcess(s), clientOptions);
  return s;
}

/// Waits up to `ms` for the process to end, so that its exit code can be reported.
async function exited(s: Session, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (s.process && !s.exit && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/// Why a start failed, for the user.
async function startProblem(s: Session, err: unknown): Promise<StartProblem> {
  if (err instanceof StartProblem) {
    return err;
  }
  await exited(s, 2000);
  if (s.exit) {
    return problemFromExit(s.launch, s.exit.code, s.exit.signal, s.stderr.all());
  }
  const why = err instanceof Error ? err.message : String(err);
  return new StartProblem(
    'failed',
    `vblint could not start: ${why}. Check "vblint.server.path" and "vblint.server.args" (leave it as ["lsp"]).`,
  );
}

async function startClient(): Promise<void> {
  const config = vscode.workspace.getConfiguration(SECTION);
  const launch = launchFrom(config.get('server.path'), config.get('server.args'));
  const s = createSession(launch);
  session = s;
  output.info(`starting ${commandLine(launch)}`);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(problemNoAnswer(launch, START_TIMEOUT_SECONDS)), START_TIMEOUT_SECONDS * 1000);
  });
  try {
    await Promise.race([s.client.start(), timeout]);
    s.running = true;
  } catch (err) {
    if (s.stopping) {
      return; // replaced by a restart
    }
    const problem = await startProblem(s, err);
    for (const line of s.stderr.all()) {
      output.error(`server: ${line}`);
    }
    output.error(problem.message);
    if (session === s) {
      session = undefined;
    }
    await stopSession(s);
    void tellUser(problem.message, 'Open Settings');
  } finally {
    clearTimeout(timer);
  }
}

/// The one message about a failure, with a button that opens the log.
async function tellUser(message: string, other: 'Open Settings' | 'Restart'): Promise<void> {
  const choice = await vscode.window.showErrorMessage(message, 'Show Log', other);
  if (choice === 'Show Log') {
    output.show(true);
  } else if (choice === 'Open Settings') {
    await vscode.commands.executeCommand('workbench.action.openSettings', 'vblint.server');
  } else if (choice === 'Restart') {
    await restartClient();
  }
}

async function reportCrash(s: Session): Promise<void> {
  await exited(s, 2000);
  if (s.stopping) {
    return;
  }
  const how = s.exit ? (s.exit.code !== null ? ` (exit code ${s.exit.code})` : ` (signal ${s.exit.signal})`) : '';
  const message = `vblint stopped unexpectedly${how}. Underlines are not updated until it is restarted.`;
  output.error(message);
  if (session === s) {
    session = undefined;
  }
  void tellUser(message, 'Restart');
}

/// Stops a session: `shutdown` and `exit` if it is running; the process is killed if it is still
/// there after that (or if it never answered `initialize`).
async function stopSession(s: Session): Promise<void> {
  s.stopping = true;
  if (s.client.state === State.Running) {
    try {
      await s.client.stop(3000);
      await exited(s, 1000);
    } catch (err) {
      output.warn(`vblint did not stop cleanly: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  if (s.process && !s.exit) {
    s.process.kill();
  }
}

async function stopClient(): Promise<void> {
  const current = session;
  session = undefined;
  if (current) {
    await stopSession(current);
  }
}

let restarting: Promise<void> | undefined;
let restartAgain = false;

/// Stops the server and starts it with the current settings. Requests that arrive while a
/// restart is under way (several setting changes in a row) are served by one more restart at
/// the end, so only one server runs at a time.
function restartClient(): Promise<void> {
  if (restarting) {
    restartAgain = true;
    // A server still starting is not waited for: its settings are already out of date.
    if (session && !session.running) {
      void stopSession(session);
    }
    return restarting;
  }
  restarting = (async () => {
    try {
      do {
        restartAgain = false;
        await stopClient();
        await startClient();
      } while (restartAgain);
    } finally {
      restarting = undefined;
    }
  })();
  return restarting;
}

/// Shows what `vblint.explain` returned in a view beside the document, rendered by VS Code's
/// markdown renderer. One view is reused for every explanation.
async function showExplanation(result: unknown, ruleId: unknown): Promise<void> {
  const explanation = explanationFrom(result, ruleId);
  if (!explanation) {
    const rule = typeof ruleId === 'string' ? ` "${ruleId}"` : '';
    output.warn(`vblint.explain${rule} returned ${JSON.stringify(result) ?? 'nothing'}`);
    const choice = await vscode.window.showWarningMessage(
      `vblint could not show the explanation${rule}. In a terminal, \`vblint explain${rule ? ' ' + ruleId : ' RULE'}\` prints it.`,
      'Show Log',
    );
    if (choice === 'Show Log') {
      output.show(true);
    }
    return;
  }
  await openExplanation(explanation);
}

async function openExplanation(explanation: Explanation): Promise<void> {
  let body: string | undefined;
  try {
    const html = await vscode.commands.executeCommand<unknown>('markdown.api.render', explanation.markdown);
    body = typeof html === 'string' ? html : undefined;
  } catch (err) {
    output.warn(`the markdown renderer is not available, so the explanation is shown as text: ${String(err)}`);
  }
  if (explainPanel) {
    explainPanel.reveal(vscode.ViewColumn.Beside, true);
  } else {
    explainPanel = vscode.window.createWebviewPanel(
      'vblint.explanation',
      explanation.title,
      { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true },
      { enableScripts: false, enableFindWidget: true, localResourceRoots: [] },
    );
    explainPanel.onDidDispose(() => {
      explainPanel = undefined;
    });
  }
  explainPanel.title = explanation.title;
  explainPanel.webview.html = explanationPage(explanation, body);
}

export function activate(context: vscode.ExtensionContext): void {
  output = vscode.window.createOutputChannel('vblint', { log: true });
  trace = new TraceChannel('vblint trace', `${SECTION}.trace.server`);
  context.subscriptions.push(
    output,
    trace,
    vscode.commands.registerCommand('vblint.restartServer', restartClient),
    vscode.commands.registerCommand('vblint.showOutput', () => output.show(true)),
    // A new program path or arguments need a new process; other settings reach the running
    // server through `synchronize.configurationSection`.
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (event.affectsConfiguration(`${SECTION}.server`)) {
        void restartClient();
      }
    }),
    { dispose: () => void stopClient() },
    { dispose: () => explainPanel?.dispose() },
  );
  // Not awaited: activation finishes at once, so the commands (such as "Show log") work even
  // while the server is starting or when it cannot start.
  void restartClient();
}

export async function deactivate(): Promise<void> {
  await stopClient();
}
