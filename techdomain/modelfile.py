"""Model files: data only, never code.

A model file is a zip archive written by :func:`numpy.savez_compressed`: numeric arrays, the
vocabulary as UTF-8 text, and a JSON header (format version, parameters, taxonomy, library
versions). Reading uses ``allow_pickle=False``, so a crafted file cannot run code, and nothing in
it depends on the scikit-learn version that trained it.
"""

from __future__ import annotations

import json
import os
import tempfile
import zipfile
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

from .chars import CharGrams
from .confidence import ConfidenceMap
from .errors import ModelFormatError, UnsafeModelError
from .features import Features
from .taxonomy import DOMAINS

FORMAT = "techdomain-model"
FORMAT_VERSION = 5
# Version 2 stores the coefficients byte-shuffled (see _shuffle) and may hold a confidence map
# (techdomain.confidence); version 3 adds character n-grams (techdomain.chars); version 4 adds the
# method parameters (complement naive Bayes) and the evidence rule for second domains; version 5 the
# label reliability that confidence is measured against (see DomainClassifier). Each model is
# written as the oldest version that holds it (format_version), so that an older techdomain reads
# what it can; version 1 files load.
READABLE_VERSIONS = (1, 2, 3, 4, 5)
_PARAMS = ("C", "ngram", "min_df", "class_weight", "secondary_ratio", "max_chars", "calibrate", "stop_words")
# Written only by models that use them: an older reader would not know the parameter.
_CHAR_PARAMS = ("chars", "char_min_df")
_V4_PARAMS = ("method", "alpha", "secondary_evidence")
_V5_PARAMS = ("label_reliability",)


def library_versions() -> dict[str, str]:
    out = {}
    for name in ("techdomain", "scikit-learn", "numpy", "scipy", "fugashi", "unidic-lite"):
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


def save(model: Any, path: str | os.PathLike, extra: dict | None = None) -> None:
    """Write ``model`` to ``path`` atomically (a crash leaves the old file or none, never half a file)."""
    model._check()
    cmap = getattr(model, "confidence_map_", None)
    grams = getattr(model, "chars_", None)
    version = format_version(model)
    params = (_PARAMS + (_CHAR_PARAMS if grams is not None else ()) + (_V4_PARAMS if version >= 4 else ())
              + (_V5_PARAMS if version >= 5 else ()))
    header = {
        "format": FORMAT,
        "format_version": version,
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "params": {k: _jsonable(getattr(model, k)) for k in params},
        "ngram": model.features_.ngram,
        **({"chars": [grams.low, grams.high]} if grams is not None else {}),
        # The words themselves, not just the parameter: a later REGISTER_WORDS must not change an old model.
        "stop_words": sorted(model.features_.stop_words),
        "classes": [int(c) for c in model.classes_],
        "temperature": float(model.temperature_),
        **({"confidence_map": cmap.to_json()} if cmap is not None else {}),
        "all_classes": [int(c) for c in model.all_classes_],
        "taxonomy": [d.slug for d in DOMAINS],
        "versions": library_versions(),
        **(extra or {}),
    }
    vocab = "\n".join(model.features_.vocabulary).encode("utf-8")
    char_arrays = {} if grams is None else {"char_keys": grams.keys, "char_idf": grams.idf.astype(np.float32)}
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".part")
    try:
        with os.fdopen(fd, "wb") as f:
            np.savez_compressed(
                f,
                header=np.frombuffer(json.dumps(header, ensure_ascii=False).encode("utf-8"), dtype=np.uint8),
                vocabulary=np.frombuffer(vocab, dtype=np.uint8),
                idf=model.features_.idf.astype(np.float32),
                coef_bytes=_shuffle(model.coef_),
                intercept=np.asarray(model.intercept_, dtype=np.float64),
                **char_arrays,
            )
        _chmod_like_a_new_file(tmp)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def format_version(model: Any) -> int:
    """The version :func:`save` writes for ``model``: the oldest that holds everything it has."""
    if getattr(model, "label_reliability", 1.0) != 1.0:
        return 5
    if getattr(model, "method", "logistic") != "logistic" or getattr(model, "secondary_evidence", None) is not None:
        return 4
    return 3 if getattr(model, "chars_", None) is not None else 2


def _shuffle(coef: np.ndarray) -> np.ndarray:
    """The coefficients as 4 byte planes, feature-major: (4, n_features * n_classes) uint8.

    zlib barely compresses float32 as it lies; grouping the exponent bytes of neighbouring
    coefficients (one feature's classes side by side) lets it, losslessly: the shipped model's
    coefficients compress to 14.0 MB instead of 25.3 MB, which keeps the file under the 20 MB budget.
    """
    flat = np.ascontiguousarray(coef.T, dtype="<f4").reshape(-1)
    return np.ascontiguousarray(flat.view(np.uint8).reshape(-1, 4).T)


def _unshuffle(planes: np.ndarray, n_classes: int) -> np.ndarray:
    """Inverse of :func:`_shuffle`: the transposed coefficients, (n_features, n_classes) float32."""
    if planes.dtype != np.uint8 or planes.ndim != 2 or planes.shape[0] != 4 or planes.shape[1] % max(n_classes, 1):
        raise ValueError(f"coefficient bytes of shape {planes.shape} and type {planes.dtype}")
    flat = np.ascontiguousarray(planes.T).reshape(-1).view("<f4")
    return flat.reshape(-1, n_classes)


def _jsonable(value: Any) -> Any:
    return sorted(value) if isinstance(value, (set, frozenset)) else list(value) if isinstance(value, tuple) else value


def _chmod_like_a_new_file(path: str) -> None:
    # mkstemp creates files readable by the owner only; a saved model or table is meant to be shared.
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(path, 0o666 & ~umask)


# A pickle (protocol 2+) starts with 0x80; joblib files are pickles, raw or behind one of these compressors.
_COMPRESSED_MAGIC = (b"\x1f\x8b", b"BZh", b"\xfd7zXZ", b"]\x00\x00", b"\x28\xb5\x2f\xfd", b"\x04\x22\x4d\x18")


def _looks_pickled(head: bytes) -> bool:
    zlib = len(head) >= 2 and head[0] == 0x78 and (head[0] * 256 + head[1]) % 31 == 0
    return head.startswith(b"\x80") or zlib or head.startswith(_COMPRESSED_MAGIC)


def read_header(path: str | os.PathLike) -> dict:
    """The JSON header of a model file, without loading its arrays."""
    return _open(path)[0]


def _open(path: str | os.PathLike) -> tuple[dict, Any]:
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no model file at {path}")
    with open(path, "rb") as f:
        head = f.read(8)
    if not zipfile.is_zipfile(path):
        if _looks_pickled(head):
            raise UnsafeModelError(
                f"{path} looks like a pickle/joblib file; loading one can run any code it contains. "
                "If you trust whoever made it, call techdomain.load(path, allow_pickle=True); "
                "better, re-save it with model.save(path) to get a data-only model file"
            )
        raise ModelFormatError(f"{path} is not a techdomain model file (it is not a zip archive); it may be truncated")
    try:
        arrays = np.load(path, allow_pickle=False)
        header = json.loads(bytes(arrays["header"]).decode("utf-8"))
    except (KeyError, ValueError, OSError, zipfile.BadZipFile, EOFError) as e:
        raise ModelFormatError(f"{path} is damaged or not a techdomain model file ({e}); retrain or copy it again") from None
    if header.get("format") != FORMAT:
        raise ModelFormatError(f"{path} is not a techdomain model file")
    version = header.get("format_version")
    if version not in READABLE_VERSIONS:
        raise ModelFormatError(
            f"{path} has model format version {version}; this techdomain reads versions "
            f"{', '.join(map(str, READABLE_VERSIONS))}. "
            "Upgrade or downgrade techdomain to match, or retrain the model with this version"
        )
    if header.get("taxonomy") != [d.slug for d in DOMAINS]:
        raise ModelFormatError(
            f"{path} was trained on another domain list ({header.get('taxonomy')}); it cannot be used with this taxonomy"
        )
    return header, arrays


def load(path: str | os.PathLike, allow_pickle: bool = False):
    """Read a model file written by :func:`save`.

    A pickle or joblib file is refused (:class:`UnsafeModelError`) unless ``allow_pickle=True``,
    which you should pass only for files you made yourself.
    """
    from .classifier import DomainClassifier

    path = Path(path)
    if allow_pickle and path.is_file() and not zipfile.is_zipfile(path):
        import joblib

        model = joblib.load(path)
        if not isinstance(model, DomainClassifier):
            raise ModelFormatError(f"{path} holds a {type(model).__name__}, not a DomainClassifier")
        return model
    header, arrays = _open(path)
    try:
        vocab = bytes(arrays["vocabulary"]).decode("utf-8")
        idf = arrays["idf"].astype(np.float64)
        intercept = arrays["intercept"]
        n_classes = len(header["all_classes"])
        if "coef_bytes" in arrays.files:
            coef_t = _unshuffle(arrays["coef_bytes"], n_classes)
            coef = coef_t.T
        else:  # format version 1
            coef = arrays["coef"].astype(np.float32)
            coef_t = np.ascontiguousarray(coef.T)
        words = vocab.split("\n") if vocab else []
        # Files before version 4 hold logistic regressions that assign second domains by probability alone.
        model = DomainClassifier(**{"method": "logistic", "secondary_evidence": None, **header["params"]})
        model.features_ = Features(words, idf, header["ngram"], header.get("stop_words", ()))
        if "chars" in header:
            low, high = header["chars"]
            model.chars_ = CharGrams(arrays["char_keys"], arrays["char_idf"].astype(np.float64), low, high)
        else:
            model.chars_ = None
        model.classes_ = np.array(header["classes"], dtype=int)
        model.all_classes_ = np.array(header["all_classes"], dtype=int)
        model.coef_ = coef
        model.__dict__["_coef_t_cache"] = coef_t  # what predicting multiplies by; no transpose on first use
        model.intercept_ = intercept
        model.temperature_ = float(header["temperature"])
        model.confidence_map_ = ConfidenceMap.from_json(header["confidence_map"]) if "confidence_map" in header else None
        model.header_ = header
    except (KeyError, ValueError, OSError, zipfile.BadZipFile, EOFError, TypeError) as e:
        raise ModelFormatError(f"{path} is damaged ({e}); retrain or copy it again") from None
    n_features = len(words) + (len(model.chars_) if model.chars_ is not None else 0)
    if coef.shape != (len(model.all_classes_), n_features) or intercept.shape != (len(model.all_classes_),):
        raise ModelFormatError(f"{path} is inconsistent (array shapes do not match its header); retrain or copy it again")
    return model
