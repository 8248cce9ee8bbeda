"""Typing cases run mypy in a subprocess: find the mypy of this interpreter's environment.

pytest-mypy-plugins looks mypy up on ``PATH``; ``.venv/bin/pytest`` (``make test``)
does not put ``.venv/bin`` there, so it is prepended here.
"""

import os
import sys
from pathlib import Path

_BIN = str(Path(sys.executable).parent)
if _BIN not in os.environ.get("PATH", "").split(os.pathsep):
    os.environ["PATH"] = os.pathsep.join(filter(None, (_BIN, os.environ.get("PATH"))))
