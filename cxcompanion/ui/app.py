"""Starting the desktop app: platform checks, the QApplication, the profile, the window."""

from __future__ import annotations

import ctypes.util
import os
import shutil
import sys
import tempfile
from pathlib import Path

from cxcompanion import resources
from cxcompanion.appdirs import APPLICATION, ORGANISATION, default_profile_dir

# On Debian/Ubuntu, Qt's X11 plugin needs these beside what a desktop already has; when one
# is missing Qt aborts with a message few users can act on, so we say it first.
_XCB_LIBRARIES = {
    "xcb-cursor": "libxcb-cursor0",
    "xcb-icccm": "libxcb-icccm4",
    "xcb-keysyms": "libxcb-keysyms1",
    "xkbcommon-x11": "libxkbcommon-x11-0",
}


def platform_problem() -> str | None:
    """Why a window cannot open here, in one line with the fix; None when all is well."""
    if not sys.platform.startswith("linux") or os.environ.get("QT_QPA_PLATFORM"):
        return None
    if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
        return (
            "No display: start CX Companion from a desktop session "
            "(or set QT_QPA_PLATFORM=offscreen for headless use)."
        )
    if os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
        missing = [pkg for lib, pkg in _XCB_LIBRARIES.items() if not ctypes.util.find_library(lib)]
        if missing:
            return (
                "Qt needs system libraries that are missing: "
                f"run `sudo apt-get install {' '.join(missing)}` and start again."
            )
    return None


def run_app(profile_dir: Path | None = None, demo: bool = False) -> int:
    problem = platform_problem()
    if problem:
        print(f"cxcompanion: error: {problem}", file=sys.stderr)
        return 1
    from PySide6.QtWidgets import QApplication, QMessageBox

    from cxcompanion.services.profile import Profile
    from cxcompanion.store.errors import StoreError
    from cxcompanion.ui.main_window import MainWindow

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setOrganizationName(ORGANISATION)
    app.setApplicationName(APPLICATION)
    app.setApplicationDisplayName("CX Companion")
    app.setStyleSheet(resources.path("style/app.qss").read_text(encoding="utf-8"))
    try:
        if demo:
            from cxcompanion.services.demo import fill_demo_profile

            profile = Profile(tempfile.mkdtemp(prefix="cxcompanion-demo-"))
            fill_demo_profile(profile)
        else:
            profile = Profile(profile_dir or default_profile_dir())
    except StoreError as exc:
        print(f"cxcompanion: error: {exc}", file=sys.stderr)
        QMessageBox.critical(None, "CX Companion", str(exc))
        return 1
    window = MainWindow(profile, demo=demo)
    window.show()
    try:
        return app.exec()
    finally:
        profile.close()
        if demo:
            shutil.rmtree(profile.folder, ignore_errors=True)
