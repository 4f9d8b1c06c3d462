// The extension's launch code (out/launch.js, compiled from src/launch.ts) against the real
// vblint binary, and the "Explain" result handling (out/explanation.js).
//
// usage: VBLINT_SERVER_BIN=/path/to/vblint node --test test/   (after `npm run compile`)
'use strict';
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { test } = require('node:test');

const launch = require('../out/launch.js');
const { explanationFrom, explanationPage } = require('../out/explanation.js');

const SERVER = process.env.VBLINT_SERVER_BIN;
const manifest = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'package.json'), 'utf8'));
const settings = manifest.contributes.configuration.properties;

function server() {
  assert.ok(SERVER, 'set VBLINT_SERVER_BIN to the vblint binary to test against');
  return path.resolve(SERVER);
}

/// Talks LSP to a child process: Content-Length framing over its stdin and stdout.
function rpc(proc) {
  let buffer = Buffer.alloc(0);
  const waiting = [];
  const seen = [];
  proc.stdout.on('data', (chunk) => {
    buffer = Buffer.concat([buffer, chunk]);
    for (;;) {
      const end = buffer.indexOf('\r\n\r\n');
      if (end < 0) return;
      const length = Number(/Content-Length: (\d+)/i.exec(buffer.subarray(0, end).toString())[1]);
      if (buffer.length < end + 4 + length) return;
      const msg = JSON.parse(buffer.subarray(end + 4, end + 4 + length).toString('utf8'));
      buffer = buffer.subarray(end + 4 + length);
      seen.push(msg);
      for (const w of [...waiting]) {
        if (w.want(msg)) {
          waiting.splice(waiting.indexOf(w), 1);
          w.resolve(msg);
        }
      }
    }
  });
  let nextId = 0;
  const send = (msg) => {
    const body = Buffer.from(JSON.stringify({ jsonrpc: '2.0', ...msg }), 'utf8');
    proc.stdin.write(`Content-Length: ${body.length}\r\n\r\n`);
    proc.stdin.write(body);
  };
  const waitFor = (want, what) =>
    new Promise((resolve, reject) => {
      const old = seen.find(want);
      if (old) return resolve(old);
      const timer = setTimeout(() => reject(new Error(`timeout waiting for ${what}`)), 20000);
      waiting.push({ want, resolve: (m) => { clearTimeout(timer); resolve(m); } });
    });
  return {
    seen,
    notify: (method, params) => send({ method, params }),
    request: (method, params) => {
      const id = ++nextId;
      send({ id, method, params });
      return waitFor((m) => m.id === id && m.method === undefined, method);
    },
    waitFor,
  };
}

/// The exit code and signal, once the process has ended and its output streams are closed.
function exitOf(proc) {
  return new Promise((resolve) => proc.once('close', (code, signal) => resolve({ code, signal })));
}

function stderrOf(proc) {
  const tail = new launch.LineTail(50);
  proc.stderr.setEncoding('utf8');
  proc.stderr.on('data', (chunk) => tail.push(chunk));
  return tail;
}

test('the default arguments in package.json are the ones the extension falls back to', () => {
  assert.deepEqual(settings['vblint.server.args'].default, [...launch.DEFAULT_ARGS]);
  assert.equal(settings['vblint.server.path'].default, 'vblint');
  assert.deepEqual(launch.launchFrom(undefined, undefined), { command: 'vblint', args: [...launch.DEFAULT_ARGS] });
  assert.deepEqual(launch.launchFrom('  ', ['lsp', 3]), { command: 'vblint', args: [...launch.DEFAULT_ARGS] });
  assert.equal(launch.launchFrom('~/bin/vblint', null).command, path.join(os.homedir(), 'bin/vblint'));
});

test('the extension starts the real server with its default settings: a whole session, nothing on stderr', async () => {
  const how = launch.launchFrom(server(), settings['vblint.server.args'].default);
  const proc = await launch.spawnServer(how, os.tmpdir());
  const stderr = stderrOf(proc);
  const c = rpc(proc);
  const init = await c.request('initialize', {
    processId: process.pid,
    rootUri: null,
    capabilities: { general: { positionEncodings: ['utf-16'] }, textDocument: { hover: { contentFormat: ['markdown'] } } },
    initializationOptions: { quotes: 'info', lexicon: [], disable: [], explainView: true },
  });
  assert.equal(init.result.serverInfo.name, 'vblint', JSON.stringify(init));
  assert.ok(init.result.capabilities.executeCommandProvider.commands.includes('vblint.explain'));
  c.notify('initialized', {});
  const started = await c.waitFor((m) => m.method === 'window/logMessage', 'the start-up log message');
  assert.equal(started.params.type, 3, 'start-up is information, not an error');
  const uri = 'file:///tmp/vblint-extension-test/note.txt';
  c.notify('textDocument/didOpen', {
    textDocument: { uri, languageId: 'plaintext', version: 1, text: 'She has absconded from the unit again.\n' },
  });
  const published = await c.waitFor(
    (m) => m.method === 'textDocument/publishDiagnostics' && m.params.diagnostics.length > 0,
    'diagnostics',
  );
  assert.equal(published.params.diagnostics[0].code, 'absconded');
  const shutdown = await c.request('shutdown', null);
  assert.equal(shutdown.result, null);
  c.notify('exit', null);
  assert.deepEqual(await exitOf(proc), { code: 0, signal: null });
  assert.deepEqual(stderr.all(), [], 'a normal session writes nothing to stderr (VS Code shows stderr as errors)');
});

test('a program that is not on PATH: not found, and the message says how to fix it', async () => {
  const how = launch.launchFrom('vblint-not-installed-here', ['lsp']);
  const err = await launch.spawnServer(how).then(() => null, (e) => e);
  assert.ok(err instanceof launch.StartProblem, String(err));
  assert.equal(err.kind, 'not-found');
  assert.match(err.message, /^vblint could not start: the program "vblint-not-installed-here" was not found\. /);
  assert.match(err.message, /Set "vblint\.server\.path" to the full path of the vblint program/);
  assert.match(err.message, /cargo install --locked --path \./);
});

test('a path with no file: not found', async () => {
  const missing = path.join(os.tmpdir(), 'no-such-folder-vblint', 'vblint');
  const err = await launch.spawnServer(launch.launchFrom(missing, ['lsp'])).then(() => null, (e) => e);
  assert.equal(err.kind, 'not-found');
  assert.ok(err.message.startsWith(`vblint could not start: there is no program at "${missing}". `), err.message);
});

test('a file that is not a program: cannot be run', async () => {
  const notProgram = path.join(__dirname, '..', 'package.json');
  const err = await launch.spawnServer(launch.launchFrom(notProgram, ['lsp'])).then(() => null, (e) => e);
  assert.equal(err.kind, 'not-runnable', String(err));
  assert.match(err.message, /cannot be run \(EACCES/);
});

test('a server that stops at once: its exit code and last words are in the message', async () => {
  const how = launch.launchFrom(server(), ['lsp', '--no-such-flag']);
  const proc = await launch.spawnServer(how);
  const stderr = stderrOf(proc);
  proc.stdin.end();
  const { code, signal } = await exitOf(proc);
  const problem = launch.problemFromExit(how, code, signal, stderr.all());
  assert.equal(problem.kind, 'exited');
  assert.match(problem.message, /stopped straight away \(exit code 2\)/);
  assert.match(problem.message, /unexpected argument '--no-such-flag'/);
  assert.match(problem.message, /"vblint\.server\.args" is \["lsp"\]/);
});

test('LineTail keeps complete lines across chunks', () => {
  const t = new launch.LineTail(2);
  t.push('one\ntw');
  t.push('o\r\n\nthree\nfou');
  assert.deepEqual(t.lines, ['two', 'three']);
  assert.deepEqual(t.all(), ['two', 'three', 'fou']);
});

test('explain results: {title, markdown}, a bare string, and anything else', () => {
  assert.deepEqual(explanationFrom({ title: 'Why "absconded"', markdown: '**why**' }, 'absconded'), {
    title: 'Why "absconded"',
    markdown: '**why**',
  });
  assert.deepEqual(explanationFrom({ markdown: 'text' }, 'absconded'), { title: 'vblint: absconded', markdown: 'text' });
  assert.deepEqual(explanationFrom('**vblint: `absconded`**', 'absconded'), {
    title: 'vblint: absconded',
    markdown: '**vblint: `absconded`**',
  });
  for (const bad of [null, undefined, 42, '', '  ', {}, { title: 'x' }, { markdown: 7 }, []]) {
    assert.equal(explanationFrom(bad, 'absconded'), undefined, JSON.stringify(bad));
  }
  const page = explanationPage({ title: 'a <b>', markdown: '<script>x</script>' }, undefined);
  assert.match(page, /<title>a &#60;b&#62;<\/title>/);
  assert.match(page, /&#60;script&#62;x&#60;\/script&#62;/);
  assert.match(page, /default-src 'none'/);
  assert.doesNotMatch(page, /<script>/);
});
