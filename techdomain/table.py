"""Where CSV rows come in and go out: CSV/TSV/JSONL in any encoding Excel produces, streamed.

Reading never stops at a bad row: undecodable bytes, ragged rows and broken JSON lines come back
as rows with a ``problem`` so the caller can flag them and carry on. Only a file that cannot be
read at all (no header, an unterminated quote that swallows the rest of the file) raises
:class:`~techdomain.errors.InputFormatError`.
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import json
import os
import re
import sys
import tempfile
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from .errors import InputFormatError
from .modelfile import _chmod_like_a_new_file

csv.field_size_limit(min(sys.maxsize, 2**31 - 1))  # abstracts with embedded tables exceed the 128 KiB default

TEXT_COLUMN_NAMES = (
    "abstract", "要約", "概要", "研究概要", "研究開始時の研究の概要", "抄録", "text", "summary",
    "description", "本文", "内容", "課題名", "title", "タイトル", "発明の名称",
)  # fmt: skip
_SAMPLE = 1 << 20


@dataclass
class Row:
    """One input row: its cells in order, or a problem that kept it from being read cleanly."""

    cells: list[str]
    problem: str = ""
    extra: dict[str, Any] = field(default_factory=dict)  # JSONL: the original object


@dataclass
class Table:
    header: list[str]
    rows: Iterator[Row]
    format: str  # "csv", "tsv" or "jsonl"
    encoding: str


def detect_encoding(sample: bytes) -> str:
    """The encoding of a byte sample: a BOM decides; else UTF-8 if it decodes, else CP932."""
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=False)
        return "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        codecs.getincrementaldecoder("cp932")().decode(sample, final=False)
        return "cp932"
    except UnicodeDecodeError:
        return "utf-8"  # neither fits: read as UTF-8 and flag the rows whose bytes do not decode


def _format_by_name(name: str) -> str | None:
    lower = name.lower()
    if lower.endswith((".jsonl", ".ndjson")):
        return "jsonl"
    if lower.endswith((".tsv", ".tab")):
        return "tsv"
    if lower.endswith(".csv"):
        return "csv"
    return None


def _format_of(name: str, first_line: str) -> str:
    known = "jsonl" if name.lower().endswith(".json") else _format_by_name(name)
    if known:
        return known
    if first_line.lstrip().startswith("{"):
        return "jsonl"
    return "tsv" if "\t" in first_line and "," not in first_line else "csv"


def _bad_bytes(cells: list[str]) -> bool:
    return any("\udc80" <= ch <= "\udcff" for c in cells for ch in c if ch >= "\udc80")


def _clean(cells: list[str]) -> list[str]:
    # surrogateescape keeps undecodable bytes as lone surrogates; they cannot be written back out.
    return ["".join("\ufffd" if "\udc80" <= ch <= "\udcff" else ch for ch in c) for c in cells]


@contextmanager
def open_table(path: str, encoding: str | None = None, fmt: str | None = None) -> Iterator[Table]:
    """Open ``path`` (``-`` for stdin) as a :class:`Table` whose rows stream lazily."""
    raw: IO[bytes] = sys.stdin.buffer if path == "-" else open(path, "rb", buffering=_SAMPLE)
    try:
        sample = raw.peek(_SAMPLE)[:_SAMPLE]  # type: ignore[attr-defined]
        enc = encoding or detect_encoding(sample)
        try:
            codecs.lookup(enc)
        except LookupError:
            raise InputFormatError(f"unknown encoding {enc!r}; try utf-8, utf-8-sig, cp932 or utf-16") from None
        text = io.TextIOWrapper(raw, encoding=enc, errors="surrogateescape", newline="")
        first = sample.split(b"\n", 1)[0].decode(enc if enc != "utf-16" else "latin-1", errors="replace")
        kind = fmt or _format_of("" if path == "-" else path, first)
        if kind == "jsonl":
            yield _jsonl(text, enc)
        else:
            yield _delimited(text, enc, "\t" if kind == "tsv" else ",", kind)
    finally:
        if path != "-":
            raw.close()


def _lines(text: IO[str]) -> Iterator[str]:
    for line in text:
        yield line.replace("\x00", "") if "\x00" in line else line  # NUL bytes: Python 3.10's csv refuses them


def _delimited(text: IO[str], enc: str, delimiter: str, kind: str) -> Table:
    reader = csv.reader(_lines(text), delimiter=delimiter, strict=True)
    try:
        header = next(reader)
    except StopIteration:
        raise InputFormatError("the input is empty: it has no header row") from None
    except csv.Error as e:
        raise InputFormatError(f"cannot read the header row: {e}") from None
    if _bad_bytes(header):
        raise InputFormatError(
            f"the header row does not decode as {enc}; pass --encoding (for example cp932 or utf-8)"
        )
    width = len(header)

    def rows() -> Iterator[Row]:
        line = 1
        while True:
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error as e:
                raise InputFormatError(
                    f"line {reader.line_num}: {e} (a quote opened after line {line} is never closed?); "
                    "fix the file or re-export it from Excel"
                ) from None
            line = reader.line_num
            problem = ""
            if _bad_bytes(cells):
                problem = f"error: bytes that are not valid {enc}"
                cells = _clean(cells)
            if len(cells) != width and cells:
                if len(cells) > width:
                    extra = " | ".join(cells[width:])
                    problem = problem or f"error: ragged row, {len(cells)} fields for {width} columns; extra fields: {extra}"
                    cells = cells[:width]
                else:
                    problem = problem or f"warning: ragged row, {len(cells)} fields for {width} columns"
                    cells = cells + [""] * (width - len(cells))
            elif not cells:
                cells = [""] * width
            yield Row(cells, problem)

    return Table(header, rows(), kind, enc)


def _jsonl(text: IO[str], enc: str) -> Table:
    lines = (line for line in text if line.strip())
    first = next(lines, None)
    # JSONL has no header: the keys of the first object stand for one.
    try:
        obj0 = json.loads(first) if first is not None else {}
        header = list(obj0) if isinstance(obj0, dict) else []
    except json.JSONDecodeError:
        header = []

    def rows() -> Iterator[Row]:
        for line in itertools.chain([first] if first is not None else [], lines):
            try:
                obj = json.loads(line)
                if not isinstance(obj, dict):
                    raise ValueError("not a JSON object")
            except ValueError as e:
                yield Row([""] * len(header), f"error: invalid JSON line ({e})", {"_raw": _clean([line.rstrip()])[0]})
                continue
            yield Row([_cell(obj.get(k)) for k in header], "", obj)

    return Table(header, rows(), "jsonl", enc)


def _cell(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, str):
        return v
    return json.dumps(v, ensure_ascii=False)


def _fold(name: str) -> str:
    return unicodedata.normalize("NFKC", name).strip().lower()


def pick_text_columns(header: list[str], wanted: list[str] | None) -> list[int]:
    """Indexes of the text columns: the named ones, or the first that looks like an abstract."""
    folded = [_fold(h) for h in header]
    if wanted:
        out = []
        for w in wanted:
            hits = [i for i, h in enumerate(folded) if h == _fold(w)]
            if not hits:
                raise InputFormatError(f"no column named {w!r}; the columns are: {', '.join(map(repr, header))}")
            if len(hits) > 1:
                raise InputFormatError(f"{len(hits)} columns are named {w!r}; rename one so the text column is unambiguous")
            out.append(hits[0])
        return out
    for name in TEXT_COLUMN_NAMES:
        for i, h in enumerate(folded):
            if h == name or (len(name) > 2 and name in h):
                return [i]
    raise InputFormatError(
        f"no column looks like the abstract text; name it with --text-column. The columns are: {', '.join(map(repr, header))}"
    )


_FORMULA = re.compile(r"[=+\-@\t\r]")
_NUMBER = re.compile(r"[+-]?(\d[\d,]*\.?\d*|\.\d+)([eE][+-]?\d+)?%?\Z")


def defuse(cell: str) -> str:
    """Prefix a cell that Excel would run as a formula (=, +, -, @ first) with a quote; numbers stay."""
    if cell and _FORMULA.match(cell) and not _NUMBER.match(cell):
        return "'" + cell
    return cell


class Writer:
    """Writes rows to a temporary file beside the target and renames it into place on :meth:`commit`."""

    def __init__(self, path: str, header: list[str], fmt: str, encoding: str, defuse_formulas: bool = True):
        self.path = path
        self.fmt = fmt
        self.header = header
        self.defuse_formulas = defuse_formulas and fmt != "jsonl"
        if path == "-":
            self._tmp = None
            self._file = io.TextIOWrapper(sys.stdout.buffer, encoding=encoding, errors="replace", newline="", write_through=False)
        else:
            target = Path(path).resolve()
            fd, self._tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
            self._file = io.open(fd, "w", encoding=encoding, errors="replace", newline="")
        if fmt != "jsonl":
            self._csv = csv.writer(self._file, delimiter="\t" if fmt == "tsv" else ",", lineterminator="\r\n")
            self._csv.writerow(header)

    def write(self, cells: list[Any], obj: dict[str, Any] | None = None) -> None:
        if self.fmt == "jsonl":
            self._file.write(json.dumps(obj, ensure_ascii=False) + "\n")
        else:
            out = ["" if c is None else str(c) for c in cells]
            self._csv.writerow([defuse(c) for c in out] if self.defuse_formulas else out)

    def commit(self) -> None:
        self._file.flush()
        if self._tmp is None:
            self._file.detach().flush()  # stdout: push the bytes out before the summary goes to stderr
            return
        self._file.close()
        _chmod_like_a_new_file(self._tmp)
        os.replace(self._tmp, self.path)
        self._tmp = None

    def abort(self) -> None:
        if self._tmp is not None:
            try:
                self._file.close()
            finally:
                Path(self._tmp).unlink(missing_ok=True)
                self._tmp = None
        else:
            try:
                self._file.detach()
            except ValueError:
                pass


def output_format(path: str, input_format: str) -> str:
    """The output's format by its extension; stdout and unknown extensions keep the input's."""
    return _format_by_name(path) or input_format
