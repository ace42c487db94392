"""Shared fixtures: the shipped model, a tiny model trained in seconds, the dev set when present,
and labelled texts on which the shipped model is overconfident."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import techdomain
from techdomain import DomainClassifier

REPO = Path(__file__).resolve().parent.parent
DEV_SET = REPO.parent / "shared" / "data" / "dev.jsonl"

TINY_TEXTS = [
    "超伝導量子ビットの誤り訂正", "量子鍵配送の長距離化", "イオントラップ量子コンピュータ",
    "人工衛星の姿勢制御", "ロケットエンジンの燃焼試験", "月面探査ローバー",
    "船体構造の疲労強度", "船舶のプロペラ設計", "造船所の溶接工程",
    "近世文学の写本研究", "中世史料の調査", "教育方法の国際比較",
]  # fmt: skip
TINY_LABELS = [12, 12, 12, 16, 16, 16, 1, 1, 1, 0, 0, 0]


@pytest.fixture(scope="session")
def model() -> DomainClassifier:
    return techdomain.load()


@pytest.fixture(scope="session")
def tiny_model() -> DomainClassifier:
    return DomainClassifier(calibrate=False).fit(TINY_TEXTS, TINY_LABELS)


@pytest.fixture(scope="session")
def dev_rows() -> list[dict]:
    if not DEV_SET.is_file():
        pytest.skip(f"{DEV_SET} is not here (it lives outside the repository)")
    return [json.loads(line) for line in DEV_SET.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.fixture(scope="session")
def labelled() -> tuple[list[str], list[int]]:
    """Seed exemplars, half of them glued to an exemplar of another domain and labelled by the first.

    The model cannot know which half the label follows, so it is overconfident on these, as on real
    two-domain abstracts, and right on some of them only.
    """
    from techdomain.seeds import load_seeds

    corpus = load_seeds()
    rows = [(t, y) for t, y, s in zip(corpus.texts, corpus.labels, corpus.sources) if "/examples.ja" in s]
    rng = np.random.default_rng(0)
    picks = rng.permutation(len(rows))[:160]
    texts, labels = [], []
    for i, j in zip(picks[:80], picks[80:]):
        (a, ya), (b, yb) = rows[i], rows[j]
        texts.append(a + b if i % 2 and ya != yb else a)
        labels.append(ya)
    return texts, labels
