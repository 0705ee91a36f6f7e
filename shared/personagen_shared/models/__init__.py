"""Table models. Importing this package registers every table on ``SQLModel.metadata``."""

from personagen_shared.models.base import metadata
from personagen_shared.models.content import ContentPiece, ContentStatus
from personagen_shared.models.jobs import FINAL_STATUSES, Job, JobKind, JobStatus
from personagen_shared.models.legacy import LegacyImport
from personagen_shared.models.personas import Persona, PersonaTraitColumns
from personagen_shared.models.samples import WritingSample
from personagen_shared.models.users import User

__all__ = [
    "FINAL_STATUSES",
    "ContentPiece",
    "ContentStatus",
    "Job",
    "JobKind",
    "JobStatus",
    "LegacyImport",
    "Persona",
    "PersonaTraitColumns",
    "User",
    "WritingSample",
    "metadata",
]
