// Byte-compiles the playground's Python with Pyodide's own interpreter (its .pyc format is its
// Python's, not the one running the build) and packs each bundle into one zip for the page.
//
//   node compile.mjs PYODIDE_DIR OUT_DIR NAME=ARCHIVE[,ARCHIVE...] ...
//
// Each ARCHIVE (a wheel, or a zip of a package) is unpacked into the bundle; NAME.zip is written.
import fs from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";

const [pyodideDir, outDir, ...bundles] = process.argv.slice(2);
const { loadPyodide } = await import(pathToFileURL(path.join(pyodideDir, "pyodide.mjs")).href);
const py = await loadPyodide({ indexURL: path.resolve(pyodideDir) + "/" });

const PACK = `
import compileall, os, py_compile, shutil, zipfile
from pathlib import Path

top = Path(root)
for data in top.glob("*.data"):
    # a wheel's scripts and manual pages, installed outside site-packages: nothing the page imports
    shutil.rmtree(data)
for tests in sorted(top.glob("*/**/tests"), reverse=True):
    # a package's own test suite: never imported by the page, a third of SymPy's bytes
    shutil.rmtree(tests)
if not compileall.compile_dir(top, quiet=1, legacy=True,
                              invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH):
    raise SystemExit(f"byte-compiling {root} failed")
for source in top.rglob("*.py"):
    source.unlink()
with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
    for file in sorted(p for p in top.rglob("*") if p.is_file()):
        info = zipfile.ZipInfo(str(file.relative_to(top)), date_time=(1980, 1, 1, 0, 0, 0))
        info.compress_type = zipfile.ZIP_DEFLATED
        archive.writestr(info, file.read_bytes())
`;

for (const spec of bundles) {
  const [name, sources] = spec.split("=");
  const root = `/bundle/${name}`;
  for (const source of sources.split(",")) {
    py.unpackArchive(new Uint8Array(fs.readFileSync(source)), "zip", { extractDir: root });
  }
  py.globals.set("root", root);
  py.globals.set("target", `${root}.zip`);
  py.runPython(PACK);
  fs.writeFileSync(path.join(outDir, `${name}.zip`), py.FS.readFile(`${root}.zip`));
}
