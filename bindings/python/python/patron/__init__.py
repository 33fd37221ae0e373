"""patron from Python: grade customers, move them through stages and decide how often to
call and visit each one, with the same policies and results as the Rust library.

>>> import patron
>>> engine = patron.Engine()                       # the embedded default policy
>>> result = engine.evaluate({"id": "C-7", "grade": "A"}, as_of="2026-11-23")
>>> result["customer_id"]
'C-7'

``Engine.evaluate_arrow`` takes and gives Arrow tables (pyarrow, and through them pandas and
Polars); ``patron.spark`` runs the engine on Spark DataFrames.
"""

from __future__ import annotations

from ._engine import Engine, customer_schema, evaluation_schema
from ._errors import (
    InternalError,
    InvalidInputError,
    InvalidJsonError,
    LimitError,
    PatronError,
    PolicyError,
    ScriptError,
)
from ._patron import VERSION

__version__ = VERSION

__all__ = [
    "Engine",
    "customer_schema",
    "evaluation_schema",
    "PatronError",
    "InvalidJsonError",
    "InvalidInputError",
    "PolicyError",
    "ScriptError",
    "LimitError",
    "InternalError",
    "VERSION",
]
