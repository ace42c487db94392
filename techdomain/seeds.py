"""The seed knowledge base: the text the default model is trained from.

Layout (under ``seeds/domains/``): one directory per domain, ``NN_slug`` (``00_none`` for texts that
belong to none of the 16). Inside, every ``*.txt`` file is read:

- files whose name starts with ``terms`` hold one term per line (each becomes a short training text);
- every other file holds one passage per line (an exemplar abstract, a quoted source paragraph).

Lines starting with ``#`` are comments. Adding knowledge is adding lines or files.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from .resources import seeds_dir
from .taxonomy import DOMAINS, NONE

# Each term is its own training text. Chosen on the knowledge base's second pass (more.*.txt, written
# later and in plainer language, so the closest thing to unseen abstracts): trained on everything
# else, it scored 0.914 with one term per text, 0.910 with 2, 0.902 with 4 and 0.892 with 8.
TERMS_PER_DOC = 1


@dataclass(frozen=True)
class SeedCorpus:
    texts: list[str]
    labels: list[int]
    sources: list[str]  # "NN_slug/file.txt:line" of each text, for reviewing what the model learned from
    sha256: str  # of all the seed files read, in order: the model card records it

    def __len__(self) -> int:
        return len(self.texts)


def _lines(path: Path) -> list[tuple[int, str]]:
    out = []
    for no, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = line.strip()
        if line and not line.startswith("#"):
            out.append((no, line))
    return out


def domain_dirs(root: Path | None = None) -> dict[int, Path]:
    """Domain id -> its seed directory; checks that every directory name matches the taxonomy."""
    root = (root or seeds_dir()) / "domains"
    slugs = {d.id: d.slug for d in DOMAINS + (NONE,)}
    out = {}
    for path in sorted(p for p in root.iterdir() if p.is_dir()):
        num, _, slug = path.name.partition("_")
        if not num.isdigit() or slugs.get(int(num)) != slug:
            raise ValueError(f"seed directory {path.name} does not match the taxonomy (expected NN_slug, e.g. 12_quantum)")
        out[int(num)] = path
    return out


def load_seeds(root: Path | None = None, terms_per_doc: int = TERMS_PER_DOC) -> SeedCorpus:
    """Read every seed file into training texts and labels (0 = none of the 16)."""
    texts: list[str] = []
    labels: list[int] = []
    sources: list[str] = []
    digest = hashlib.sha256()
    for did, path in domain_dirs(root).items():
        for file in sorted(path.glob("*.txt")):
            digest.update(f"{path.name}/{file.name}\n".encode())
            digest.update(file.read_bytes())
            lines = _lines(file)
            where = f"{path.name}/{file.name}"
            if file.name.startswith("terms"):
                for i in range(0, len(lines), terms_per_doc):
                    group = lines[i : i + terms_per_doc]
                    texts.append("、".join(t for _, t in group))
                    labels.append(did)
                    sources.append(f"{where}:{group[0][0]}")
            else:
                for no, line in lines:
                    texts.append(line)
                    labels.append(did)
                    sources.append(f"{where}:{no}")
    return SeedCorpus(texts, labels, sources, digest.hexdigest())
