// The channel vscode-languageclient writes its JSON-RPC trace to.
//
// The library traces only while its trace channel's log level is Trace, and a log channel's
// level is set through "Developer: Set Log Level", not through settings. This channel takes its
// level from the setting instead: `vblint.trace.server` "off" is Info (no trace), "messages" and
// "verbose" are Trace. The lines go to a plain output channel, which shows every line it gets.
import * as vscode from 'vscode';

export class TraceChannel implements vscode.LogOutputChannel {
  private readonly channel: vscode.OutputChannel;
  private readonly changed = new vscode.EventEmitter<vscode.LogLevel>();
  private readonly watcher: vscode.Disposable;
  private level: vscode.LogLevel;
  readonly onDidChangeLogLevel = this.changed.event;

  /// `setting` is the full name of the trace setting, e.g. `vblint.trace.server`.
  constructor(name: string, private readonly setting: string) {
    this.channel = vscode.window.createOutputChannel(name);
    this.level = this.levelFromSettings();
    this.watcher = vscode.workspace.onDidChangeConfiguration((event) => {
      if (event.affectsConfiguration(this.setting)) {
        const level = this.levelFromSettings();
        if (level !== this.level) {
          this.level = level;
          this.changed.fire(level);
        }
      }
    });
  }

  private levelFromSettings(): vscode.LogLevel {
    const value = vscode.workspace.getConfiguration().get<unknown>(this.setting, 'off');
    return value === 'messages' || value === 'verbose' ? vscode.LogLevel.Trace : vscode.LogLevel.Info;
  }

  get name(): string {
    return this.channel.name;
  }

  get logLevel(): vscode.LogLevel {
    return this.level;
  }

  private write(kind: string, message: string, args: unknown[]): void {
    const time = new Date().toLocaleTimeString();
    const extra = args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' ');
    this.channel.appendLine(`[${kind} - ${time}] ${message}${extra ? ' ' + extra : ''}`);
  }

  trace(message: string, ...args: unknown[]): void {
    this.write('Trace', message, args);
  }

  debug(message: string, ...args: unknown[]): void {
    this.write('Debug', message, args);
  }

  info(message: string, ...args: unknown[]): void {
    this.write('Info', message, args);
  }

  warn(message: string, ...args: unknown[]): void {
    this.write('Warning', message, args);
  }

  error(error: string | Error, ...args: unknown[]): void {
    this.write('Error', typeof error === 'string' ? error : error.message, args);
  }

  append(value: string): void {
    this.channel.append(value);
  }

  appendLine(value: string): void {
    this.channel.appendLine(value);
  }

  replace(value: string): void {
    this.channel.replace(value);
  }

  clear(): void {
    this.channel.clear();
  }

  show(preserveFocus?: boolean): void;
  show(column?: vscode.ViewColumn, preserveFocus?: boolean): void;
  show(columnOrPreserveFocus?: vscode.ViewColumn | boolean, preserveFocus?: boolean): void {
    if (typeof columnOrPreserveFocus === 'number') {
      this.channel.show(columnOrPreserveFocus, preserveFocus);
    } else {
      this.channel.show(columnOrPreserveFocus);
    }
  }

  hide(): void {
    this.channel.hide();
  }

  dispose(): void {
    this.watcher.dispose();
    this.changed.dispose();
    this.channel.dispose();
  }
}
