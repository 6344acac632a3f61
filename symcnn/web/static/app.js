// The playground page: the view (editor and fields, kept in the URL), a scheduler that asks the
// worker for one thing at a time (numbers first, then the exports, the curve, the formulas), and
// the renderers. Counts arrive as strings of digits (exact: a JavaScript number is not above
// 2^53) and are shown as they are; only the chart's drawing uses floating point.
// Nothing the user types is written as markup: every text goes in through textContent.

const $ = (id) => document.getElementById(id);
const FIELDS = ["text", "at", "set", "width", "axis", "lo", "hi", "quantity"];
const RANGES = { resolution: ["32", "512"], width: ["1/4", "2"] };
const EXAMPLE = { text: "conv3-64 x2, pool2, conv3-128 x2, pool2, fc-4096, fc-K", at: "224x224x3", set: "K=1000" };
const DEBOUNCE_MS = 250;
const worker = new Worker(new URL("./worker.js", import.meta.url), { type: "module" });
const timings = {};
window.symcnnTimings = timings; // read by the browser test
let models = { models: {}, files: {} };
let latest = {}; // op -> the answer for the current view, once it came
let exportsText = null;

// ---- the view ---------------------------------------------------------------------------------

function view() {
  const v = {};
  for (const name of FIELDS) v[name] = $(name).value;
  return v;
}

function setView(v) {
  for (const name of FIELDS) if (v[name] !== undefined) $(name).value = v[name];
  if (!$("lo").value || !$("hi").value) [$("lo").value, $("hi").value] = RANGES[$("axis").value];
}

function writeUrl() {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(view())) if (value) params.set(name, value);
  if ($("model").value) params.set("model", $("model").value);
  // In the fragment: a link carries the whole view and no server ever sees it.
  history.replaceState(null, "", "#" + params.toString());
}

function readUrl() {
  const params = new URLSearchParams(location.hash.slice(1));
  if (!params.has("text")) return null;
  const v = {};
  for (const name of FIELDS) v[name] = params.get(name) ?? "";
  v.model = params.get("model") ?? "";
  return v;
}

const requests = {
  numbers: (v) => ({ text: v.text, at: v.at, set: v.set, width: v.width }),
  exports: (v) => ({ text: v.text, at: v.at, set: v.set, width: v.width }),
  formulas: (v) => ({ text: v.text, set: v.set, width: v.width }),
  // Not the point on the axis itself: moving the slider moves along the curve, it does not redraw it.
  curve: (v) => v.axis === "resolution"
    ? { text: v.text, set: v.set, axis: v.axis, lo: v.lo, hi: v.hi, count: 48, width: v.width, channels: channels(v.at) }
    : { text: v.text, set: v.set, axis: v.axis, lo: v.lo, hi: v.hi, count: 48, at: v.at },
};
const ORDER = ["numbers", "exports", "curve", "formulas"];

// ---- the scheduler: one request in flight, only the newest view's ----------------------------

let inFlight = null;
let nextId = 1;
const sent = {}; // op -> the request string last asked for

function pump() {
  if (inFlight) return;
  const v = view();
  for (const op of ORDER) {
    const request = JSON.stringify(requests[op](v));
    if (sent[op] === request) continue;
    if (op !== "numbers" && !latest.numbers) return; // nothing else before the first numbers
    sent[op] = request;
    inFlight = { id: nextId++, op, request };
    worker.postMessage(inFlight);
    if (op === "numbers") status("analysing…");
    return;
  }
}

let timer = null;
function changed() {
  writeUrl();
  clearTimeout(timer);
  timer = setTimeout(() => { timer = null; pump(); }, DEBOUNCE_MS);
}

// Whether everything shown is for the view as it is now (the browser test waits for it).
window.symcnnIdle = () => !inFlight && timer === null && !typesetting && ORDER.every((op) => sent[op] === JSON.stringify(requests[op](view())));

worker.onmessage = (event) => {
  const message = event.data;
  if (message.op === "timing") {
    timings[message.name] = Math.round(message.ms - performance.timeOrigin);
    status(message.name === "pyodide" ? "Python ready, loading symcnn…" : null);
    return;
  }
  if (!inFlight || message.id !== inFlight.id) return;
  const { op, request } = inFlight;
  inFlight = null;
  if (JSON.stringify(requests[op](view())) === request) {
    const answer = JSON.parse(message.answer);
    latest[op] = answer;
    RENDER[op](answer);
    if (timings["first " + op] === undefined) timings["first " + op] = Math.round(performance.now());
    status(null);
  }
  pump();
};

function status(text) {
  const t = timings;
  $("status").textContent = text ?? [
    t.pyodide !== undefined ? `Pyodide ready ${(t.pyodide / 1000).toFixed(1)} s` : null,
    t["first numbers"] !== undefined ? `first numbers ${(t["first numbers"] / 1000).toFixed(1)} s` : null,
    t.sympy !== undefined ? `SymPy ${(t.sympy / 1000).toFixed(1)} s` : null,
  ].filter(Boolean).join(" · ");
}

// ---- rendering ---------------------------------------------------------------------------------

function el(tag, text, cls) {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = text;
  if (cls) node.className = cls;
  return node;
}

function grouped(value) {
  if (typeof value === "string" && /^-?\d+$/.test(value)) return BigInt(value).toLocaleString("en-US");
  return String(value);
}

function showError(error) {
  for (const name of ["text", "at", "set", "width", "lo", "hi"]) $(name).classList.remove("invalid");
  const backdrop = $("backdrop");
  backdrop.replaceChildren(document.createTextNode($("text").value));
  $("error").hidden = !error;
  if (!error) return;
  $("error-shown").textContent = error.shown ?? error.message;
  const field = error.field === "axis" ? "lo" : error.field;
  if ($(field)) $(field).classList.add("invalid");
  if (error.field === "text" && error.line && error.column) {
    // The editor's own text, with the character at the error's line and column marked.
    const text = $("text").value;
    const lines = text.split("\n");
    let offset = lines.slice(0, error.line - 1).reduce((n, line) => n + line.length + 1, 0) + error.column - 1;
    offset = Math.min(offset, text.length);
    const mark = el("mark", text.slice(offset, offset + 1) || " ");
    mark.id = "error-mark";
    mark.dataset.offset = String(offset);
    backdrop.replaceChildren(document.createTextNode(text.slice(0, offset)), mark,
                             document.createTextNode(text.slice(offset + 1)));
  }
}

const TOTALS = [["params", "params"], ["weights", "weights"], ["biases", "biases"], ["buffers", "buffers (BN statistics)"],
  ["macs", "MACs"], ["flops", "FLOPs"], ["activations", "activations"], ["activation_bytes", "activation bytes"],
  ["param_bytes", "parameter bytes"]];

function renderNumbers(answer) {
  showError(answer.error);
  for (const id of ["copy-latex", "copy-markdown", "copy-csv", "download-json"]) $(id).disabled = true;
  exportsText = null;
  if (answer.error) {
    // No numbers of an earlier view beside the error: they would look like this one's.
    $("where").textContent = "";
    $("totals").replaceChildren();
    $("conventions").replaceChildren();
    $("layers").tBodies[0].replaceChildren();
    return;
  }
  const input = answer.input;
  $("where").textContent = `at ${grouped(input.H)}×${grouped(input.W)}×${grouped(input.C)}` +
    Object.entries(answer.values).map(([k, v]) => `, ${k} = ${v}`).join("");
  $("totals").replaceChildren(...TOTALS.filter(([key]) => key in answer.totals).flatMap(([key, label]) => {
    const dd = el("dd", grouped(answer.totals[key]));
    dd.id = "total-" + key;
    return [el("dt", label), dd];
  }));
  $("conventions").replaceChildren(...answer.conventions.map((line) => el("li", line)));
  $("layers").tBodies[0].replaceChildren(...answer.layers.map((row) => {
    const tr = el("tr");
    const cells = [row.index, row.name, row.output.map(grouped).join("×"), row.count === "1" ? "" : row.count,
      grouped(row.params), grouped(row.macs), grouped(row.activations)];
    tr.append(...cells.map((cell) => el("td", String(cell))));
    return tr;
  }));
  marker();
}

function renderExports(answer) {
  if (answer.error) return;
  exportsText = answer;
  for (const id of ["copy-latex", "copy-markdown", "copy-csv", "download-json"]) $(id).disabled = false;
}

// ---- formulas: symcnn's LaTeX, typeset by KaTeX (served from this site) -----------------------

let katexLoaded = null;
let typesetting = 0; // formulas waiting for KaTeX
function loadKatex() {
  // Not before the first formulas: the numbers do not wait for it.
  katexLoaded ??= new Promise((resolve, reject) => {
    const css = el("link");
    css.rel = "stylesheet";
    css.href = "katex/katex.min.css";
    const script = el("script");
    script.src = "katex/katex.min.js";
    script.onload = resolve;
    script.onerror = () => reject(new Error("katex/katex.min.js did not load"));
    document.head.append(css, script);
  });
  return katexLoaded;
}

function typeset(tex, node, display) {
  window.katex.render(tex, node, { displayMode: display, throwOnError: false, trust: false });
}

function inlineText(line) {
  // A paragraph of the derivation: text with $...$ mathematics.
  const p = el("p");
  line.split("$").forEach((part, i) => {
    if (i % 2) { const span = el("span"); typeset(part, span, false); p.append(span); }
    else p.append(document.createTextNode(part.replace(/--/g, "–").replace(/\\noindent\s*/g, "")));
  });
  return p;
}

async function renderFormulas(answer) {
  typesetting++;
  try {
    await loadKatex();
    if (latest.formulas === answer) showFormulas(answer);
  } finally {
    typesetting--;
  }
}

function showFormulas(answer) {
  if (answer.error) {
    $("summary").replaceChildren(el("p", "No formulas: " + answer.error.message, "note"));
    $("derivation").replaceChildren();
    return;
  }
  const summary = el("div");
  summary.id = "summary-math";
  typeset(answer.summary.replace(/^\$\$|\$\$$/g, ""), summary, true);
  $("summary").replaceChildren(summary);
  $("derivation").replaceChildren(...blocks(answer.derivation).map(([kind, tex]) => {
    if (kind === "text") return inlineText(tex);
    const div = el("div");
    typeset(tex, div, true);
    return div;
  }));
}

function blocks(derivation) {
  // symcnn's align* with \intertext: KaTeX has align* (a \tag* per row too) but no \intertext, so the
  // derivation is cut at each text into ["text", paragraph] and ["math", align*] blocks.
  const out = [];
  let rows = [];
  const flush = () => {
    if (rows.length) out.push(["math", "\\begin{align*}" + rows.join("\n").replace(/\\\\\s*$/, "") + "\\end{align*}"]);
    rows = [];
  };
  for (const line of derivation.split("\n")) {
    if (line.startsWith("%") || line.startsWith("\\begin{align") || line.startsWith("\\end{align")) continue;
    if (line.startsWith("\\intertext{")) { flush(); out.push(["text", line.slice(11, line.lastIndexOf("}"))]); }
    else if (line.startsWith("\\noindent")) { flush(); out.push(["text", line]); }
    else if (line.trim()) rows.push(line);
  }
  flush();
  return out;
}

// The browser test: what KaTeX refuses of a summary and a derivation (each block, each $...$ of a text).
window.symcnnKatexErrors = async (summary, derivation) => {
  await loadKatex();
  const texs = [[summary.replace(/^\$\$|\$\$$/g, ""), true]];
  for (const [kind, tex] of blocks(derivation)) {
    if (kind === "math") texs.push([tex, true]);
    else tex.split("$").forEach((part, i) => { if (i % 2) texs.push([part, false]); });
  }
  const errors = [];
  for (const [tex, display] of texs) {
    try { window.katex.renderToString(tex, { displayMode: display, throwOnError: true }); }
    catch (error) { errors.push(`${error.message}: ${tex.slice(0, 200)}`); }
  }
  return errors;
};

// ---- the cost curve: an SVG drawn here, exact values in each point's title --------------------

const number = (x) => { const [a, b] = String(x).split("/"); return b ? Number(a) / Number(b) : Number(a); };
const short = (y) => {
  for (const [unit, size] of [["G", 1e9], ["M", 1e6], ["k", 1e3]]) if (y >= size) return +(y / size).toPrecision(3) + unit;
  return String(+y.toPrecision(3));
};

function svg(tag, attributes, text) {
  const node = document.createElementNS("http://www.w3.org/2000/svg", tag);
  for (const [k, v] of Object.entries(attributes)) node.setAttribute(k, v);
  if (text !== undefined) node.textContent = text;
  return node;
}

let scale = null; // the chart's x scale, for the marker of the view's own point

function renderCurve(answer) {
  const chart = $("chart");
  chart.replaceChildren();
  scale = null;
  $("lo").classList.remove("invalid");
  if (answer.error) {
    $("curve-note").textContent = answer.error.message;
    if (answer.error.field === "axis") $("lo").classList.add("invalid");
    return;
  }
  const q = $("quantity").value;
  const good = answer.points.filter((p) => !p.error);
  const bad = answer.points.filter((p) => p.error);
  $("slider").max = String(Math.max(0, answer.points.length - 1));
  $("curve-note").textContent = bad.length ? `${bad.length} of ${answer.points.length} points not defined ` +
    `(${bad[0].x}: ${bad[0].error})` : `${answer.points.length} points, each an exact analysis; hover for the count`;
  if (!good.length) return;
  const [left, right, top, bottom] = [64, 505, 14, 208];
  const xs = good.map((p) => number(p.x));
  const ys = good.map((p) => Number(p[q]));
  const [x0, x1] = [Math.min(...xs), Math.max(...xs)];
  const y1 = Math.max(...ys) || 1;
  const px = (x) => left + (x1 === x0 ? 0.5 : (x - x0) / (x1 - x0)) * (right - left);
  const py = (y) => bottom - (y / y1) * (bottom - top);
  chart.append(svg("line", { x1: left, y1: bottom, x2: right, y2: bottom, class: "axis" }),
               svg("line", { x1: left, y1: top, x2: left, y2: bottom, class: "axis" }));
  for (const y of [0, y1 / 2, y1]) chart.append(svg("text", { x: left - 6, y: py(y) + 4, "text-anchor": "end" }, short(y)));
  for (const p of [good[0], good[good.length - 1]]) {
    chart.append(svg("text", { x: px(number(p.x)), y: bottom + 16, "text-anchor": "middle" }, p.x));
  }
  chart.append(svg("text", { x: (left + right) / 2, y: bottom + 30, "text-anchor": "middle" },
                   $("axis").value === "resolution" ? "R" : "width multiplier"));
  chart.append(svg("polyline", { class: "series", points: good.map((p, i) => `${px(xs[i])},${py(ys[i])}`).join(" ") }));
  scale = { px, x0, x1, top, bottom };
  good.forEach((p, i) => {
    const dot = svg("circle", { cx: px(xs[i]), cy: py(ys[i]), r: 3, class: "point", "data-x": p.x });
    dot.append(svg("title", {}, `${p.x}: ${grouped(p[q])} ${$("quantity").selectedOptions[0].textContent}`));
    chart.append(dot);
  });
  marker();
}

function currentX() {
  if ($("axis").value === "width") return $("width").value.trim() || "1";
  const m = /^\s*(\d+)x(\d+)x/.exec($("at").value);
  return m && m[1] === m[2] ? m[1] : null;
}

function marker() {
  const x = currentX();
  for (const dot of $("chart").querySelectorAll("circle")) dot.classList.toggle("here", dot.dataset.x === x);
  const points = latest.curve?.points ?? [];
  const i = points.findIndex((p) => p.x === x);
  if (i >= 0) $("slider").value = String(i);
  $("here-line")?.remove();
  if (scale && x !== null && number(x) >= scale.x0 && number(x) <= scale.x1) {
    const at = scale.px(number(x));
    const line = svg("line", { x1: at, y1: scale.top, x2: at, y2: scale.bottom, class: "here-line" });
    line.id = "here-line";
    $("chart").prepend(line);
  }
  $("slider-value").textContent = x === null ? "" : ($("axis").value === "width" ? `width × ${x}` : `R = ${x}`);
}

function channels(at) {
  return /x\s*(\d+)\s*$/.exec(at)?.[1] ?? "";
}

function slide() {
  const point = latest.curve?.points?.[Number($("slider").value)];
  if (!point) return;
  if ($("axis").value === "width") $("width").value = point.x === "1" ? "" : point.x;
  else {
    $("at").value = `${point.x}x${point.x}x${channels($("at").value) || latest.numbers?.input?.C || "3"}`;
  }
  marker();
  changed();
}

const RENDER = { numbers: renderNumbers, exports: renderExports, formulas: renderFormulas, curve: renderCurve };

// ---- buttons -----------------------------------------------------------------------------------

async function copy(what, text) {
  try {
    await navigator.clipboard.writeText(text);
    $("copied").textContent = `${what} copied (${text.length.toLocaleString("en-US")} characters)`;
  } catch (error) {
    $("copied").textContent = `${what} could not be copied: ${error.message}`;
  }
}

function download() {
  const blob = new Blob([exportsText.json], { type: "application/json" });
  const a = el("a");
  a.href = URL.createObjectURL(blob);
  a.download = `${$("model").value || "network"}.json`;
  a.click();
  setTimeout(() => URL.revokeObjectURL(a.href), 1000);
}

function pickModel() {
  const m = models.models[$("model").value];
  if (!m) return;
  setView({ text: models.files[m.file], at: m.at, set: m.set, width: "" });
  changed();
}

// ---- start -------------------------------------------------------------------------------------

async function start() {
  models = await (await fetch("models.json")).json();
  for (const [name, m] of Object.entries(models.models)) {
    const option = el("option", name);
    option.value = name;
    option.title = m.description;
    $("model").append(option);
  }
  const from = readUrl();
  if (from?.model && models.models[from.model]) $("model").value = from.model;
  setView(from ?? EXAMPLE);
  showError(null);
  changed();
  const build = await (await fetch("build.json")).json();
  $("footer").textContent += ` Pyodide ${build.pyodide}, SymPy ${build.wheels.sympy}, lark ${build.wheels.lark}, ` +
    `KaTeX ${build.katex}.`;
}

$("text").addEventListener("input", () => { $("model").value = ""; }); // before the URL is written
for (const name of ["text", "at", "set", "width", "lo", "hi", "quantity"]) $(name).addEventListener("input", changed);
$("text").addEventListener("scroll", () => { $("backdrop").scrollTop = $("text").scrollTop; });
$("axis").addEventListener("change", () => { [$("lo").value, $("hi").value] = RANGES[$("axis").value]; changed(); });
$("quantity").addEventListener("change", () => latest.curve && renderCurve(latest.curve));
$("slider").addEventListener("input", slide);
$("model").addEventListener("change", pickModel);
$("copy-latex").addEventListener("click", () => copy("LaTeX", exportsText.latex));
$("copy-markdown").addEventListener("click", () => copy("Markdown", exportsText.markdown));
$("copy-csv").addEventListener("click", () => copy("CSV", exportsText.csv));
$("copy-link").addEventListener("click", () => copy("Link", location.href));
$("download-json").addEventListener("click", download);
start();
