"""Where a profile lives when none is named: $CXCOMPANION_PROFILE, else the platform's
app-data folder as Qt's QStandardPaths reports it (shared by the window and the CLI)."""

from __future__ import annotations

import os
from pathlib import Path

ORGANISATION = "CX Companion"
APPLICATION = "cxcompanion"
PROFILE_ENV = "CXCOMPANION_PROFILE"


def default_profile_dir() -> Path:
    named = os.environ.get(PROFILE_ENV)
    if named:
        return Path(named).expanduser()
    from PySide6.QtCore import QCoreApplication, QStandardPaths

    # QStandardPaths builds the folder from these names; set them even without an app object.
    QCoreApplication.setOrganizationName(ORGANISATION)
    QCoreApplication.setApplicationName(APPLICATION)
    location = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppDataLocation)
    return Path(location) / "profile"
