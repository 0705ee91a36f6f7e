"""PostgreSQL for ``personagen up``: ``DATABASE_URL`` when configured, otherwise the private
cluster (:class:`personagen.stack.postgres.PrivateCluster`), initialised on the first run and
started on a free port of 127.0.0.1, as an unprivileged account when ``up`` runs as root."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import TYPE_CHECKING

from personagen.stack import discovery, privileges
from personagen.stack.ports import LOOPBACK, free_port
from personagen.stack.postgres import PostgresError, PrivateCluster
from personagen.stack.procs import Child
from personagen.stack.services.common import mask_url

if TYPE_CHECKING:
    from personagen.stack.runner import Stack


def start_postgres(
    stack: Stack, config: Mapping[str, str], avoid: set[int]
) -> tuple[str, Child | None, int]:
    """DATABASE_URL if configured; otherwise start the private cluster (initialising it
    on the first run; kept in ``stack.cluster``). Returns ``(database_url, child or None,
    port)``."""
    if config.get("DATABASE_URL"):
        url = config["DATABASE_URL"]
        stack.console.step("postgres", f"using DATABASE_URL {mask_url(url)}")
        stack.banner["Database"] = f"DATABASE_URL {mask_url(url)}"
        return url, None, 0
    binaries = discovery.find_postgres(
        explicit=stack.options.pg_bin or config.get(discovery.PG_BIN_ENV)
    )
    run_as = privileges.server_account(
        euid=os.geteuid(),
        cluster_dir=stack.data.cluster_dir,
        requested=config.get(privileges.PG_USER_ENV),
    )
    cluster = PrivateCluster(binaries, stack.data, run_as)
    stack.cluster = cluster
    if run_as:
        privileges.check_reachable(
            [("PostgreSQL programs", binaries.bin_dir), ("data folder", stack.data.root)],
            run_as,
        )
        stack.data.allow_traversal()
    version = cluster.binary_major()
    made_by = cluster.cluster_major()
    who = f" as the account {run_as.name!r} (PostgreSQL refuses root)" if run_as else ""
    if made_by is None:
        stack.console.step(
            "postgres",
            f"initialising a new cluster in {stack.data.cluster_dir} with PostgreSQL "
            f"{version} from {binaries.bin_dir} ({binaries.source}){who} (first run only)",
        )
        cluster.initialise(tick=stack.ticker("postgres", "initialising"))
    elif made_by != version:
        raise PostgresError(
            f"the cluster in {stack.data.cluster_dir} was made by PostgreSQL {made_by}, "
            f"but the programs found ({binaries.bin_dir}, {binaries.source}) are version "
            f"{version}; set {discovery.PG_BIN_ENV} to a PostgreSQL {made_by} bin folder, "
            "or move that folder away to start with an empty database"
        )
    if cluster.stop_leftover():
        stack.console.step("postgres", "stopped a server left running by a previous run")
    port = free_port(avoid=avoid)
    avoid.add(port)
    stack.console.step(
        "postgres",
        f"starting PostgreSQL {version} on {LOOPBACK}:{port}{who} "
        f"(log: {stack.data.log('postgres')})",
    )
    child = stack.add(cluster.start(port))
    stack.banner["Database"] = (
        f"private PostgreSQL {version} on {LOOPBACK}:{port} "
        f"(programs: {binaries.bin_dir}, {binaries.source})"
    )
    return cluster.database_url(port), child, port
