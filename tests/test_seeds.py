"""The seed knowledge base is readable, complete and original."""

import re
from collections import Counter

import pytest

from techdomain.seeds import domain_dirs, load_seeds
from techdomain.taxonomy import DOMAINS


@pytest.fixture(scope="module")
def corpus():
    return load_seeds()


def test_every_domain_and_none_has_seed_text(corpus):
    counts = Counter(corpus.labels)
    assert set(counts) == {0} | {d.id for d in DOMAINS}
    assert min(counts.values()) >= 100


@pytest.mark.parametrize("did", range(0, 17))
def test_knowledge_base_files(did):
    path = domain_dirs()[did]
    sizes = {}
    for name in ("terms.ja.txt", "terms.en.txt", "examples.ja.txt", "examples.en.txt"):
        lines = [x for x in (path / name).read_text(encoding="utf-8").splitlines() if x.strip() and not x.startswith("#")]
        assert len(lines) == len(set(lines)), f"{path.name}/{name} has duplicate lines"
        sizes[name] = len(lines)
    assert sizes["terms.ja.txt"] >= 300 and sizes["terms.en.txt"] >= 150
    assert sizes["examples.ja.txt"] >= 60 and sizes["examples.en.txt"] >= 25


def test_hash_changes_with_content(tmp_path, corpus):
    import shutil

    root = tmp_path / "seeds"
    shutil.copytree(domain_dirs()[1].parent.parent, root)
    assert load_seeds(root).sha256 == corpus.sha256
    with open(root / "domains" / "12_quantum" / "extra.txt", "w", encoding="utf-8") as f:
        f.write("# a new file is picked up\n量子ビットの新しい読み出し方式\n")
    more = load_seeds(root)
    assert more.sha256 != corpus.sha256 and len(more) == len(corpus) + 1 and more.labels[-1] != 0


def test_misnamed_directory_is_refused(tmp_path):
    (tmp_path / "domains" / "12_quantom").mkdir(parents=True)
    with pytest.raises(ValueError, match="12_quantom"):
        load_seeds(tmp_path)


def test_no_seed_text_is_copied_from_the_dev_set(corpus, dev_rows):
    # A shared run of 40 characters (a Japanese clause, or about seven English words) would mean a
    # dev text leaked into training; shorter runs are terms and stock phrases ("the aim of this research").
    def squash(s):
        return re.sub(r"\s+", " ", s)

    n = 40
    seen = set()
    for text in corpus.texts:
        t = squash(text)
        seen.update(t[i : i + n] for i in range(max(1, len(t) - n + 1)))
    for row in dev_rows:
        t = squash(row["text"])
        shared = [t[i : i + n] for i in range(len(t) - n + 1) if t[i : i + n] in seen]
        assert not shared, f"{row['id']} shares text with the seeds: {shared[0]}"
