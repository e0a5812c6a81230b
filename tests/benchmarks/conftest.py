"""Lets `pytest tests/benchmarks -o addopts=""` collect the bench_*.py scripts.

The default test run never gets here (pyproject's addopts has --ignore=tests/benchmarks).
Each script's test function runs the benchmark and prints its table; none asserts a time.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))  # for `import _build`


def pytest_collect_file(parent: pytest.Collector, file_path: Path) -> pytest.Module | None:
    # A file named on the command line is collected by pytest itself; adding it here too
    # would run it twice.
    if (
        file_path.suffix == ".py"
        and file_path.name.startswith("bench_")
        and not parent.session.isinitpath(file_path)
    ):
        return pytest.Module.from_parent(parent, path=file_path)
    return None
