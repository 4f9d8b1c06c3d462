// The content script: runs in every frame of the sites the settings allow.
// It finds the fields a person types into (textareas, text inputs that are
// not passwords, contenteditable regions, which is what TinyMCE, CKEditor 5
// and Quill edit), sends a field's text to the service worker when typing
// pauses, and draws the findings as underlines in an overlay: one element
// with an open shadow root at the end of the document, outside every field,
// so neither a field's DOM nor its value is touched. A card on hover or
// click says why and what to write instead; "Apply" replaces the words
// through the page's own editing (execCommand insertText), so Ctrl+Z
// undoes it.

const IDLE_MS = 400;
const SKIP_INPUT_TYPES = new Set([
  "password", "hidden", "checkbox", "radio", "file", "button", "submit", "reset",
  "image", "range", "color", "date", "datetime-local", "month", "week", "time",
  "number", "email", "url", "tel",
]);
const BLOCK = new Set([
  "ADDRESS", "ARTICLE", "ASIDE", "BLOCKQUOTE", "DD", "DIV", "DL", "DT", "FIGCAPTION",
  "FIGURE", "FOOTER", "FORM", "H1", "H2", "H3", "H4", "H5", "H6", "HEADER", "HR", "LI",
  "MAIN", "NAV", "OL", "P", "PRE", "SECTION", "TABLE", "TD", "TH", "TR", "UL",
]);
const COLOURS = { error: "#c62828", warning: "#d9480f", info: "#1c7ed6", hint: "#868e96" };

/** Sends a message to the service worker; null when the extension is gone (reloaded). */
async function ask(msg) {
  try {
    const r = await chrome.runtime.sendMessage(msg);
    return r && !r.error ? r : null;
  } catch {
    return null;
  }
}

// ---------------------------------------------------------------- fields

/** The field an event target belongs to, or null. */
function fieldOf(target) {
  if (!(target instanceof Element)) return null;
  if (target instanceof HTMLTextAreaElement) return target.readOnly ? null : target;
  if (target instanceof HTMLInputElement) {
    const type = (target.getAttribute("type") || "text").toLowerCase();
    return SKIP_INPUT_TYPES.has(type) || target.readOnly ? null : target;
  }
  if (target.isContentEditable) {
    // The outermost editable element: the editor's root.
    let root = target;
    while (root.parentElement && root.parentElement.isContentEditable) root = root.parentElement;
    return root;
  }
  return null;
}

const isTextControl = (el) => el instanceof HTMLTextAreaElement || el instanceof HTMLInputElement;

/**
 * The text of a contenteditable region as the scanner reads it: its text
 * nodes in order, a line break between blocks and for <br>. `pieces` maps
 * each stretch of the string back to its text node.
 */
function editableText(root) {
  let text = "";
  const pieces = [];
  const newline = () => {
    if (text.length && !text.endsWith("\n")) text += "\n";
  };
  const walk = (node) => {
    for (let n = node.firstChild; n; n = n.nextSibling) {
      if (n.nodeType === Node.TEXT_NODE) {
        pieces.push({ node: n, at: text.length });
        text += n.data;
      } else if (n.nodeType === Node.ELEMENT_NODE) {
        const tag = n.tagName;
        if (tag === "BR") {
          text += "\n";
          continue;
        }
        if (tag === "SCRIPT" || tag === "STYLE" || n.getAttribute("contenteditable") === "false") continue;
        const block = BLOCK.has(tag);
        if (block) newline();
        walk(n);
        if (block) newline();
      }
    }
  };
  walk(root);
  return { text, pieces };
}

/** The DOM position of UTF-16 offset `at` in an editable's text. */
function domPoint(pieces, at, end) {
  let best = null;
  for (const p of pieces) {
    const len = p.node.data.length;
    if (at >= p.at && at <= p.at + len) {
      // At a boundary, a start belongs to the next node and an end to this one.
      if (!end && at === p.at + len && best === null) {
        best = { node: p.node, offset: len };
        continue;
      }
      return { node: p.node, offset: at - p.at };
    }
    if (p.at > at) break;
  }
  return best;
}

function editableRange(pieces, start, end) {
  const a = domPoint(pieces, start, false);
  const b = domPoint(pieces, end, true);
  if (!a || !b) return null;
  const r = a.node.ownerDocument.createRange();
  r.setStart(a.node, a.offset);
  r.setEnd(b.node, b.offset);
  return r;
}

function fieldText(field) {
  return isTextControl(field) ? field.value : editableText(field).text;
}

// ---------------------------------------------------------------- overlay

let host = null;
let shadow = null;
let layer = null;
let mirror = null;

function overlay() {
  if (host && host.isConnected) return;
  host = document.createElement("vblint-overlay");
  host.setAttribute("style", "all: initial; position: fixed; inset: 0; pointer-events: none; z-index: 2147483647;");
  shadow = host.attachShadow({ mode: "open" });
  shadow.innerHTML = `<style>
    .u { position: fixed; height: 2px; pointer-events: none; }
    .u[data-quoted] { opacity: .45; }
    .m { position: fixed; visibility: hidden; overflow: hidden; pointer-events: none; }
    .card { position: fixed; pointer-events: auto; max-width: 380px; background: #fff; color: #1b1b1b;
      font: 14px/1.4 system-ui, sans-serif; border: 1px solid #adb5bd; border-radius: 6px;
      box-shadow: 0 4px 16px rgba(0,0,0,.2); padding: 10px 12px; }
    .card h2 { font-size: 13px; margin: 0 0 4px; color: #495057; font-weight: 600; }
    .card p { margin: 4px 0; }
    .card ul { margin: 4px 0; padding-left: 18px; }
    .card button { font: inherit; margin: 4px 6px 0 0; padding: 3px 8px; cursor: pointer; }
    .card .why { color: #343a40; }
  </style><div class="layer"></div><div class="m"></div>`;
  layer = shadow.querySelector(".layer");
  mirror = shadow.querySelector(".m");
  document.documentElement.appendChild(host);
}

const MIRRORED = [
  "boxSizing", "width", "height", "paddingTop", "paddingRight", "paddingBottom", "paddingLeft",
  "borderTopWidth", "borderRightWidth", "borderBottomWidth", "borderLeftWidth", "borderTopStyle",
  "borderRightStyle", "borderBottomStyle", "borderLeftStyle", "fontFamily", "fontSize", "fontWeight",
  "fontStyle", "fontVariant", "fontStretch", "letterSpacing", "lineHeight", "textTransform",
  "textIndent", "textAlign", "wordSpacing", "tabSize", "direction", "overflowWrap", "wordBreak",
];

/**
 * The screen rectangles of [start, end) of a textarea's or input's value:
 * measured on a copy of its text in an invisible element with the same box
 * and font, placed and scrolled exactly as the field.
 */
function controlRects(field, start, end) {
  const cs = getComputedStyle(field);
  const box = field.getBoundingClientRect();
  for (const k of MIRRORED) mirror.style[k] = cs[k];
  mirror.style.borderColor = "transparent";
  mirror.style.left = `${box.left}px`;
  mirror.style.top = `${box.top}px`;
  mirror.style.width = `${box.width}px`;
  mirror.style.height = `${box.height}px`;
  mirror.style.boxSizing = "border-box";
  const single = field instanceof HTMLInputElement;
  mirror.style.whiteSpace = single ? "pre" : "pre-wrap";
  if (!single) mirror.style.overflowWrap = cs.overflowWrap === "normal" ? "break-word" : cs.overflowWrap;
  mirror.style.overflowY = single ? "hidden" : "scroll";
  // The textarea's scrollbar takes width from its text; so does the mirror's.
  if (!single && field.scrollHeight <= field.clientHeight) mirror.style.overflowY = "hidden";
  const value = field.value;
  mirror.textContent = "";
  const node = document.createTextNode(value + (single ? "" : "\n"));
  mirror.appendChild(node);
  if (single) {
    // An input centres its one line vertically.
    mirror.style.lineHeight = `${field.clientHeight - parseFloat(cs.paddingTop) - parseFloat(cs.paddingBottom)}px`;
  }
  mirror.scrollTop = field.scrollTop;
  mirror.scrollLeft = field.scrollLeft;
  const r = document.createRange();
  r.setStart(node, Math.min(start, value.length));
  r.setEnd(node, Math.min(end, value.length));
  const rects = Array.from(r.getClientRects());
  const clip = innerBox(field, cs);
  return { rects, clip };
}

/** The part of a field where its text shows (inside borders and scrollbars). */
function innerBox(field, cs = getComputedStyle(field)) {
  const box = field.getBoundingClientRect();
  const left = box.left + parseFloat(cs.borderLeftWidth);
  const top = box.top + parseFloat(cs.borderTopWidth);
  return { left, top, right: left + field.clientWidth, bottom: top + field.clientHeight };
}

// ---------------------------------------------------------------- state

/** Per field: { text, findings, pieces, timer, version }. */
const states = new WeakMap();
const tracked = new Set();
let card = null;
let cardFor = null;

function stateOf(field) {
  let s = states.get(field);
  if (!s) {
    s = { text: null, findings: [], pieces: null, timer: 0, version: 0 };
    states.set(field, s);
    tracked.add(field);
  }
  return s;
}

function schedule(field, delay = IDLE_MS) {
  const s = stateOf(field);
  clearTimeout(s.timer);
  s.timer = setTimeout(() => scan(field), delay);
}

async function scan(field) {
  const s = stateOf(field);
  const version = ++s.version;
  const text = fieldText(field);
  if (text === s.text) {
    draw();
    return;
  }
  const r = await ask({ type: "check", text });
  if (!r || version !== s.version) return;
  s.text = text;
  s.findings = r.findings;
  draw();
}

// ---------------------------------------------------------------- drawing

let frame = 0;
function redrawSoon() {
  if (frame) return;
  frame = requestAnimationFrame(() => {
    frame = 0;
    draw();
  });
}

/** Each finding's rectangles, for drawing and for the pointer. */
let drawn = [];

function draw() {
  overlay();
  layer.textContent = "";
  drawn = [];
  for (const field of tracked) {
    if (!field.isConnected) {
      tracked.delete(field);
      continue;
    }
    const s = states.get(field);
    if (!s || !s.findings.length) continue;
    // Findings of a text the field no longer holds would sit on the wrong words.
    const now = fieldText(field);
    if (now !== s.text) continue;
    let clip;
    let rectsOf;
    if (isTextControl(field)) {
      rectsOf = (f) => {
        const m = controlRects(field, f.startUtf16, f.endUtf16);
        clip = m.clip;
        return m.rects;
      };
      clip = innerBox(field);
    } else {
      const { pieces } = editableText(field);
      s.pieces = pieces;
      clip = field.getBoundingClientRect();
      rectsOf = (f) => {
        const r = editableRange(pieces, f.startUtf16, f.endUtf16);
        return r ? Array.from(r.getClientRects()) : [];
      };
    }
    for (const f of s.findings) {
      const rects = rectsOf(f).filter((q) => q.width > 0);
      const shown = [];
      for (const q of rects) {
        const left = Math.max(q.left, clip.left);
        const right = Math.min(q.right, clip.right);
        const bottom = q.bottom - 1;
        if (right <= left || bottom < clip.top || bottom > clip.bottom + 1) continue;
        const u = document.createElement("div");
        u.className = "u";
        u.dataset.vblintRule = f.rule;
        if (f.quoted) u.dataset.quoted = "";
        u.style.left = `${left}px`;
        u.style.top = `${Math.round(bottom - 2)}px`;
        u.style.width = `${right - left}px`;
        u.style.background = COLOURS[f.severity] ?? COLOURS.warning;
        u.title = f.message;
        layer.appendChild(u);
        shown.push({ left, right, top: q.top, bottom: q.bottom });
      }
      if (shown.length) drawn.push({ field, finding: f, rects: shown });
    }
  }
  if (card && cardFor && !drawn.some((d) => d.finding === cardFor.finding)) closeCard();
}

// ---------------------------------------------------------------- card

function hit(x, y) {
  for (const d of drawn) {
    for (const q of d.rects) {
      if (x >= q.left && x <= q.right && y >= q.top && y <= q.bottom + 2) return d;
    }
  }
  return null;
}

/**
 * Puts the card below the underlined words, or above them, or where it fits
 * in a small frame (an editor's iframe), scrolling inside itself if needed.
 */
function place(el, q) {
  el.style.maxWidth = `${Math.min(380, innerWidth - 8)}px`;
  el.style.maxHeight = `${innerHeight - 8}px`;
  el.style.overflow = "auto";
  const { width, height } = el.getBoundingClientRect();
  el.style.left = `${Math.max(4, Math.min(q.left, innerWidth - width - 4))}px`;
  let top = q.bottom + 6;
  if (top + height > innerHeight - 4) top = q.top - height - 6;
  if (top < 4) top = Math.max(4, innerHeight - height - 4);
  el.style.top = `${top}px`;
}

function closeCard() {
  card?.remove();
  card = null;
  cardFor = null;
}

async function openCard(d) {
  if (cardFor && cardFor.finding === d.finding) return;
  closeCard();
  const f = d.finding;
  cardFor = d;
  card = document.createElement("div");
  card.className = "card";
  card.setAttribute("role", "dialog");
  card.dataset.vblintCard = f.rule;
  const h = document.createElement("h2");
  h.textContent = `vblint · ${f.rule} · ${f.category}`;
  const msg = document.createElement("p");
  msg.textContent = f.message;
  const why = document.createElement("p");
  why.className = "why";
  card.append(h, msg, why);
  if (f.alternatives.length) {
    const t = document.createElement("p");
    t.textContent = "Instead:";
    const ul = document.createElement("ul");
    for (const a of f.alternatives) {
      const li = document.createElement("li");
      li.textContent = a;
      ul.appendChild(li);
    }
    card.append(t, ul);
  }
  const buttons = document.createElement("div");
  for (const fix of f.fixes ?? []) {
    const b = document.createElement("button");
    b.type = "button";
    b.dataset.vblintApply = fix.replacement;
    b.textContent = `Apply: “${fix.replacement}”`;
    b.addEventListener("click", () => apply(d.field, fix));
    buttons.appendChild(b);
  }
  const explain = document.createElement("button");
  explain.type = "button";
  explain.dataset.vblintExplain = f.rule;
  explain.textContent = "Explain";
  explain.addEventListener("click", () => ask({ type: "open-explain", rule: f.rule }));
  const close = document.createElement("button");
  close.type = "button";
  close.textContent = "Close";
  close.addEventListener("click", closeCard);
  buttons.append(explain, close);
  card.appendChild(buttons);
  // The field keeps the focus and its selection while the card is used.
  card.addEventListener("mousedown", (e) => e.preventDefault());
  shadow.appendChild(card);
  place(card, d.rects[0]);
  const r = await ask({ type: "explain", rule: f.rule });
  if (r && cardFor?.finding === f) {
    // The message is often the first sentence of why: say it once.
    const text = r.explanation.why.trim();
    why.textContent = text.startsWith(f.message.replace(/\.$/, "")) ? text.slice(f.message.length).trim() : text;
    why.hidden = why.textContent === "";
    card.dataset.vblintReady = "";
    place(card, d.rects[0]);
  }
}

/**
 * Replaces the words of a fix through the page's own editing, so the page
 * (and its editor) sees ordinary typing and Ctrl+Z undoes it. Nothing is
 * changed if the text moved since the scan.
 *
 * A textarea or input: select the words, execCommand("insertText"). A
 * contenteditable region: select the words, then offer a `beforeinput`
 * event of type insertText, which editors with their own document model
 * (CKEditor 5 and others) take and apply through their model and undo
 * stack; where no editor takes it, execCommand("insertText") edits the
 * DOM as typing does (plain regions, TinyMCE, Quill), marked as a
 * replacement for editors that keep their own undo history.
 */
async function apply(field, fix) {
  const s = stateOf(field);
  if (fieldText(field) !== s.text) {
    closeCard();
    schedule(field, 0);
    return;
  }
  closeCard();
  field.focus();
  const doc = field.ownerDocument;
  if (isTextControl(field)) {
    field.setSelectionRange(fix.startUtf16, fix.endUtf16);
    doc.execCommand("insertText", false, fix.replacement);
  } else {
    const select = () => {
      const range = editableRange(editableText(field).pieces, fix.startUtf16, fix.endUtf16);
      if (!range) return false;
      const sel = doc.getSelection();
      sel.removeAllRanges();
      sel.addRange(range);
      return true;
    };
    if (!select()) return;
    // Editors read the new selection on the next selectionchange event.
    await new Promise((r) => setTimeout(r, 60));
    if (fieldText(field) !== s.text || !select()) return;
    await new Promise((r) => setTimeout(r, 60));
    const before = new InputEvent("beforeinput", {
      inputType: "insertText",
      data: fix.replacement,
      bubbles: true,
      cancelable: true,
      composed: true,
    });
    const taken = !field.dispatchEvent(before);
    if (!taken && fieldText(field) === s.text) {
      // Editors that keep their own undo history from the DOM (TinyMCE)
      // take an input event of type insertReplacementText, which is what
      // the browser's own spelling corrections send, as an undo step: one
      // before, so the text as typed is a step of its own, and one after.
      const checkpoint = () =>
        field.dispatchEvent(new InputEvent("input", { inputType: "insertReplacementText", bubbles: true, composed: true }));
      checkpoint();
      doc.execCommand("insertText", false, fix.replacement);
      checkpoint();
    }
  }
  schedule(field, 0);
}

// ---------------------------------------------------------------- events

function start() {
  document.addEventListener("input", (e) => {
    const field = fieldOf(e.composedPath()[0] ?? e.target);
    if (field) {
      schedule(field);
      // The underlines of the text before this change come off at once.
      redrawSoon();
    }
  }, true);
  document.addEventListener("focusin", (e) => {
    const field = fieldOf(e.composedPath()[0] ?? e.target);
    if (field) schedule(field, 50);
  }, true);
  // Editors that change their text without an input event (a toolbar
  // button, pasting through the editor's own code) still get re-checked.
  document.addEventListener("keyup", (e) => {
    const field = fieldOf(e.target);
    if (field) schedule(field);
  }, true);
  addEventListener("scroll", redrawSoon, true);
  addEventListener("resize", redrawSoon);
  new ResizeObserver(redrawSoon).observe(document.documentElement);
  let hover = 0;
  document.addEventListener("mousemove", (e) => {
    clearTimeout(hover);
    const d = hit(e.clientX, e.clientY);
    if (d) hover = setTimeout(() => openCard(d), 250);
  }, true);
  document.addEventListener("mousedown", (e) => {
    if (e.composedPath().includes(host)) return;
    const d = hit(e.clientX, e.clientY);
    if (d) openCard(d);
    else closeCard();
  }, true);
  document.addEventListener("keydown", (e) => {
    if (e.key === "Escape") closeCard();
  }, true);
  // A field that already holds text when the page opens.
  const active = fieldOf(document.activeElement);
  if (active) schedule(active, 0);
}

(async () => {
  let top = null;
  try {
    top = window.top.location.href;
  } catch {
    // A cross-origin parent: the service worker knows the tab's address.
  }
  const r = await ask({ type: "runs", url: location.href, top });
  if (r?.runs) start();
})();
