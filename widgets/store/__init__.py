"""Where learners' work is kept: one :class:`ResponseStore` over SQLite or PostgreSQL.

Importing this package loads SQLAlchemy only; Alembic is imported by ``upgrade()`` alone,
and the activity widgets (ipywidgets) only when submissions are read back.
"""

from .engine import default_url, make_engine
from .facade import (
    LearnerInfo,
    ResponseStore,
    SessionInfo,
    StoreBusy,
    StoreError,
    StoreNotReady,
    UnknownLearner,
    UnknownSession,
)

__all__ = [
    "LearnerInfo",
    "ResponseStore",
    "SessionInfo",
    "StoreBusy",
    "StoreError",
    "StoreNotReady",
    "UnknownLearner",
    "UnknownSession",
    "default_url",
    "make_engine",
]
