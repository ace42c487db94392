"""Where the bundled data lives: inside the installed package, or in a source checkout."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

# In a wheel, seeds/ and models/default/ are copied to techdomain/_data/ (see pyproject.toml);
# in a source checkout or editable install they are read from the repository's top level.
_PACKAGED = "_data"
_CHECKOUT = Path(__file__).resolve().parent.parent


def _locate(packaged: str, checkout: str) -> Path:
    candidate = resources.files("techdomain").joinpath(_PACKAGED)
    for part in packaged.split("/"):
        candidate = candidate.joinpath(part)
    if candidate.is_dir():
        return Path(str(candidate))
    path = _CHECKOUT / checkout
    if path.is_dir():
        return path
    raise FileNotFoundError(
        f"techdomain's bundled data ({checkout}) is missing; reinstall the package with 'pip install techdomain'"
    )


def seeds_dir() -> Path:
    """The directory of seed data: taxonomy.json and domains/NN_slug/*.txt."""
    return _locate("seeds", "seeds")


def default_model_dir() -> Path:
    """The directory of the shipped default model."""
    return _locate("models/default", "models/default")
