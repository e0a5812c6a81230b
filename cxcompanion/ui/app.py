"""Starting the desktop app: platform checks, the QApplication, the profile, the window."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from cxcompanion.appdirs import APPLICATION, ORGANISATION, default_profile_dir

# On Debian/Ubuntu, Qt's X11 plugin needs these beside what a desktop already has; when one
# is missing Qt aborts with a message few users can act on, so we say it first.
_XCB_LIBRARIES = {
    "libxcb-cursor.so.0": "libxcb-cursor0",
    "libxcb-icccm.so.4": "libxcb-icccm4",
    "libxcb-keysyms.so.1": "libxcb-keysyms1",
    "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
}
# Where Debian, Ubuntu and most distributions keep shared libraries. Looking for the files
# costs microseconds; ctypes.util.find_library runs `ldconfig -p` once per library.
_LIBRARY_GLOBS = ("/usr/lib/*/{}", "/usr/lib/{}", "/usr/lib64/{}", "/lib/*/{}", "/lib/{}")


def _has_library(name: str) -> bool:
    import glob

    return any(glob.glob(pattern.format(name)) for pattern in _LIBRARY_GLOBS)


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
        missing = [pkg for lib, pkg in _XCB_LIBRARIES.items() if not _has_library(lib)]
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
    from cxcompanion.ui.theme import apply_app_theme

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setOrganizationName(ORGANISATION)
    app.setApplicationName(APPLICATION)
    app.setApplicationDisplayName("CX Companion")
    apply_app_theme(app)
    try:
        if demo:
            from cxcompanion.services.demo import open_demo_profile

            # An agent of a synced demo team in a temporary folder; closing it deletes it all.
            profile = open_demo_profile()
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
            import shutil

            shutil.rmtree(profile.folder, ignore_errors=True)
