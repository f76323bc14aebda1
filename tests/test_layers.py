"""The code's layers run one way and hold no circle (pyproject.toml, [tool.importlinter])."""

import subprocess
import sys
from pathlib import Path

from tests.live import ROOT


def test_no_import_runs_up_the_layers_or_in_a_circle():
    # In a process of its own: import-linter configures logging, which the other tests read.
    lint_imports = Path(sys.executable).parent / "lint-imports"
    r = subprocess.run([str(lint_imports), "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stdout + r.stderr
