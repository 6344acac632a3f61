"""The paper workflow: analysis -> LaTeX table and derivation -> standalone .tex -> PDF (-> PNG), and Jupyter.

    python examples/paper_workflow.py [OUT_DIR]

writes into OUT_DIR (default: paper/):
  vgg16_table.tex       the booktabs table, to \\input{} in a paper (needs \\usepackage{booktabs})
  vgg16_derivation.tex  the align* derivation (needs \\usepackage{amsmath})
  vgg16.tex, vgg16.pdf  a complete document, compiled with pdflatex when it is installed
  vgg16_table.png       the table cut out of the PDF (docs/vgg16_table.png is made this way)
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import symcnn


def compile_pdf(tex: Path) -> Path:
    """pdflatex in the file's folder; the PDF's path."""
    subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", tex.name], cwd=tex.parent,
                   check=True, capture_output=True)
    return tex.with_suffix(".pdf")


def table_png(pdf: Path, png: Path, dpi: int = 110) -> None:
    """Page 1 of the PDF cut to the table (from its caption to the last note), as a PNG."""
    bbox = subprocess.run(["pdftotext", "-bbox", "-f", "1", "-l", "1", str(pdf), "-"], check=True,
                          capture_output=True, text=True).stdout
    words = [line.strip() for line in bbox.splitlines() if line.strip().startswith("<word ")]
    words = words[next(i for i, word in enumerate(words) if word.endswith(">Table</word>")):]
    boxes = [[float(part.split('"')[1]) for part in word.split()[1:5]] for word in words]
    left, top = min(b[0] for b in boxes) - 6, min(b[1] for b in boxes) - 6
    right, bottom = max(b[2] for b in boxes) + 6, max(b[3] for b in boxes) + 6
    scale = dpi / 72
    subprocess.run(["pdftoppm", "-png", "-r", str(dpi), "-singlefile", "-f", "1",
                    "-x", str(int(left * scale)), "-y", str(int(top * scale)),
                    "-W", str(int((right - left) * scale)), "-H", str(int((bottom - top) * scale)),
                    str(pdf), str(png.with_suffix(""))], check=True)


def main(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    analysis = symcnn.load("vgg16").analyze().at("224x224x3")

    # 1. Fragments for a paper: the table and the derivation.
    (out / "vgg16_table.tex").write_text(analysis.to_latex(name="VGG-16"), encoding="utf-8")
    (out / "vgg16_derivation.tex").write_text(analysis.to_latex(table=False, derive=True), encoding="utf-8")

    # 2. A width multiplier stays a symbol, printed as the paper's alpha.
    mobilenet = symcnn.load("mobilenet_v1").analyze().at("224x224x3")
    print(mobilenet.to_latex(table=False, derive=True, symbols={"a": r"\alpha"}).split(r"\intertext{Totals")[1])

    # 3. A complete document that compiles with pdflatex (texlive-latex-base/-recommended only).
    tex = out / "vgg16.tex"
    tex.write_text(analysis.to_latex(standalone=True, name="VGG-16"), encoding="utf-8")
    if shutil.which("pdflatex") and shutil.which("pdftoppm"):
        table_png(compile_pdf(tex), out / "vgg16_table.png")
        print(f"wrote {tex.with_suffix('.pdf')} and {out / 'vgg16_table.png'}")

    # 4. In Jupyter an Analysis renders itself: the last expression of a cell shows the HTML table
    #    (_repr_html_); nbconvert to PDF uses the totals display (_repr_latex_); Markdown also exists.
    #    The same calls, as the notebook makes them:
    print(analysis._repr_latex_())
    assert "<table>" in analysis._repr_html_() and analysis._repr_markdown_() == analysis.to_markdown()


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("paper"))
