#!/usr/bin/env node
// The vblint extension in the real VS Code workbench: code-server (VS Code's workbench and
// extension host) driven in headless Debian Chromium by playwright-core, with the packaged .vsix
// and the real vblint binary. The extension runs with its default arguments; only
// `vblint.server.path` is set, as a user would set it.
//
// usage: node ui_check.js --vsix PATH --server VBLINT --file NOTE --expect-flagged a,b --out DIR
//          [--edit TEXT] [--code-server BIN] [--timeout SEC]
//   playwright-core is looked up on NODE_PATH (the shared harness's vscode_probe/ui/node_modules).
//
// Checks, in one code-server session:
//   1. the squiggles cover exactly the expected phrases (the characters under each squiggle);
//   2. hover shows the server's explanation;
//   3. with --edit, text typed before a flagged phrase on a non-ASCII line moves its diagnostic by
//      exactly the text's UTF-16 length, and "File: Revert File" restores every position;
//   4. the quick-fix menu (Ctrl+.) applies the preferred fix, which removes one diagnostic;
//   5. the "Explain" code action opens the explanation in a view (not a pop-up);
//   6. "vblint: Show log" opens the log, which has the server's start line as information and no
//      errors; `vblint.trace.server` "messages" records the messages in "vblint trace";
//   7. with `vblint.server.path` set to a program that does not exist, and then to one that ends
//      at once, exactly one message says so and how to fix it, and its "Show Log" button opens
//      the log.
// Writes DIR/ui_report.json, DIR/ui-after-fix.txt and screenshots DIR/ui-*.png. Exit code 0 when
// every check passed, 1 when one failed, 2 on a timeout, 3 on a harness error.
'use strict';
const { spawn, execFileSync } = require('child_process');
const fs = require('fs');
const http = require('http');
const os = require('os');
const path = require('path');
const { chromium } = require('playwright-core');

function parseArgs(argv) {
  const o = { codeServer: null, out: path.resolve('ui-out'), timeout: 60, edit: null, expect: null,
    port: 18000 + (process.pid % 1000) };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i], v = argv[i + 1];
    if (k === '--vsix') o.vsix = v;
    else if (k === '--server') o.server = v;
    else if (k === '--file') o.file = v;
    else if (k === '--edit') o.edit = v;
    else if (k === '--code-server') o.codeServer = v;
    else if (k === '--out') o.out = path.resolve(v);
    else if (k === '--timeout') o.timeout = Number(v);
    else if (k === '--expect-flagged') o.expect = v.split(',');
    else if (k === '--port') o.port = Number(v);
    else { console.error(`unknown argument ${k}`); process.exit(3); }
    i++;
  }
  if (!o.vsix || !o.server || !o.file || !o.codeServer) {
    console.error('need --vsix, --server, --file and --code-server');
    process.exit(3);
  }
  return o;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
function httpOk(url) {
  return new Promise((res) => {
    const r = http.get(url, (resp) => { resp.resume(); res(resp.statusCode < 500); });
    r.on('error', () => res(false));
    r.setTimeout(1000, () => { r.destroy(); res(false); });
  });
}
async function until(fn, sec, what) {
  const end = Date.now() + sec * 1000;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timeout: ${what}`);
    await sleep(250);
  }
}
/// Every file under `dir` whose name passes `test`.
function findFiles(dir, test, out = []) {
  let entries = [];
  try { entries = fs.readdirSync(dir, { withFileTypes: true }); } catch (_) { return out; }
  for (const e of entries) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) findFiles(p, test, out);
    else if (test(e.name)) out.push(p);
  }
  return out;
}
const readAll = (files) => files.map((f) => fs.readFileSync(f, 'utf8')).join('\n');

const SQUIGGLES = ['error', 'warning', 'info', 'hint'].map((s) => `.monaco-editor .squiggly-${s}`).join(', ');
const TOASTS = '.notifications-toasts .notification-toast';

async function main() {
  const o = parseArgs(process.argv.slice(2));
  fs.mkdirSync(o.out, { recursive: true });
  for (const f of fs.readdirSync(o.out)) if (/^ui-.*\.(png|txt)$/.test(f)) fs.rmSync(path.join(o.out, f));
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'vblint-ui-'));
  const ws = path.join(tmp, 'ws'), data = path.join(tmp, 'data'), ext = path.join(tmp, 'ext');
  fs.mkdirSync(ws);
  fs.mkdirSync(path.join(data, 'User'), { recursive: true });
  const base = path.basename(o.file);
  const wsFile = path.join(ws, base);
  fs.copyFileSync(o.file, wsFile);
  const original = fs.readFileSync(wsFile, 'utf8');
  const settings = {
    'vblint.server.path': o.server.includes('/') ? path.resolve(o.server) : o.server,
    'vblint.trace.server': 'messages',
    'workbench.startupEditor': 'none', 'security.workspace.trust.enabled': false, 'workbench.tips.enabled': false,
    'telemetry.telemetryLevel': 'off', 'update.mode': 'none', 'extensions.autoUpdate': false,
    'extensions.autoCheckUpdates': false, 'workbench.enableExperiments': false, 'editor.hover.delay': 150,
    'editor.minimap.enabled': false, 'files.autoSave': 'off', 'chat.commandCenter.enabled': false,
    'workbench.secondarySideBar.defaultVisibility': 'hidden', 'editor.fontSize': 15, 'editor.wordWrap': 'on',
  };
  fs.writeFileSync(path.join(data, 'User', 'settings.json'), JSON.stringify(settings, null, 1));
  // A private TMPDIR: VS Code leaves sockets there; removed with `tmp`.
  fs.mkdirSync(path.join(tmp, 't'));
  const env = { ...process.env, XDG_CONFIG_HOME: path.join(tmp, 'config'), XDG_DATA_HOME: path.join(tmp, 'xdgdata'),
    TMPDIR: path.join(tmp, 't') };
  const report = { harness: 'vscode-ui (code-server + chromium, editors/vscode/ui-test)', server: o.server,
    file: o.file, checks: {}, timings_ms: {}, screenshots: [] };
  let allOk = true;
  const check = (k, v) => { report.checks[k] = !!v; if (!v) allOk = false; return v; };
  const t00 = Date.now();
  const mark = (k, since) => { report.timings_ms[k] = Date.now() - since; };

  report.code_server_version = execFileSync(o.codeServer, ['--version'], { env }).toString().trim().split('\n').pop();
  report.install_extension = execFileSync(o.codeServer, ['--install-extension', path.resolve(o.vsix),
    '--extensions-dir', ext, '--user-data-dir', data], { env }).toString().trim().split('\n').pop();

  const cs = spawn(o.codeServer, ['--auth', 'none', '--bind-addr', `127.0.0.1:${o.port}`, '--disable-telemetry',
    '--disable-update-check', '--disable-workspace-trust', '--disable-getting-started-override',
    '--user-data-dir', data, '--extensions-dir', ext, ws], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const csLog = [];
  cs.stdout.on('data', (b) => csLog.push(b.toString()));
  cs.stderr.on('data', (b) => csLog.push(b.toString()));
  let browser, page;
  const shot = async (name) => {
    const p = path.join(o.out, `ui-${name}.png`);
    await page.screenshot({ path: p });
    report.screenshots.push(p);
  };
  const toasts = async () => page.$$eval(TOASTS, (rs) => rs.map((r) => r.innerText.replace(/\s+/g, ' ').trim()));
  const runCommand = async (name) => {
    await page.keyboard.press('Control+Shift+P');
    await page.waitForSelector('.quick-input-widget input', { timeout: 10000 });
    await page.keyboard.type(name);
    await sleep(800);
    await page.keyboard.press('Enter');
    await sleep(800);
  };
  const problems = async () => {
    await page.keyboard.press('Control+Shift+M');
    await page.waitForSelector('.markers-panel .monaco-list-row', { timeout: 10000 });
    await sleep(500);
    return page.$$eval('.markers-panel .monaco-list-row', (rows) => rows.map((r) => r.getAttribute('aria-label') || r.textContent));
  };
  const parseProblems = (rows) => rows.map((r) => /^(\w+): (.*) at line (\d+) and character (\d+)/.exec(r))
    .filter(Boolean).map((m) => ({ severity: m[1], message: m[2], line: Number(m[3]), character: Number(m[4]) }));
  // The characters under each squiggle: the decoration sits exactly over the flagged text.
  const flagged = async () => page.evaluate((sel) => {
    const out = [];
    for (const sq of document.querySelectorAll(sel)) {
      const r = sq.getBoundingClientRect();
      const line = [...document.querySelectorAll('.monaco-editor .view-line')].find((l) => {
        const b = l.getBoundingClientRect();
        return b.top <= r.top + r.height / 2 && b.bottom >= r.top + r.height / 2;
      });
      if (!line) continue;
      let s = '';
      const walker = document.createTreeWalker(line, NodeFilter.SHOW_TEXT);
      const range = document.createRange();
      while (walker.nextNode()) {
        const n = walker.currentNode;
        for (let i = 0; i < n.length; i++) {
          const code = n.data.charCodeAt(i);
          const len = code >= 0xd800 && code <= 0xdbff ? 2 : 1;
          range.setStart(n, i);
          range.setEnd(n, i + len);
          const b = range.getBoundingClientRect();
          const mid = (b.left + b.right) / 2;
          if (b.width > 0 && mid > r.left && mid < r.right) s += n.data.substr(i, len);
          i += len - 1;
        }
      }
      out.push(s.replace(/\u00a0/g, ' '));
    }
    return out;
  }, SQUIGGLES);
  const gotoPos = async (line, character) => { // "Go to Line/Column": 1-based, UTF-16 columns
    await page.keyboard.press('Control+G');
    await page.waitForSelector('.quick-input-widget input', { timeout: 10000 });
    await page.keyboard.type(`${line}:${character}`);
    await sleep(300);
    await page.keyboard.press('Enter');
    await sleep(300);
  };
  const clickSquiggle = async (index) => {
    // Decorations are redrawn after each change; wait for one on screen.
    const b = await until(() => page.locator(SQUIGGLES).nth(index).boundingBox().catch(() => null), 20, 'a squiggle to click');
    await page.mouse.click(b.x + 2, b.y + b.height / 2);
    await sleep(300);
  };
  const openQuickFixMenu = async () => {
    await page.keyboard.press('Control+.');
    await page.waitForSelector('.action-widget .monaco-list-row', { timeout: 8000 });
    await sleep(500);
    return page.$$eval('.action-widget .monaco-list-row', (rs) => rs.map((r) => r.innerText.trim()).filter(Boolean));
  };
  // The text of the Output panel's editor (the channel shown).
  const outputText = async () => page.$eval('.part.panel .monaco-editor .view-lines', (e) => e.innerText.replace(/\u00a0/g, ' '))
    .catch(() => '');
  const outputChannel = async () => page.$eval('.part.panel select.monaco-select-box', (e) => e.selectedOptions[0]?.textContent)
    .catch(() => page.$eval('.part.panel .monaco-select-box', (e) => e.getAttribute('title') || e.textContent).catch(() => null));

  try {
    const tStart = Date.now();
    await until(() => httpOk(`http://127.0.0.1:${o.port}/healthz`), 60, 'code-server start');
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: [
      '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'] });
    page = await browser.newPage({ viewport: { width: 1400, height: 850 } });
    await page.goto(`http://127.0.0.1:${o.port}/?folder=${encodeURIComponent(ws)}`);
    await page.waitForSelector('.monaco-workbench', { timeout: o.timeout * 1000 });
    await sleep(3000); // the workbench settles (welcome page, notifications)
    mark('workbench', tStart);

    // Open the note through Quick Open, as a user would; on a busy machine the Enter can be lost,
    // so fall back to double-clicking it in the Explorer.
    await page.keyboard.press('Control+P');
    await page.waitForSelector('.quick-input-widget input', { timeout: 20000 });
    await page.keyboard.type(base);
    await page.waitForSelector('.quick-input-list .monaco-list-row', { timeout: 20000 }).catch(() => {});
    await sleep(1500);
    await page.keyboard.press('Enter');
    try {
      await page.waitForSelector('.monaco-editor .view-lines', { timeout: 15000 });
    } catch (e) {
      await page.keyboard.press('Escape');
      await page.locator('.explorer-folders-view .monaco-list-row', { hasText: base }).first().dblclick();
      await page.waitForSelector('.monaco-editor .view-lines', { timeout: o.timeout * 1000 });
    }

    // 1. squiggles on exactly the expected phrases
    const t0 = Date.now();
    await until(async () => (await page.locator(SQUIGGLES).count()) > 0, o.timeout, 'diagnostic squiggles');
    await sleep(1000);
    mark('first_squiggle', t0);
    report.squiggle_count = await page.locator(SQUIGGLES).count();
    await shot('1-diagnostics');
    report.problems = await problems();
    report.problems_parsed = parseProblems(report.problems);
    await shot('2-problems');
    report.flagged_texts = await flagged();
    if (o.expect) {
      check('flagged_texts_match', JSON.stringify([...report.flagged_texts].sort()) === JSON.stringify([...o.expect].sort()));
    }
    const problemRows = report.problems.filter((r) => / at line \d+ and character \d+/.test(r));
    check('problems_come_from_vblint', problemRows.length > 0 && problemRows.every((r) => /generated by vblint$/.test(r)));
    await page.keyboard.press('Control+Shift+M'); // the panel away

    // 2. hover
    const first = await page.locator(SQUIGGLES).first().boundingBox();
    await page.mouse.move(first.x + first.width / 2, first.y + first.height / 2);
    try {
      await page.waitForSelector('.monaco-hover:not(.hidden) .hover-contents', { timeout: 8000 });
      await sleep(700);
      report.hover = await page.$eval('.monaco-hover:not(.hidden)', (h) => h.innerText);
    } catch (e) {
      report.hover = null;
    }
    check('hover_explains', typeof report.hover === 'string' && /vblint/.test(report.hover) && /consider|why|Instead/i.test(report.hover));
    await shot('3-hover');
    await page.mouse.move(5, 5);

    // 3. typing on a non-ASCII line moves the diagnostic by the UTF-16 length of the text
    if (o.edit) {
      const lines = original.split('\n');
      const before = report.problems_parsed;
      const target = before.find((p) => /[^\x00-\x7f]/.test(lines[p.line - 1] || '')) || before[0];
      const flaggedBefore = report.flagged_texts.slice();
      await page.mouse.click(700, 300);
      await gotoPos(target.line, target.character);
      await page.keyboard.insertText(o.edit);
      await sleep(2500);
      const flaggedAfter = await flagged();
      const after = parseProblems(await problems());
      const expected = { line: target.line, character: target.character + o.edit.length };
      const moved = after.find((p) => p.line === expected.line && p.character === expected.character && p.message === target.message);
      report.edit = { inserted: o.edit, target_before: target, expected, target_after: moved || null, flagged_after: flaggedAfter };
      await shot('4-after-edit');
      check('edit_moves_diagnostic', !!moved);
      check('edit_keeps_flagged_texts', JSON.stringify([...flaggedAfter].sort()) === JSON.stringify([...flaggedBefore].sort()));
      await page.keyboard.press('Control+Shift+M');
      await runCommand('File: Revert File');
      await sleep(2000);
      const restored = parseProblems(await problems());
      check('revert_restores', JSON.stringify(restored) === JSON.stringify(before));
      await page.keyboard.press('Control+Shift+M');
    }

    // 4. the preferred quick fix, through the light-bulb menu
    await clickSquiggle(0);
    try {
      report.quick_fix_menu = await openQuickFixMenu();
      await shot('5-quickfix-menu');
      const nBefore = await page.locator(SQUIGGLES).count();
      await page.keyboard.press('Enter');
      await sleep(2000);
      report.squiggles_after_fix = await page.locator(SQUIGGLES).count();
      check('quick_fix_removes_a_diagnostic', report.squiggles_after_fix === nBefore - 1);
      await page.keyboard.press('Control+S');
      await sleep(1000);
      report.result_text = fs.readFileSync(wsFile, 'utf8');
      fs.writeFileSync(path.join(o.out, 'ui-after-fix.txt'), report.result_text);
      check('quick_fix_changes_the_file', report.result_text !== original);
      await shot('6-after-fix');
    } catch (e) {
      report.quick_fix_error = String(e);
      check('quick_fix_removes_a_diagnostic', false);
      await shot('5-quickfix-menu-missing');
      await page.keyboard.press('Escape');
    }

    // 5. "Explain" opens a view with the explanation
    const toastsBeforeExplain = (await toasts()).length;
    await clickSquiggle(0);
    try {
      const menu = await openQuickFixMenu();
      report.explain_menu = menu;
      // The keyboard, as the menu is meant to be used: down to "Explain ...", then Enter.
      let title = null;
      for (let i = 0; i < 15 && !title; i++) {
        const focused = await page.$eval('.action-widget .monaco-list-row.focused', (r) => r.getAttribute('aria-label') || r.innerText)
          .catch(() => '');
        if (/^\s*Explain/.test(focused)) title = focused.trim();
        else await page.keyboard.press('ArrowDown');
      }
      if (!title) throw new Error('no "Explain" entry in the quick-fix menu');
      const rule = (/Explain\s+`?([\w-]+)`?/.exec(title) || [])[1];
      report.explain_rule = rule || null;
      await page.keyboard.press('Enter');
      const frameText = async () => {
        for (const f of page.frames().filter((f) => f !== page.mainFrame())) {
          const t = await f.evaluate(() => (document.body ? document.body.innerText : '')).catch(() => '');
          if (rule && t.includes(rule) && /Instead, consider|Sources/.test(t)) return t;
        }
        return null;
      };
      report.explain_text = await until(frameText, 20, 'the explanation view');
      await sleep(500);
      report.explain_tab = await page.$$eval('.tabs-container .tab', (ts) => ts.map((t) => t.getAttribute('aria-label') || t.innerText));
      check('explain_opens_a_view', report.explain_tab.some((t) => rule && t.includes(rule)));
      await shot('7-explain');
      report.explain_toasts = (await toasts()).slice(toastsBeforeExplain);
    } catch (e) {
      report.explain_error = String(e);
      check('explain_opens_a_view', false);
      await shot('7-explain-missing');
      await page.keyboard.press('Escape');
    }

    // 6. the log and the trace
    await runCommand('vblint: Show log');
    await sleep(1500);
    report.log_channel = await outputChannel();
    report.log_panel_text = await outputText();
    check('show_log_opens_the_log', /vblint lsp .*initialized/.test(report.log_panel_text));
    await shot('8-log');
    const logs = path.join(data, 'logs');
    const vblintLog = readAll(findFiles(logs, (n) => n === 'vblint.log'));
    const traceLog = readAll(findFiles(logs, (n) => /vblint trace\.log$/.test(n)));
    report.log_lines = vblintLog.split('\n').filter(Boolean);
    check('log_has_start_line_as_info', report.log_lines.some((l) => /\[info\] vblint lsp \S+: initialized/.test(l)));
    check('log_has_no_errors', report.log_lines.every((l) => !/\[error\]/.test(l)));
    report.trace_head = traceLog.split('\n').filter(Boolean).slice(0, 12);
    check('trace_records_messages', /Sending request 'initialize/.test(traceLog) && /Received response 'initialize/.test(traceLog));
    await page.keyboard.press('Escape');

    // 7. servers that cannot start: one clear message each, with a working "Show Log" button.
    // `vblint.server.path` is set in the Settings editor, as a user would; the extension restarts.
    await runCommand('Preferences: Open User Settings');
    await page.waitForSelector('.settings-editor', { timeout: 20000 });
    await sleep(1000);
    await page.keyboard.type('vblint.server.path');
    const pathInput = page.locator('.settings-editor input[aria-label="vblint.server.path"]').first();
    try {
      await pathInput.waitFor({ timeout: 5000 });
    } catch (e) {
      // code-server keeps machine settings such as this one under "Remote", not "User".
      await page.locator('.settings-editor .settings-tabs-widget .action-label', { hasText: /^Remote/ }).first().click();
      await pathInput.waitFor({ timeout: 20000 });
    }
    await sleep(1000);
    const failedStart = async (name, serverPath, says) => {
      await runCommand('Notifications: Clear All Notifications');
      await pathInput.click();
      await page.keyboard.press('Control+A');
      const since = Date.now();
      await page.keyboard.type(serverPath);
      await page.keyboard.press('Enter');
      const r = { path: serverPath };
      report[name] = r;
      let failure = null;
      try {
        failure = await until(async () => (await toasts()).find((t) => /vblint could not start/.test(t)), 30, `${name}: the message`);
      } catch (e) {
        r.error = String(e);
      }
      r.message_ms = Date.now() - since;
      await sleep(2500); // anything else that would pop up (EPIPE, "connection closed", ...)
      r.toasts = await toasts();
      check(`${name}_one_message`, !!failure && r.toasts.filter((t) => /vblint|EPIPE|connection|server/i.test(t)).length === 1);
      check(`${name}_says_what_and_how`, !!failure && says.every((x) => failure.includes(x)));
      await shot(`${name}`);
      try {
        await page.locator(TOASTS, { hasText: 'vblint could not start' }).locator('.monaco-button', { hasText: 'Show Log' }).first().click();
        await sleep(1500);
        r.log_text = await outputText();
        check(`${name}_show_log_opens_the_log`, r.log_text.includes(says[0]));
      } catch (e) {
        r.show_log_error = String(e);
        check(`${name}_show_log_opens_the_log`, false);
      }
      await shot(`${name}-log`);
    };
    const missing = path.join(tmp, 'not-installed', 'vblint');
    await failedStart('9-not-installed', missing,
      [`there is no program at "${missing}"`, 'Set "vblint.server.path"', 'cargo install --locked --path .']);
    // A program that ends at once, as a server refusing its arguments does.
    await failedStart('10-exits-at-once', '/bin/false',
      ['"/bin/false lsp" stopped straight away (exit code 1)', '"vblint.server.path"', 'cargo install --locked --path .']);
    report.status = allOk ? 'ok' : 'check_failed';
    mark('total', t00);
    return allOk ? 0 : 1;
  } catch (e) {
    report.status = 'error';
    report.error = String((e && e.stack) || e);
    try {
      if (page) {
        await shot('error');
        report.notifications = await toasts();
      }
    } catch (_) { /* the page is gone */ }
    return /timeout/.test(report.error) ? 2 : 3;
  } finally {
    if (browser) await browser.close().catch(() => {});
    cs.kill('SIGTERM');
    report.code_server_log_tail = csLog.join('').split('\n').slice(-15);
    fs.writeFileSync(path.join(o.out, 'ui_report.json'), JSON.stringify(report, null, 1) + '\n');
    console.error(`${report.status}: ${JSON.stringify(report.checks)} -> ${path.join(o.out, 'ui_report.json')}`);
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

main().then((c) => process.exit(c), (e) => { console.error(e); process.exit(3); });
