"""The Qt binding we install must not corrupt Python's reference counts.

PySide6 6.12.0 drops a reference to None on every call of a method that returns nothing
(setText, update, processEvents, ...). Where None is not immortal (Python < 3.12) the
process aborts with "deallocating None" after a few thousand such calls: minutes into a
shift. pyproject.toml excludes that release; this test fails if a broken one comes back.
"""

from __future__ import annotations

import os
import subprocess
import sys

CODE = """
import sys
from PySide6.QtWidgets import QApplication, QLabel
app = QApplication([])
label = QLabel()
before = sys.getrefcount(None)
for _ in range(2000):
    label.setText("x")
    label.update()
    app.processEvents()
print(sys.getrefcount(None) - before)
"""


def test_void_calls_leave_the_reference_count_of_none_alone():
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    result = subprocess.run(
        [sys.executable, "-c", CODE], capture_output=True, text=True, env=env, timeout=60
    )
    assert result.returncode == 0, "the Qt binding crashed Python:\n" + result.stderr[-2000:]
    # 6,000 void calls: a broken binding drops None's count by about that much
    assert int(result.stdout.strip()) > -100
