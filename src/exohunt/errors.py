"""Exceptions that the command line turns into one-line messages.

Every error a user can cause with their own input derives from :class:`ExohuntError`;
the CLI prints ``exohunt: error: <message>`` and exits with status 2, without a traceback.
Messages name the file (and row/column where it applies) and say what was expected.
"""

from __future__ import annotations

__all__ = [
    "DataQualityWarning",
    "ExohuntError",
    "InputError",
    "NotImplementedYetError",
    "RunDirectoryError",
]


class ExohuntError(Exception):
    """Base class for errors that are the user's to fix (exit status 2)."""

    exit_code = 2


class InputError(ExohuntError, ValueError):
    """A file or value given by the user cannot be used (missing, malformed, wrong content)."""


class RunDirectoryError(ExohuntError):
    """A run directory is missing, incomplete, tampered with or from an incompatible version."""


class NotImplementedYetError(ExohuntError):
    """A contract command whose implementation has not landed yet."""


class DataQualityWarning(UserWarning):
    """A value in the user's data was implausible or unusable and was set aside (NaN).

    Raised with :func:`warnings.warn` (never as an error): the file is still read, the value
    named in the message (file and field) is NaN, and whatever depends on it is NaN too.
    Silence it with ``warnings.simplefilter("ignore", DataQualityWarning)``.
    """
