"""Files shipped with symcnn: the grammar and the built-in models.

In a wheel they live inside the package (``symcnn/grammar``, ``symcnn/examples``);
in a source checkout or an editable install, at the top of the repository.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def data_dir(name: str) -> Path:
    """The folder ``grammar`` or ``examples``, wherever this installation keeps it."""
    for candidate in (_PACKAGE / name, _PACKAGE.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"symcnn is installed without its {name}/ folder")
