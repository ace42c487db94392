"""The ``techdomain`` command: classify, train, calibrate, evaluate, domains."""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from .chars import CHARS_CHOICES
from .classifier import METHODS
from .errors import TechdomainError
from .taxonomy import DOMAINS, NONE

CHUNK_ROWS = 2000  # rows classified at a time: memory stays flat however long the file is

_EXAMPLES = {
    "classify": "example:\n  techdomain classify kaken.csv -o kaken_domains.csv --text-column 研究課題名 --text-column 研究概要",
    "train": "example:\n  techdomain train labelled.csv -o my_model.npz --text-column abstract --label-column domain",
    "calibrate": "example:\n  techdomain calibrate labelled.csv -o calibrated.npz --text-column abstract --label-column domain",
    "evaluate": "example:\n  techdomain evaluate ../shared/data/dev.jsonl",
    "domains": "example:\n  techdomain domains",
}


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="techdomain",
        description="Classify abstracts into Japan's 16 important technology domains.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="\n".join(_EXAMPLES.values()),
    )
    sub = p.add_subparsers(dest="command", required=True)

    def command(name: str, help: str) -> argparse.ArgumentParser:
        return sub.add_parser(name, help=help, description=help, epilog=_EXAMPLES[name],
                              formatter_class=argparse.RawDescriptionHelpFormatter)

    c = command("classify", "Classify every row of a CSV, TSV or JSONL file; every input row comes out, in order.")
    c.add_argument("input", help="CSV, TSV or JSONL file, or - for standard input")
    c.add_argument("-o", "--output", required=True, help="output file (.csv, .tsv or .jsonl), or - for standard output")
    c.add_argument("--text-column", action="append", metavar="COL", help="column holding the text; repeat to join several (title + abstract)")
    c.add_argument("--top-k", type=int, default=3, metavar="K", help="ranked domains per row (default 3)")
    c.add_argument("--only", action="append", metavar="COL", help="write only these input columns (repeat; default: all of them) before the results")
    c.add_argument("--model", metavar="PATH", help="model file (default: the shipped model)")
    c.add_argument("--encoding", help="input encoding (default: detected; utf-8, utf-8-sig, cp932, utf-16)")
    c.add_argument("--output-encoding", default=None, help="default utf-8-sig (with BOM, so Excel reads Japanese), utf-8 for stdout")
    c.add_argument("--jobs", type=int, default=1, metavar="N", help="worker processes (-1: all cores)")
    c.add_argument("--max-chars", type=int, default=None, metavar="N", help="cut longer texts to N characters, flagged (default 20000)")
    c.add_argument("--keep-formulas", action="store_true", help="write cells starting with = + - @ as they are (default: prefix ' so Excel does not run them)")
    c.add_argument("--quiet", action="store_true", help="no progress bar or summary")
    c.add_argument("--summary", metavar="PNG", help="also write a bar chart of rows per domain, coloured by tier (needs techdomain[report])")

    t = command("train", "Train a model from labelled examples (added to the bundled seeds unless --no-seeds); "
                "with 30 or more, its confidence is also recalibrated to them.")
    t.add_argument("input", help="CSV, TSV or JSONL with a text column and a label column")
    t.add_argument("-o", "--output", required=True, help="model file to write (.npz); a model card is written beside it")
    t.add_argument("--text-column", action="append", metavar="COL")
    t.add_argument("--label-column", default=None, metavar="COL", help="labels: ids, slugs or Japanese names; several separated by ; or | (main first)")
    t.add_argument("--no-seeds", action="store_true", help="train on your examples alone")
    t.add_argument("--encoding")
    t.add_argument("--method", choices=METHODS, default=None,
                   help="complement naive Bayes or logistic regression (default: as the shipped model)")
    t.add_argument("--alpha", type=float, default=None, help="naive Bayes smoothing (default: as the shipped model)")
    t.add_argument("--C", type=float, default=None, help="logistic regularisation (default: as the shipped model)")
    t.add_argument("--user-weight", type=float, default=None, metavar="W", help="each of your examples counts as W seed texts (default 5)")
    t.add_argument("--stop-words", choices=["register"], default=None,
                   help="'register': leave out research-writing words (研究, 分析, 調査, study ...) that every abstract uses")
    t.add_argument("--jobs", type=int, default=1, metavar="N")
    t.add_argument("--chars", type=int, default=0, choices=CHARS_CHOICES, metavar="N",
                   help="also use character n-grams of 2 to N characters as features (N = 2, 3 or 4; default 0: words only); "
                        "for text the dictionary reads badly; with naive Bayes, held-out seed text scores lower in Japanese and "
                        "higher in English (README); a larger model that classifies at about two thirds of the rate")

    k = command("calibrate", "Recalibrate a model's confidence on your labelled abstracts (decisions do not change).")
    k.add_argument("input", help="CSV, TSV or JSONL with a text column and a label column: 30 rows at least, 80+ better, "
                   "drawn like the texts you will classify and not used to train the model")
    k.add_argument("-o", "--output", required=True, help="model file to write (.npz); a model card is written beside it")
    k.add_argument("--model", metavar="PATH", help="model to recalibrate (default: the shipped model)")
    k.add_argument("--text-column", action="append", metavar="COL")
    k.add_argument("--label-column", default=None, metavar="COL")
    k.add_argument("--encoding")
    k.add_argument("--jobs", type=int, default=1, metavar="N")

    e = command("evaluate", "Accuracy of a model on labelled examples: top-1, top-3, macro-F1, per domain, confusion.")
    e.add_argument("input", help="CSV, TSV or JSONL with text and labels (dev.jsonl's 'labels' lists work as they are)")
    e.add_argument("--model", metavar="PATH")
    e.add_argument("--text-column", action="append", metavar="COL")
    e.add_argument("--label-column", default=None, metavar="COL")
    e.add_argument("--encoding")
    e.add_argument("--by", default=None, metavar="COL", help="also report per value of this column (e.g. lang)")
    e.add_argument("--json", action="store_true", help="print the figures as JSON")
    e.add_argument("--intervals", type=int, nargs="?", const=1000, default=0, metavar="N",
                   help="also a 95%% bootstrap interval for each figure, over N resamples of the items (default N 1000)")
    e.add_argument("--report", metavar="HTML", help="also write a self-contained HTML report with charts (needs techdomain[report])")
    e.add_argument("--jobs", type=int, default=1, metavar="N")

    command("domains", "List the 16 domains: id, slug, Japanese name, English name, tier.")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status (0 ok, 1 bad input or model, 2 usage)."""
    args = _parser().parse_args(argv)
    try:
        return {"classify": _classify, "train": _train, "calibrate": _calibrate, "evaluate": _evaluate, "domains": _domains}[args.command](args)
    except (TechdomainError, FileNotFoundError, IsADirectoryError, PermissionError) as e:
        print(f"techdomain {args.command}: error: {e}", file=sys.stderr)
        return 1


def _load(path: str | None):
    from . import load

    return load(path)


# ---- classify ------------------------------------------------------------------------------
class _Progress:
    def __init__(self, enabled: bool):
        self.enabled = enabled and sys.stderr.isatty()
        self.start = time.perf_counter()
        self.last = 0.0

    def update(self, rows: int, final: bool = False) -> None:
        now = time.perf_counter()
        if not self.enabled or (now - self.last < 0.5 and not final):
            return
        self.last = now
        rate = rows / max(now - self.start, 1e-9)
        print(f"\r{rows:,} rows  {rate:,.0f} rows/s", end="\n" if final else "", file=sys.stderr, flush=True)


def _classify(args: argparse.Namespace) -> int:
    from .output import output_columns
    from .table import Writer, open_table, output_format, pick_text_columns

    model = _load(args.model)
    model.n_jobs = args.jobs
    if args.max_chars:
        model.max_chars = args.max_chars
    k = max(1, args.top_k)
    with open_table(args.input, args.encoding) as table:
        cols = pick_text_columns(table.header, args.text_column)
        keep = pick_text_columns(table.header, args.only) if args.only else None
        if not args.text_column and not args.quiet:
            print(f"techdomain classify: reading text from column {table.header[cols[0]]!r}", file=sys.stderr)
        added = output_columns(k) + ["status"]
        clash = set(added) & set(table.header)
        prefix = "td_" if clash else ""
        if clash and not args.quiet:
            print(f"techdomain classify: the input already has {sorted(clash)}; new columns are prefixed td_", file=sys.stderr)
        fmt = output_format(args.output, table.format)
        enc = args.output_encoding or ("utf-8" if args.output == "-" or fmt == "jsonl" else "utf-8-sig")
        shown = table.header if keep is None else [table.header[i] for i in keep]
        out = Writer(args.output, shown + [prefix + a for a in added], fmt, enc, not args.keep_formulas)
        counts: Counter[int] = Counter()
        flagged = 0
        n = 0
        progress = _Progress(not args.quiet)
        chunk_rows = CHUNK_ROWS * _workers(args.jobs)
        try:
            chunk = []
            for row in table.rows:
                chunk.append(row)
                if len(chunk) >= chunk_rows:
                    flagged += _classify_chunk(model, chunk, cols, keep, k, out, counts, prefix, added)
                    n += len(chunk)
                    chunk = []
                    progress.update(n)
            flagged += _classify_chunk(model, chunk, cols, keep, k, out, counts, prefix, added)
            n += len(chunk)
            progress.update(n, final=True)
            out.commit()
        except BaseException:
            out.abort()
            raise
    if not args.quiet:
        _summary(n, counts, flagged)
    if args.summary:
        from .report import write_summary

        write_summary(counts, args.summary)
    return 0


def _workers(jobs: int) -> int:
    if jobs == 1:
        return 1
    from joblib import effective_n_jobs

    return effective_n_jobs(jobs)


def _classify_chunk(model, rows, cols, keep, k, out, counts, prefix, added) -> int:
    from .output import row_values

    if not rows:
        return 0
    texts = []
    status = []
    for row in rows:
        text = "\n".join(row.cells[i] for i in cols if i < len(row.cells) and row.cells[i]).strip()
        notes = []
        if row.problem.startswith("error"):
            text, notes = "", [row.problem]  # the row could not be read as it was meant: do not guess
        elif not text:
            notes.append("empty")
        elif len(text) > model.max_chars:
            notes.append(f"truncated: {len(text)} characters, first {model.max_chars} classified")
        if row.problem and not row.problem.startswith("error"):
            notes.append(row.problem)
        texts.append(text)
        status.append("; ".join(notes))
    d = model.decide(texts, k)
    flagged = 0
    for i, row in enumerate(rows):
        values: list = []
        if not texts[i] or status[i].startswith("error"):
            values = [""] * (len(added) - 1) + [status[i]]
            flagged += 1
        else:
            values = row_values(d, i, k) + [status[i]]
            counts[values[0]] += 1
            flagged += bool(status[i])
        cells = row.cells if keep is None else [row.cells[j] for j in keep]
        if out.fmt == "jsonl":
            obj = dict(row.extra) if row.extra and keep is None else dict(zip(out.header, cells))
            obj.update({prefix + a: v for a, v in zip(added, values)})
            out.write([], obj)
        else:
            out.write(cells + values)
    return flagged


def _summary(n: int, counts: Counter, flagged: int) -> None:
    print(f"techdomain classify: {n:,} rows, {sum(counts.values()):,} classified, {flagged:,} flagged (see the status column)", file=sys.stderr)
    for d in DOMAINS + (NONE,):
        if counts[d.id]:
            print(f"  {d.id:>2} {_pad(d.name_ja, 46)} {counts[d.id]:>8,}", file=sys.stderr)


def _pad(text: str, width: int) -> str:
    # Full-width characters take two terminal columns; str.ljust would count them as one.
    import unicodedata

    used = sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)
    return text + " " * max(0, width - used)


# ---- train / evaluate --------------------------------------------------------------------------
def read_labelled(path: str, text_columns: list[str] | None, label_column: str | None, encoding: str | None = None):
    """Texts, label lists and the table's rows from a labelled CSV/TSV/JSONL file."""
    from .errors import InputFormatError, TrainingDataError
    from .labels import label_ids
    from .table import open_table, pick_text_columns

    with open_table(path, encoding) as table:
        cols = pick_text_columns(table.header, text_columns)
        names = [label_column] if label_column else ["labels", "label", "domain", "domains", "domain_id", "分野", "ラベル"]
        lab = next((i for i, h in enumerate(table.header) if h.strip().lower() in [x.lower() for x in names]), None)
        if lab is None:
            raise InputFormatError(
                f"no label column{' named ' + repr(label_column) if label_column else ''}; "
                f"name it with --label-column. The columns are: {', '.join(map(repr, table.header))}"
            )
        texts, labels, extras = [], [], []
        for no, row in enumerate(table.rows, 2):
            if row.problem.startswith("error"):
                raise TrainingDataError(f"row {no}: {row.problem}")
            value = row.extra.get(table.header[lab]) if row.extra else row.cells[lab]
            try:
                labels.append(label_ids(value))
            except TechdomainError as e:
                valid = ", ".join(f"{d.id}/{d.slug}/{d.name_ja}" for d in DOMAINS)
                raise TrainingDataError(f"row {no}: {e}. Valid labels: {valid}; 'none' or 0 for none of the 16") from None
            texts.append("\n".join(row.cells[i] for i in cols if row.cells[i]))
            extras.append(row.extra or dict(zip(table.header, row.cells)))
    return texts, labels, extras


def _train(args: argparse.Namespace) -> int:
    from .build import train_model, write_card
    from .confidence import MIN_EXAMPLES
    from .errors import TrainingDataError

    texts, labels, _ = read_labelled(args.input, args.text_column, args.label_column, args.encoding)
    if not texts:
        raise TrainingDataError(f"{args.input} has no labelled rows")
    from .build import USER_WEIGHT

    weight = USER_WEIGHT if args.user_weight is None else args.user_weight
    model, corpus = train_model(
        texts, labels, seeds=not args.no_seeds, method=args.method, C=args.C, alpha=args.alpha, user_weight=weight, stop_words=args.stop_words, n_jobs=args.jobs,
        chars=args.chars,
    )
    model.save(args.output)
    write_card(model, Path(args.output).with_suffix(".md"), corpus, user_file=args.input, user_rows=len(texts))
    cmap = model.confidence_map_
    calibrated = (f"; confidence recalibrated on the out-of-fold predictions of your {cmap.n} examples" if cmap
                  else f"; confidence not recalibrated (that needs at least {MIN_EXAMPLES} examples with some predicted wrong)")
    print(f"techdomain train: wrote {args.output} ({len(texts)} labelled rows{'' if args.no_seeds else ' + seeds'}){calibrated}",
          file=sys.stderr)
    return 0


def _calibrate(args: argparse.Namespace) -> int:
    from .build import write_card
    from .evaluate import expected_calibration_error

    model = _load(args.model)
    model.n_jobs = args.jobs
    texts, labels, _ = read_labelled(args.input, args.text_column, args.label_column, args.encoding)
    truth = [ls[0] for ls in labels]
    before = model.decide(texts, top_k=1)
    model.fit_confidence(texts, labels)
    after = model.decide(texts, top_k=1)
    right = before.main == truth
    model.save(args.output)
    write_card(model, Path(args.output).with_suffix(".md"), None, user_file=args.input, user_rows=len(texts),
               base=args.model or "the shipped default model")
    print(
        f"techdomain calibrate: wrote {args.output}. On the {len(texts)} rows of {args.input}: accuracy {right.mean():.3f}, "
        f"mean confidence {before.confidence.mean():.3f} -> {after.confidence.mean():.3f}, "
        f"ECE {expected_calibration_error(before.confidence, right):.3f} -> "
        f"{expected_calibration_error(after.confidence, right):.3f} (measured on the rows it was fitted on; "
        "check it with techdomain evaluate on other labelled rows)",
        file=sys.stderr,
    )
    return 0


def _evaluate(args: argparse.Namespace) -> int:
    from .evaluate import evaluate, format_report

    model = _load(args.model)
    model.n_jobs = args.jobs
    texts, labels, extras = read_labelled(args.input, args.text_column, args.label_column, args.encoding)
    result = {"all": evaluate(model, texts, labels, intervals=args.intervals)}
    if args.by:
        for value in sorted({str(e.get(args.by, "")) for e in extras}):
            sel = [i for i, e in enumerate(extras) if str(e.get(args.by, "")) == value]
            result[f"{args.by}={value}"] = evaluate(
                model, [texts[i] for i in sel], [labels[i] for i in sel], intervals=args.intervals
            )
    if args.report:
        from .report import write_report

        write_report(result, args.report, source=args.input, model=args.model or "default model")
    if args.json:
        for r in result.values():
            for per_item in ("predicted", "confidence", "correct"):
                r.pop(per_item, None)
        print(json.dumps(result, ensure_ascii=False, indent=1))
    else:
        print(format_report(result))
    return 0


def _domains(args: argparse.Namespace) -> int:
    print("id\tslug\tname_ja\tname_en\ttier")
    for d in DOMAINS:
        print(f"{d.id}\t{d.slug}\t{d.name_ja}\t{d.name_en}\t{d.tier}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
