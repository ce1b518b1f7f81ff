"""Research exports: the tidy responses DataFrame, CSV / Parquet / xAPI files, erasure.

Learners are pseudonymised with a keyed HMAC, only learners with research consent are
exported, and reflection text only on request. This package imports pandas: it is for
researchers' kernels and the CLI, never for a trainee's page.
"""

from .columns import COLUMNS, data_dictionary
from .pseudonym import Pseudonymiser, pseudonym_key
from .responses import load_responses

__all__ = ["COLUMNS", "Pseudonymiser", "data_dictionary", "load_responses", "pseudonym_key"]
