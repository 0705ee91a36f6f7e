"""Fake installations for discovery tests: stub executables and installed-distribution
metadata (a real ``*.dist-info`` with a RECORD, read by the real importlib.metadata)."""

from __future__ import annotations

from pathlib import Path


def stub(path: Path, body: str = "exit 0") -> Path:
    """An executable shell script at ``path`` (parents created)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"#!/bin/sh\n{body}\n")
    path.chmod(0o755)
    return path


def pg_bin(folder: Path, tools: tuple[str, ...] = ("initdb", "pg_ctl", "postgres")) -> Path:
    """A folder of stub PostgreSQL programs."""
    for name in tools:
        stub(folder / name)
    return folder


def installed_distribution(site: Path, name: str, files: dict[str, bytes | None]) -> Path:
    """Install a fake distribution ``name`` into the folder ``site``.

    ``files`` maps RECORD paths (relative to ``site``) to contents; ``None`` writes a stub
    executable. Returns ``site``, to pass as ``search_path=[str(site)]``.
    """
    normal = name.replace("-", "_")
    info = site / f"{normal}-1.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n")
    record = []
    for rel, content in files.items():
        target = site / rel
        if content is None:
            stub(target)
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content)
        record.append(f"{rel},,")
    record.append(f"{info.name}/METADATA,,")
    record.append(f"{info.name}/RECORD,,")
    (info / "RECORD").write_text("\n".join(record) + "\n")
    return site
