"""Child process for bench_startup: start a bare Qt window or the real app, report, exit.

    python _startup_driver.py bare
    python _startup_driver.py bare-qt
    python _startup_driver.py app PROFILE_DIR
    python _startup_driver.py phases PROFILE_DIR

`app` goes through the real entry point (`cxcompanion.cli.main` -> `run_app`), so whatever
start-up does today is what gets measured. A zero-delay timer, queued before the event loop
starts, fires on the loop's first turn, after `show()`: it checks that the log form holds
the keyboard focus, prints one `READY {json}` line (the parent timestamps its arrival) and
quits the loop, so the process then exits the way the app does.

`phases` repeats run_app's steps one by one with a clock around each (where the time goes).
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

STARTED = time.perf_counter()
REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))


def _third_party_modules() -> list[str]:
    tops = {name.partition(".")[0] for name in sys.modules}
    return sorted(t for t in tops if t not in sys.stdlib_module_names and not t.startswith("_"))


def _report(ok: bool, problem: str = "", **extra: object) -> None:
    report = {
        "ok": ok,
        "problem": problem,
        "in_process_ms": (time.perf_counter() - STARTED) * 1000,
        "pyqtgraph_imported": "pyqtgraph" in sys.modules,
        "sqlite_utils_imported": "sqlite_utils" in sys.modules,
        "third_party": _third_party_modules(),
        **extra,
    }
    print("READY " + json.dumps(report), flush=True)


def bare(*, qt_enums: bool = False) -> int:
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QLabel

    app = QApplication(sys.argv[:1])
    label = QLabel("CX Companion")
    if qt_enums:
        # The first use of any `Qt.` enum makes PySide6 build all ~90 enums of the Qt
        # namespace as Python enums; every real form pays this, a bare QLabel does not.
        from PySide6.QtCore import Qt

        label.setAlignment(Qt.AlignmentFlag.AlignCenter)
    label.show()

    def ready() -> None:
        app.processEvents()
        _report(label.isVisible(), "" if label.isVisible() else "the label is not shown")
        app.quit()

    QTimer.singleShot(0, ready)
    return app.exec()


def app(profile_dir: str) -> int:
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    # run_app takes an existing QApplication (`instance() or ...`); making it here lets the
    # timer be queued before run_app enters the event loop.
    qapp = QApplication(sys.argv[:1])

    def ready() -> None:
        qapp.processEvents()
        windows = [w for w in qapp.topLevelWidgets() if hasattr(w, "log_form") and w.isVisible()]
        problem = ""
        if not windows:
            problem = "no main window is shown"
        else:
            form = windows[0].log_form
            focus = qapp.focusWidget()
            if form is None:
                problem = "the main window has no log form (is the profile set up?)"
            elif focus is None or not (focus is form or form.isAncestorOf(focus)):
                problem = f"the keyboard focus is on {focus!r}, not in the log form"
            elif not form.channel.isEnabled():
                problem = "the log form's first field is disabled"
        _report(not problem, problem)
        qapp.quit()

    QTimer.singleShot(0, ready)
    from cxcompanion.cli import main

    return main(["--profile", profile_dir])


def phases(profile_dir: str) -> int:
    """run_app's steps in order, each timed; reports {phase: ms} (after a cxcompanion change
    to run_app, update this copy; `app` above always runs the real code)."""
    stamps: list[tuple[str, float]] = []
    last = time.perf_counter()

    def mark(name: str) -> None:
        nonlocal last
        now = time.perf_counter()
        stamps.append((name, (now - last) * 1000))
        last = now

    from PySide6.QtWidgets import QApplication

    mark("import PySide6.QtWidgets")
    from cxcompanion.cli import build_parser

    mark("import cxcompanion.cli")
    from cxcompanion.ui.app import platform_problem

    mark("import cxcompanion.ui.app")
    from cxcompanion.services.profile import Profile

    mark("import services.profile (+store)")
    from cxcompanion.ui.main_window import MainWindow

    mark("import ui.main_window (+log form)")
    build_parser().parse_args(["--profile", profile_dir])
    platform_problem()
    mark("parse args, platform check")
    qapp = QApplication(sys.argv[:1])
    mark("QApplication()")
    from cxcompanion.ui.theme import apply_app_theme

    apply_app_theme(qapp)
    mark("theme (font)")
    profile = Profile(profile_dir)
    mark("Profile(dir)")
    window = MainWindow(profile)
    mark("MainWindow(profile)")
    window.show()
    mark("show()")
    qapp.processEvents()
    mark("processEvents() (first layout, polish, paint)")
    _report(window.log_form is not None, phases=stamps)
    profile.close()
    return 0


if __name__ == "__main__":
    mode = sys.argv[1]
    if mode in ("bare", "bare-qt"):
        sys.exit(bare(qt_enums=mode == "bare-qt"))
    sys.exit(app(sys.argv[2]) if mode == "app" else phases(sys.argv[2]))
