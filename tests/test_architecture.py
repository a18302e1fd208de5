"""The import contract (pyproject.toml, [tool.importlinter]; docs/ARCHITECTURE.md): layers import
only downward, transforms and parsers are pure, the generator is independent, no import circles."""
import subprocess
import sys
from pathlib import Path

from pipelines.core.config import PROJECT_ROOT


def test_the_import_contract_is_kept():
    lint = Path(sys.executable).parent / "lint-imports"
    proc = subprocess.run([str(lint), "--no-cache"], cwd=PROJECT_ROOT, capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-1000:]
    assert "6 kept, 0 broken" in proc.stdout
