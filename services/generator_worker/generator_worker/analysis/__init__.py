"""Writing-sample analysis in the worker: the LLM-judged half (pure functions).

- :mod:`.schema`: the JSON Schema of the judged traits, from the catalogue.
- :mod:`.prompts`: the request messages, ``response_format`` per mode, the repair round.
- :mod:`.extract`: the JSON object out of a reply (plain, fenced, wrapped in prose).
- :mod:`.judge`: the mode sequence for ``auto``, fallback on a refused format, one repair
  round, around an injected client call.
- :mod:`.merge`: measured + judged -> one trait set with sources and warnings.

The measured half runs in the API (``persona_api.analysis.stylometry``); its traits reach the
worker in the job, never by import (the two services do not import each other).
"""

from generator_worker.analysis.extract import NoJSONObjectError, extract_json_object
from generator_worker.analysis.judge import (
    AnalysisReplyError,
    Complete,
    Judgement,
    ResponseFormatRejectedError,
    is_unsupported_response_format,
    judge_traits,
    mode_sequence,
)
from generator_worker.analysis.merge import AnalysisOutcome, MergedTrait, TraitSource, merge_traits
from generator_worker.analysis.prompts import (
    build_messages,
    build_prompt,
    build_repair_messages,
    response_format,
)
from generator_worker.analysis.schema import (
    SCHEMA_NAME,
    build_trait_schema,
    portable_schema,
    select_traits,
)

__all__ = [
    "SCHEMA_NAME",
    "AnalysisOutcome",
    "AnalysisReplyError",
    "Complete",
    "Judgement",
    "MergedTrait",
    "NoJSONObjectError",
    "ResponseFormatRejectedError",
    "TraitSource",
    "build_messages",
    "build_prompt",
    "build_repair_messages",
    "build_trait_schema",
    "extract_json_object",
    "is_unsupported_response_format",
    "judge_traits",
    "merge_traits",
    "mode_sequence",
    "portable_schema",
    "response_format",
    "select_traits",
]
