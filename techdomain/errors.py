"""Exception types raised by techdomain. Each message says what to do next."""

from __future__ import annotations


class TechdomainError(Exception):
    """Base class for every error techdomain raises on purpose."""


class UnknownDomainError(TechdomainError, KeyError):
    """A domain id, slug or name that is not one of the 16 domains."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else ""


class ModelFormatError(TechdomainError, ValueError):
    """A model file that is truncated, corrupt, of another format version or another taxonomy."""


class UnsafeModelError(TechdomainError, ValueError):
    """A pickle/joblib model file, refused because loading it could run code from the file."""


class NotFittedError(TechdomainError, ValueError):
    """A classifier used before ``fit`` (or ``load``)."""


class TrainingDataError(TechdomainError, ValueError):
    """Labelled examples that cannot train a model (unknown labels, no usable text, ...)."""


class InputFormatError(TechdomainError, ValueError):
    """An input table that cannot be read (missing column, undecodable bytes, broken quoting)."""
