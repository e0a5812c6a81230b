"""The convergence state machine of test_convergence.py with every first import reading
ahead in a helper process (sync/read_ahead.py), as a large first import does: the same
faults, the same converged stores."""

from __future__ import annotations

import tests.sync.test_convergence as convergence
from cxcompanion.sync import importer


class TestSyncConvergenceReadingAhead(convergence.TestSyncConvergence):
    def setUp(self) -> None:
        super().setUp()
        self._threshold = importer.READ_AHEAD_MIN_SEGMENTS
        importer.READ_AHEAD_MIN_SEGMENTS = 1  # every first import, not only large ones

    def tearDown(self) -> None:
        importer.READ_AHEAD_MIN_SEGMENTS = self._threshold
        super().tearDown()
