"""The package's exceptions: one class per error kind of the library (``ErrorCode``)."""

from __future__ import annotations

from typing import Optional


class PatronError(Exception):
    """An error from the patron library.

    ``code`` is the library's stable numeric code (``PATRON_ERR_*``), ``kind`` its name
    (``invalid_input``, ``policy``, ...), ``message`` the full message naming the record, field
    or script line. For a record of a batch, ``index`` is its 0-based place in the input,
    ``line`` its 1-based line and ``customer_id`` its id when it had one.
    """

    code: int = 0
    kind: str = ""

    def __init__(
        self,
        message: str,
        *,
        code: Optional[int] = None,
        kind: Optional[str] = None,
        customer_id: Optional[str] = None,
        line: Optional[int] = None,
        index: Optional[int] = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        if kind is not None:
            self.kind = kind
        self.customer_id = customer_id
        self.line = line
        self.index = index

    def __repr__(self) -> str:
        place = "" if self.index is None else f", index={self.index}"
        return f"{type(self).__name__}({self.message!r}, kind={self.kind!r}{place})"

    def __eq__(self, other: object) -> bool:
        return (
            type(self) is type(other)
            and isinstance(other, PatronError)
            and (self.code, self.message, self.customer_id, self.line, self.index)
            == (other.code, other.message, other.customer_id, other.line, other.index)
        )

    __hash__ = Exception.__hash__


class InvalidJsonError(PatronError):
    """Input was not well-formed JSON (``PATRON_ERR_INVALID_JSON``)."""

    code, kind = 3, "invalid_json"


class InvalidInputError(PatronError):
    """Input broke the contract: a missing field, a wrong type, an unknown grade, a bad date
    (``PATRON_ERR_INVALID_INPUT``)."""

    code, kind = 4, "invalid_input"


class PolicyError(PatronError):
    """A policy failed to load or check (``PATRON_ERR_POLICY``)."""

    code, kind = 5, "policy"


class ScriptError(PatronError):
    """A policy script failed at run time (``PATRON_ERR_SCRIPT``)."""

    code, kind = 6, "script"


class LimitError(PatronError):
    """A policy script hit one of its resource limits (``PATRON_ERR_LIMIT``)."""

    code, kind = 7, "limit"


class InternalError(PatronError):
    """A bug in patron; please report it (``PATRON_ERR_INTERNAL``)."""

    code, kind = 8, "internal"


_BY_KIND = {
    cls.kind: cls
    for cls in (
        InvalidJsonError,
        InvalidInputError,
        PolicyError,
        ScriptError,
        LimitError,
        InternalError,
    )
}


def error_for(
    code: int,
    kind: str,
    message: str,
    customer_id: Optional[str] = None,
    line: Optional[int] = None,
    index: Optional[int] = None,
) -> PatronError:
    """The exception for one library error (an unknown kind gives a plain PatronError)."""
    cls = _BY_KIND.get(kind, PatronError)
    return cls(message, code=code, kind=kind, customer_id=customer_id, line=line, index=index)


def from_native(
    code: int, kind: str, message: str, customer_id: Optional[str], line: Optional[int]
) -> PatronError:
    """Called by the native module to build the exception it raises."""
    return error_for(code, kind, message, customer_id, line)
