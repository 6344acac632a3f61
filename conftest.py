"""Doctest collection: modules that need an optional package are left out where it is missing.

In CI every package is installed and nothing is left out (tests/conftest.py makes a missing
dependency fail there).
"""

from __future__ import annotations

import importlib.util
import os

OPTIONAL = {"symcnn/torch_export.py": "torch"}

collect_ignore = [
    path for path, package in OPTIONAL.items()
    if os.environ.get("CI") != "true" and importlib.util.find_spec(package) is None
]
