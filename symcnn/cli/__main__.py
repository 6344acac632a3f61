"""``python -m symcnn.cli``: the ``symcnn`` command."""

import sys

from . import main

sys.exit(main())
