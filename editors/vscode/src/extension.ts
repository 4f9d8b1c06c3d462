// VS Code client for vblint: starts `vblint lsp` and lets vscode-languageclient do the rest
// (diagnostics, quick fixes, hover, incremental sync, configuration).
//
// Everything about the language lives in the server. This file only decides which documents
// the server sees, turns VS Code settings into the server's settings, and restarts it.
import * as vscode from 'vscode';
import {
  DocumentSelector,
  LanguageClient,
  LanguageClientOptions,
  ServerOptions,
  State,
  TransportKind,
} from 'vscode-languageclient/node';

const SECTION = 'vblint';

/// The documents vblint checks. Languages first (VS Code decides the language from the file
/// name, or the user picks it); then file patterns, so a `.txt` or `.csv` file is still checked
/// when another extension has given it a different language. Lexicon files are TOML files in a
/// folder called `lexicon`, where the server reports the lexicon's own errors.
const REPORT_LANGUAGES = ['plaintext', 'markdown', 'restructuredtext', 'log', 'csv', 'tsv'];
const REPORT_PATTERN = '**/*.{txt,text,md,markdown,rst,log,csv,tsv}';
const LEXICON_PATTERN = '**/lexicon/**/*.toml';

/// The settings the server understands. Sent as `initializationOptions` when the server starts;
/// changes are sent as `workspace/didChangeConfiguration` with `{ settings: { vblint: {...} } }`.
interface ServerSettings {
  quotes: 'skip' | 'info' | 'flag';
  lexicon: string[];
  disable: string[];
}

let client: LanguageClient | undefined;
let output: vscode.LogOutputChannel | undefined;

function serverSettings(): ServerSettings {
  const config = vscode.workspace.getConfiguration(SECTION);
  const quotes = config.get<string>('quotes', 'info');
  return {
    quotes: quotes === 'skip' || quotes === 'flag' ? quotes : 'info',
    lexicon: config.get<string[]>('lexicon', []),
    disable: config.get<string[]>('disable', []),
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

function createClient(): LanguageClient {
  const config = vscode.workspace.getConfiguration(SECTION);
  const command = config.get<string>('server.path', 'vblint').trim() || 'vblint';
  const args = config.get<string[]>('server.args', ['lsp']);
  const serverOptions: ServerOptions = {
    run: { command, args, transport: TransportKind.stdio },
    debug: { command, args, transport: TransportKind.stdio },
  };
  output ??= vscode.window.createOutputChannel('vblint', { log: true });
  const clientOptions: LanguageClientOptions = {
    documentSelector: documentSelector(),
    initializationOptions: serverSettings(),
    synchronize: { configurationSection: SECTION },
    outputChannel: output,
    traceOutputChannel: output,
  };
  // The id 'vblint' makes vscode-languageclient read the `vblint.trace.server` setting.
  return new LanguageClient('vblint', 'vblint', serverOptions, clientOptions);
}

async function startClient(): Promise<void> {
  const next = createClient();
  client = next;
  try {
    await next.start();
  } catch (err) {
    const path = vscode.workspace.getConfiguration(SECTION).get<string>('server.path', 'vblint');
    const message = err instanceof Error ? err.message : String(err);
    output?.appendLine(`vblint could not start (${path}): ${message}`);
    const choice = await vscode.window.showErrorMessage(
      `vblint could not be started. Check that vblint is installed, or set "vblint.server.path" to the full path of vblint. (${message})`,
      'Open Settings',
      'Show Log',
    );
    if (choice === 'Open Settings') {
      await vscode.commands.executeCommand('workbench.action.openSettings', 'vblint.server');
    } else if (choice === 'Show Log') {
      output?.show(true);
    }
  }
}

async function stopClient(): Promise<void> {
  const current = client;
  client = undefined;
  if (!current) {
    return;
  }
  try {
    if (current.state !== State.Stopped) {
      await current.stop();
    }
  } catch (err) {
    output?.appendLine(`vblint did not stop cleanly: ${err instanceof Error ? err.message : String(err)}`);
  }
}

async function restartClient(): Promise<void> {
  await stopClient();
  await startClient();
}

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  context.subscriptions.push(
    vscode.commands.registerCommand('vblint.restartServer', restartClient),
    vscode.commands.registerCommand('vblint.showOutput', () => output?.show(true)),
    // A new program path or arguments need a new process; other settings reach the running
    // server through `synchronize.configurationSection`.
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (event.affectsConfiguration(`${SECTION}.server`)) {
        void restartClient();
      }
    }),
    { dispose: () => void stopClient() },
  );
  await startClient();
}

export async function deactivate(): Promise<void> {
  await stopClient();
}
