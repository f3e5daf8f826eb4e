"""Files written at the server for an operator (manage.py generate_report, export_ctdc)."""

from __future__ import annotations

from pathlib import Path


def write_whole(output: Path, content: bytes) -> None:
    """Write under a side name, then move into place: never a half-written file under the
    final name, whatever happens halfway."""
    output.parent.mkdir(parents=True, exist_ok=True)
    temporary = output.with_name(output.name + ".part")
    temporary.write_bytes(content)
    temporary.replace(output)
