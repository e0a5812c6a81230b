"""The installed package (a non-editable `pip install .`) carries resources/ and its command."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _installed_location(tmp_path) -> Path | None:
    """Where `import cxcompanion` resolves outside the checkout, or None if not installed."""
    result = subprocess.run(
        [sys.executable, "-c", "import cxcompanion; print(cxcompanion.__file__)"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={k: v for k, v in os.environ.items() if k != "PYTHONPATH"},
    )
    if result.returncode != 0:
        return None
    return Path(result.stdout.strip()).parent


def test_the_installed_wheel_ships_resources_and_the_command(tmp_path):
    location = _installed_location(tmp_path)
    if location is None or location == ROOT / "cxcompanion":
        pytest.skip("cxcompanion is not installed from a wheel here (editable or not installed)")
    assert (location / "_resources" / "taxonomy" / "default.json").is_file()
    assert (location / "_resources" / "demo" / "phrases.json").is_file()
    command = Path(sys.executable).parent / "cxcompanion"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "TMPDIR": str(tmp_path)}
    env.pop("PYTHONPATH", None)
    result = subprocess.run(
        [str(command), "--profile", str(tmp_path / "p"), "taxonomy", "--format", "json"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert len(json.loads(result.stdout)["purposes"]) >= 30


def test_resources_are_found_from_the_checkout_too():
    from cxcompanion import resources

    assert resources.path("taxonomy/default.json").is_file()
    with pytest.raises(FileNotFoundError, match="reinstall"):
        resources.path("no/such/file.json")
