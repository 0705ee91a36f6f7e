"""``personagen import-legacy`` as a user runs it: a subprocess through ``uv run``."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.legacy._support import (
    FLAT_DB,
    JSON_DB,
    copy_legacy,
    fetch,
    sqlite_exec,
    table_counts,
)


def _run(*args: str, database_url: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["uv", "run", "--quiet", "personagen", "import-legacy", *args],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": database_url, "COLUMNS": "200"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


async def test_cli_imports_reports_and_is_idempotent(database_url: str, tmp_path: Path) -> None:
    report_file = tmp_path / "report.json"

    dry = _run(str(FLAT_DB), "--dry-run", database_url=database_url)
    assert dry.returncode == 0, dry.stderr
    assert "dry run: nothing written" in dry.stdout
    assert "would import 3 users, 120 personas, 60 content pieces" in dry.stdout
    assert await table_counts(database_url) == dict.fromkeys(
        ("users", "personas", "content_pieces", "legacy_imports"), 0
    )

    done = _run(str(FLAT_DB), "--report", str(report_file), database_url=database_url)

    assert done.returncode == 0, done.stderr
    assert "imported 3 users, 120 personas, 60 content pieces" in done.stdout
    # Each normalisation is printed with its persona and field.
    assert (
        'persona 50 "Amara Okafor" (alice_writer): formality_level [column] dropped' in done.stdout
    )
    assert "rows" in done.stderr  # the progress bar
    report = json.loads(report_file.read_text())
    assert report["ok"] is True
    assert report["state"] == "flat"
    assert report["counts"]["persona"] == {
        "read": 120,
        "imported": 120,
        "already_imported": 0,
        "skipped": 0,
        "failed": 0,
    }
    assert {(n["legacy_id"], n["field"]) for n in report["normalisations"]} >= {
        (24, "humor_sarcasm_usage"),
        (50, "formality_level"),
        (63, "vocabulary_complexity"),
    }
    assert await table_counts(database_url) == {
        "users": 3,
        "personas": 120,
        "content_pieces": 60,
        "legacy_imports": 183,
    }

    again = _run(str(JSON_DB), database_url=database_url)
    assert again.returncode == 0, again.stderr
    assert "imported 0 users, 0 personas, 0 content pieces" in again.stdout


async def test_cli_exit_status_for_a_failed_user(database_url: str, tmp_path: Path) -> None:
    copy = copy_legacy(JSON_DB, tmp_path)
    sqlite_exec(copy, ("UPDATE auth_user SET email = ? WHERE id = 3", ("c" * 300,)))

    result = _run(str(copy), database_url=database_url)

    assert result.returncode == 1
    assert "Failed users (1)" in result.stdout
    assert "user 3 chloé_m:" in result.stdout
    assert "imported 2 users, 102 personas, 51 content pieces" in result.stdout


async def test_cli_bad_input(database_url: str, tmp_path: Path) -> None:
    not_sqlite = tmp_path / "export.csv"
    not_sqlite.write_text("a,b\n1,2\n")

    result = _run(str(not_sqlite), database_url=database_url)

    assert result.returncode == 2
    assert "is not an SQLite database" in result.stderr
    assert "nothing was written" in result.stderr
    assert result.stdout == ""
    assert await table_counts(database_url) == dict.fromkeys(
        ("users", "personas", "content_pieces", "legacy_imports"), 0
    )


def test_report_path_that_cannot_be_written(database_url: str, tmp_path: Path) -> None:
    from personagen.legacy.console import run

    assert run(str(JSON_DB), database_url, report_path=tmp_path) == 2
    assert run(str(JSON_DB), database_url, report_path=tmp_path / "no" / "r.json") == 2


def test_interrupt_keeps_finished_users_and_rolls_back_the_current_one(
    database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    from personagen.legacy.console import run

    def ctrl_c_during_bob(legacy_user_id: int) -> None:
        if legacy_user_id == 2:
            raise KeyboardInterrupt

    status = run(str(JSON_DB), database_url, before_commit=ctrl_c_during_bob)

    assert status == 130
    assert "run the same command again to continue" in capsys.readouterr().err
    users = asyncio.run(fetch(database_url, "SELECT username FROM users ORDER BY username"))
    assert [u["username"] for u in users] == ["alice_writer"]  # imported before bob
    assert run(str(JSON_DB), database_url) == 0
    counts = asyncio.run(table_counts(database_url))
    assert counts["personas"] == 120
