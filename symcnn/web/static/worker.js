// The page's Python: Pyodide with symcnn, in a worker so that typing never waits for an analysis.
// Requests are {id, op, request} with op one of symcnn.web.page's functions (numbers, exports,
// formulas, curve) and request a JSON view; answers are {id, op, answer} (the JSON it returns).
// SymPy is unpacked on the first request that needs it (formulas), never before the first numbers.
import { loadPyodide } from "./pyodide/pyodide.mjs";

// Times are absolute (ms since the epoch): the page takes them relative to its own navigation.
const since = () => performance.timeOrigin + performance.now();
let site = null; // Pyodide's site-packages, asked of its Python

async function bundle(name) {
  const response = await fetch(`python/${name}.zip`);
  if (!response.ok) throw new Error(`python/${name}.zip: HTTP ${response.status}`);
  return response.arrayBuffer();
}

const ready = (async () => {
  const core = bundle("core"); // fetched while Pyodide starts
  const py = await loadPyodide({ indexURL: new URL("./pyodide/", import.meta.url).href });
  postMessage({ op: "timing", name: "pyodide", ms: since() });
  site = py.runPython("import sysconfig; sysconfig.get_paths()['purelib']");
  py.unpackArchive(await core, "zip", { extractDir: site });
  const page = py.pyimport("symcnn.web.page");
  postMessage({ op: "timing", name: "symcnn", ms: since() });
  return { py, page };
})();

let sympy = null;
function withSympy(py) {
  if (!sympy) postMessage({ op: "timing", name: "sympy fetch", ms: since() });
  sympy ??= bundle("sympy").then((data) => {
    py.unpackArchive(data, "zip", { extractDir: site });
    py.runPython("import sympy");
    postMessage({ op: "timing", name: "sympy", ms: since() });
  });
  return sympy;
}

const OPS = new Set(["numbers", "exports", "formulas", "curve"]);
// One request at a time, in order: Pyodide runs one thing at once anyway.
let queue = Promise.resolve();
onmessage = (event) => {
  const { id, op, request } = event.data;
  queue = queue.then(async () => {
    try {
      if (!OPS.has(op)) throw new Error(`no operation ${op}`);
      const { py, page } = await ready;
      if (op === "formulas") await withSympy(py);
      let answer;
      try {
        answer = page[op](request);
      } catch (error) {
        // Numbers where names are left are formulas: SymPy, on first need.
        if (sympy || !String(error).includes("No module named 'sympy'")) throw error;
        await withSympy(py);
        answer = page[op](request);
      }
      postMessage({ id, op, answer, ms: since() });
    } catch (error) {
      postMessage({ id, op, answer: JSON.stringify({ error: { message: String(error), field: "internal" } }) });
    }
  });
};
