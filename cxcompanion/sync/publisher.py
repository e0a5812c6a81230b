"""Publishing: this writer's waiting changes become segment files in its share folder.

The outbox is marked only after a segment has been written, renamed and read back. A crash
in between means the same segment is published again, byte for byte (the outbox holds
snapshots), and publish() finds it already there; a segment that already covers the first
waiting records (published by a run that stopped before marking) is recognised and marked.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from cxcompanion.store.database import Store
from cxcompanion.store.outbox import Outbox
from cxcompanion.sync.segment import (
    Record,
    SegmentError,
    decode_segment,
    encode_segment,
    parse_name,
)
from cxcompanion.sync.share_folder import (
    Files,
    ShareError,
    ShareLayout,
    ShareOfflineError,
    publish,
)

BATCH = 5000  # records per segment: small enough to apply in one quick transaction


@dataclass
class PublishReport:
    segments: list[str] = field(default_factory=list)
    records: int = 0
    waiting: int = 0


def publish_waiting(
    store: Store,
    device_id: str,
    layout: ShareLayout,
    *,
    batch: int = BATCH,
    files: Files | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> PublishReport:
    """Publish every waiting change; raise ShareError (nothing lost) if the share fails."""
    files = files or Files()
    outbox = Outbox(store)
    report = PublishReport()
    layout.check_online()
    while rows := outbox.waiting(batch):
        first, last = rows[0][0], rows[-1][0]
        existing = _existing_segment(layout, device_id, first, files)
        if existing is not None:
            covered = _already_published(existing, outbox, device_id)
            outbox.mark_published(first, covered, existing[0], len(existing[1]))
            report.segments.append(existing[0])
            report.records += covered - first + 1
            continue
        reserved = outbox.reservation(first)
        if reserved is not None:
            # Published before without being confirmed (the read-back failed, or a crash),
            # and the file is gone since: exactly the same range again, never a longer one
            # under the same name (a reader that imported the first would wait forever).
            last = reserved[1]
            rows = [(seq, p) for seq, p in rows if seq <= last]
            if len(rows) != last - first + 1:
                rows = list(zip(range(first, last + 1), outbox.payloads(first, last), strict=True))
        records = [Record.from_json(payload) for _, payload in rows]
        name, data = encode_segment(device_id, first, records)
        if reserved is None:
            outbox.reserve(name, first, last, len(data))
        publish(layout, device_id, name, data, files=files, sleep=sleep)
        outbox.mark_published(first, last, name, len(data))
        report.segments.append(name)
        report.records += len(rows)
    report.waiting = outbox.count_waiting()
    return report


CHECK_RECENT = 20  # the newest segments whose size is checked on every sync


def repair_published(
    store: Store,
    device_id: str,
    layout: ShareLayout,
    *,
    files: Files | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> list[str]:
    """Put back this writer's segments that are missing from the share (removed by a person
    or a file-sync tool) or, among the newest, damaged; the names put back.

    Readers wait at a missing sequence number forever and set a damaged file aside until it
    changes, so the writer, who still holds every record, writes it again. Costs one listing
    of this writer's folder and a few file sizes.
    """
    files = files or Files()
    outbox = Outbox(store)
    published = outbox.published()
    if not published:
        return []
    folder = layout.writer_folder(device_id)
    try:
        present = set(files.listdir(folder))
    except FileNotFoundError:
        # Our whole folder is gone: only believe it if the share itself still answers.
        try:
            files.listdir(layout.writers)
        except OSError as exc:
            raise _gone(layout, exc) from None
        present = set()
    except OSError as exc:
        raise _gone(layout, exc) from None
    repaired = []
    recent = {row[0] for row in published[-CHECK_RECENT:]}
    for name, first, last, size in published:
        if name in present:
            if name not in recent:
                continue
            try:
                stat = files.stat(folder / name)
            except OSError as exc:
                raise _gone(layout, exc) from None
            if stat is None or stat.st_size == size:
                continue
        records = [Record.from_json(p) for p in outbox.payloads(first, last)]
        encoded_name, data = encode_segment(device_id, first, records)
        if encoded_name != name or len(data) != size:  # pragma: no cover — deterministic
            raise ShareError(f"{name} cannot be written again as it was published.")
        publish(layout, device_id, name, data, files=files, sleep=sleep, replace=True)
        repaired.append(name)
    return repaired


def _existing_segment(
    layout: ShareLayout, device_id: str, seq: int, files: Files
) -> tuple[str, bytes] | None:
    folder = layout.writer_folder(device_id)
    for name in (f"{seq:012d}.jsonl", f"{seq:012d}.jsonl.gz"):
        path = folder / name
        try:
            found = files.stat(path)
        except OSError as exc:
            raise _gone(layout, exc) from None
        if found is not None:
            try:
                return name, files.read(path)
            except OSError as exc:  # as publish() treats a failed read-back
                raise ShareError(
                    f"Cannot read back {path} ({exc.strerror or exc}); it is checked again "
                    "at the next sync. Nothing is lost."
                ) from None
    return None


def _gone(layout: ShareLayout, exc: OSError) -> ShareOfflineError:
    return ShareOfflineError(
        f"The shared folder {layout.root} stopped answering ({exc.strerror or exc}); "
        "nothing is lost. Sync again when it is back."
    )


def _already_published(existing: tuple[str, bytes], outbox: Outbox, device_id: str) -> int:
    """The last seq of a segment we published before marking; raise if it is not ours."""
    name, data = existing
    if parse_name(name) is None:  # pragma: no cover — the names come from the pattern
        raise ShareError(f"{name} is not a segment name")
    try:
        segment = decode_segment(name, data, expected_writer=device_id)
    except SegmentError as exc:
        raise ShareError(
            f"{name} in this device's share folder is damaged ({exc.message}); "
            "move it aside and sync again: it will be written anew."
        ) from None
    ours = [Record.from_json(p) for p in outbox.payloads(segment.first_seq, segment.last_seq)]
    if list(segment.records) != ours:
        raise ShareError(
            f"{name} in this device's share folder holds other records than this installation "
            "wrote; two installations may share one device id. Ask your team lead."
        )
    return segment.last_seq
