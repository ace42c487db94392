"""Speed, memory and size of techdomain, printed as one JSON object.

    python tests/benchmarks/bench.py            # about 10 minutes on 2 cores
    python tests/benchmarks/bench.py --quick    # 2,000 texts and 10k/100k-row CSVs, for a smoke run
    python tests/benchmarks/bench.py --model my_model.npz   # another model file (e.g. one trained with --chars 4)

Texts: the dev set's texts (../shared/data/dev.jsonl) when it is there, else the seed exemplars,
repeated to at least 20,000 abstracts. Not part of the default test run (pytest does not collect it).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
DEV = REPO.parent / "shared" / "data" / "dev.jsonl"


def texts(n: int) -> tuple[list[str], str]:
    if DEV.is_file():
        base = [json.loads(x)["text"] for x in DEV.read_text(encoding="utf-8").splitlines() if x.strip()]
        source = str(DEV)
    else:
        from techdomain.seeds import load_seeds

        base = [t for t in load_seeds().texts if len(t) > 80]
        source = "seeds/ exemplars"
    return (base * (n // len(base) + 1))[:n], source


def rate(fn, items) -> float:
    start = time.perf_counter()
    fn(items)
    return time.perf_counter() - start


def csv_run(rows: int, sample: list[str], jobs: int, model: str | None = None) -> dict:
    with tempfile.TemporaryDirectory() as d:
        src = Path(d) / "in.csv"
        with open(src, "w", encoding="utf-8", newline="") as f:
            w = csv.writer(f)
            w.writerow(["id", "abstract"])
            for i in range(rows):
                w.writerow([i, sample[i % len(sample)]])
        # A child process per run. Its peak is read from VmHWM, which starts afresh at exec;
        # ru_maxrss would carry over the size of this (large) benchmark process from the fork.
        extra = "" if model is None else f", '--model', {str(Path(model).resolve())!r}"
        code = (
            "import re, time; from techdomain.cli import main; t = time.perf_counter(); "
            f"rc = main(['classify', {str(src)!r}, '-o', {str(Path(d) / 'out.csv')!r}, '--quiet', '--jobs', '{jobs}'{extra}]); "
            "hwm = int(re.search(r'VmHWM:\\s+(\\d+)', open('/proc/self/status').read()).group(1)); "
            "print(time.perf_counter() - t, hwm / 1024)"
        )
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
        seconds, rss = float(out[0]), float(out[1])
        return {"rows": rows, "seconds": round(seconds, 1), "rows_per_s": round(rows / seconds), "peak_rss_mb": round(rss)}


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--quick", action="store_true")
    p.add_argument("--model", default=None, help="model file (default: the shipped model)")
    args = p.parse_args()
    import fugashi

    import techdomain

    n = 2000 if args.quick else 20000
    sample, source = texts(n)
    chars = sum(map(len, sample))
    tagger = fugashi.Tagger()
    fugashi_s = rate(lambda xs: [tagger.parse(x) for x in xs], sample)
    model = techdomain.load(args.model)
    model.predict_proba(sample[:50])  # warm the tokenizer
    one = rate(model.predict_proba, sample)
    model.n_jobs = 2
    model.predict_proba(sample[:500])  # start the worker pool outside the timing
    two = rate(model.predict_proba, sample)
    model.n_jobs = 1
    many = rate(lambda xs: model.classify_many(xs, top_k=3), sample)
    load = subprocess.run(
        [sys.executable, "-c", "import sys, time; t = time.perf_counter(); import techdomain; techdomain.load(sys.argv[1] if len(sys.argv) > 1 else None); "
         "print(time.perf_counter() - t)", *([str(Path(args.model).resolve())] if args.model else [])],
        capture_output=True, text=True, check=True,
    )
    from techdomain.resources import default_model_dir

    big = 100_000 if args.quick else 1_000_000
    result = {
        "texts": n,
        "source": source,
        "mean_chars": round(chars / n),
        "fugashi_chars_per_s": round(chars / fugashi_s),
        "classify_chars_per_s": round(chars / one),
        "classify_docs_per_s": round(n / one),
        "classify_many_docs_per_s": round(n / many),
        "ratio_to_fugashi": round(fugashi_s / one, 3),
        "speedup_2_jobs": round(one / two, 2),
        "load_s": round(float(load.stdout), 3),
        "model": args.model or "shipped",
        "model_bytes": Path(args.model or default_model_dir() / "model.npz").stat().st_size,
        "csv_10k": csv_run(10_000, sample, 1, args.model),
        f"csv_{big // 1000}k": csv_run(big, sample, 1, args.model),
        "cpu_count": os.cpu_count(),
    }
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
