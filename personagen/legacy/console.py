"""Terminal side of ``personagen import-legacy``: a progress bar while it runs, then the report.

Progress goes to stderr and the report to stdout, so ``> report.txt`` captures the report only.
Legacy text is printed without rich markup (a persona named ``[bold]`` stays as it is).
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from personagen.legacy.errors import LegacyImportError
from personagen.legacy.report import KINDS, ImportReport
from personagen.legacy.runner import import_legacy
from personagen.legacy.target import BeforeCommit


async def run_with_progress(
    source: str,
    database_url: str,
    *,
    dry_run: bool,
    console: Console,
    before_commit: BeforeCommit | None = None,
) -> ImportReport:
    """:func:`import_legacy` with a rich progress bar (rows written) on ``console``."""
    with Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("rows"),
        TimeElapsedColumn(),
        console=console,
        transient=False,
    ) as bar:
        task = bar.add_task("reading legacy database", total=None)

        def progress(done: int, total: int, username: str) -> None:
            verb = "checking" if dry_run else "importing"
            label = f"{verb} {username}" if username else verb
            bar.update(task, completed=done, total=total, description=label)

        return await import_legacy(
            source, database_url, dry_run=dry_run, progress=progress, before_commit=before_commit
        )


def _short(value: Any, limit: int = 80) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _row_label(entry: dict[str, Any]) -> str:
    owner = f" ({entry['owner']})" if entry.get("owner") else ""
    return f"{entry['kind']} {entry['legacy_id']} {_short(entry.get('label'), 60)}{owner}"


def _normalisation_line(entry: dict[str, Any]) -> str:
    found = f" [found under {entry['key']}]" if entry.get("key") else ""
    origin = f" [{entry['origin']}]" if entry.get("origin") else ""
    return (
        f"{_row_label(entry)}: {entry['field']}{origin}{found} {entry['action']} "
        f"({entry['reason']}): {_short(entry['raw'])} -> {_short(entry['value'])}"
    )


def print_report(report: ImportReport, console: Console) -> None:
    """Print the whole report: header, warnings, counts, normalisations, notes, skips, failures."""

    def line(text: str = "", style: str | None = None) -> None:
        console.print(text, style=style, markup=False, highlight=False, soft_wrap=True)

    title = "Legacy import (dry run: nothing written)" if report.dry_run else "Legacy import"
    line(title, style="bold")
    line(f"source: {report.source} ({report.backend}, {report.state} state)")
    line(f"installation fingerprint: {report.fingerprint}")
    if report.core_migrations:
        line(f"core migrations applied: {', '.join(report.core_migrations)}")
    for warning in report.warnings:
        line(f"warning: {warning}", style="yellow")

    if report.normalisations:
        line()
        line(f"Normalisations ({len(report.normalisations)})", style="bold")
        # One print call for the whole list: rich's per-call cost dominates at 30,000 lines.
        line("\n".join(_normalisation_line(entry) for entry in report.normalisations))
    if report.notes:
        line()
        line(f"Notes ({len(report.notes)})", style="bold")
        line("\n".join(f"{_row_label(entry)}: {entry['note']}" for entry in report.notes))
    if report.skipped:
        line()
        line(f"Skipped ({len(report.skipped)})", style="bold")
        for entry in report.skipped:
            owner = f" ({entry['owner']})" if entry.get("owner") else ""
            line(f"{entry['kind']} {entry['legacy_id']}{owner}: {entry['reason']}")
    if report.failures:
        line()
        line(
            f"Failed users ({len(report.failures)}): rolled back, nothing of them written",
            style="bold red",
        )
        for failure in report.failures:
            line(
                f"user {failure['legacy_id']} {failure['username']}: {failure['error']}",
                style="red",
            )

    line()
    table = Table(title="Rows", title_justify="left")
    table.add_column("kind")
    for column in ("read", "imported", "already imported", "skipped", "failed"):
        table.add_column(column, justify="right")
    for kind in KINDS:
        counts = report.counts[kind]
        table.add_row(
            kind,
            str(counts.read),
            str(counts.imported),
            str(counts.already_imported),
            str(counts.skipped),
            str(counts.failed),
        )
    console.print(table)
    imported = report.counts
    verb = "would import" if report.dry_run else "imported"
    line(
        f"{verb} {imported['user'].imported} users, {imported['persona'].imported} personas, "
        f"{imported['content'].imported} content pieces in {report.seconds:.2f} s",
        style="bold green" if report.ok else "bold red",
    )


def run(
    source: str,
    database_url: str,
    *,
    dry_run: bool = False,
    report_path: Path | None = None,
    before_commit: BeforeCommit | None = None,
) -> int:
    """The whole ``personagen import-legacy`` command; returns its exit status.

    0: everything imported (or nothing new); 1: some users failed and were rolled back (the
    others are imported; run again after fixing); 2: bad input or unusable target, nothing
    written. Progress goes to stderr, the report to stdout and, with ``report_path``, as JSON
    to that file.
    """
    out = Console(soft_wrap=True)
    err = Console(stderr=True)
    if report_path is not None and (report_path.is_dir() or not report_path.parent.is_dir()):
        err.print(f"personagen: --report: cannot write a file at {report_path}", markup=False)
        return 2
    try:
        report = asyncio.run(
            run_with_progress(
                source, database_url, dry_run=dry_run, console=err, before_commit=before_commit
            )
        )
    except LegacyImportError as exc:
        err.print(f"personagen: import-legacy: {exc}", markup=False, highlight=False)
        err.print("nothing was written", markup=False)
        return 2
    except KeyboardInterrupt:
        # The user being written was rolled back; the users before it are committed.
        err.print(
            "interrupted: users imported so far are kept, the one in progress was rolled back; "
            "run the same command again to continue",
            markup=False,
        )
        return 130
    print_report(report, out)
    if report_path is not None:
        try:
            report_path.write_text(
                json.dumps(report.as_dict(), ensure_ascii=False, indent=2), encoding="utf-8"
            )
        except OSError as exc:
            err.print(f"personagen: --report: {exc}", markup=False, highlight=False)
            return 1
        err.print(f"report written to {report_path}", markup=False, highlight=False)
    return 0 if report.ok else 1
