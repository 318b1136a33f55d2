"""Reading an uploaded table (CSV or XLSX) without letting the file exhaust the server: one
reader for every importer (population returns, phone submissions of visits and services) and
the ceiling on a request's size.

Each limit is a setting read from the environment (`settings.py`, `MOTHERLINE_IMPORT_*`) and
is checked while reading, before the cost is paid: the file's size before a byte is parsed;
an XLSX workbook's entries, their total unzipped size and each one's compression ratio from the
zip directory before anything is decompressed; then, row by row as the sheet or the text is
streamed, the number of rows, of columns and the characters in one cell. A workbook part that
declares a DTD (the way to an XML entity expansion) is refused before the parser sees it, and
openpyxl parses with defusedxml besides. NUL characters, text that is not UTF-8 (UTF-16, a
legacy code page) and a damaged zip are each refused with what is wrong and where.

A refusal is `FileRefused` (a sentence, the line and the column where it applies); an importer
reports it like a refused row, so nothing is written. The rows are yielded one by one; an
importer that keeps them holds at most `rows` of them.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import struct
import threading
import zipfile
import zlib
from collections.abc import Callable, Iterator
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any
from xml.parsers import expat

from defusedxml.common import DefusedXmlException
from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.html import escape
from django.utils.translation import gettext as _

NUL = "\x00"
ZIP_MAGIC = b"PK\x03\x04"
# The end-of-central-directory record: signature, then the entry count at offset 10.
_END_OF_DIRECTORY = b"PK\x05\x06"
# Before a part's root element only its declaration, comments and whitespace may come: a
# DTD is the only place an entity is declared, so a part that has one is refused unread.
_PROLOGUE_BYTES = 4096
_DTD = re.compile(rb"<!(DOCTYPE|ENTITY)", re.IGNORECASE)
# A part smaller than this may compress as much as it likes (an empty sheet is all markup).
_RATIO_FLOOR_BYTES = 1 << 20
_CHUNK = 1 << 16


@dataclass(frozen=True)
class Limits:
    """What one imported file may hold; `from_settings()` reads the deployment's values."""

    upload_bytes: int
    unzipped_bytes: int
    compression_ratio: int
    zip_entries: int
    rows: int
    columns: int
    cells: int
    cell_chars: int

    @classmethod
    def from_settings(cls) -> Limits:
        return cls(
            upload_bytes=settings.MOTHERLINE_IMPORT_MAX_BYTES,
            unzipped_bytes=settings.MOTHERLINE_IMPORT_MAX_UNZIPPED_BYTES,
            compression_ratio=settings.MOTHERLINE_IMPORT_MAX_COMPRESSION_RATIO,
            zip_entries=settings.MOTHERLINE_IMPORT_MAX_ZIP_ENTRIES,
            rows=settings.MOTHERLINE_IMPORT_MAX_ROWS,
            columns=settings.MOTHERLINE_IMPORT_MAX_COLUMNS,
            cells=settings.MOTHERLINE_IMPORT_MAX_CELLS,
            cell_chars=settings.MOTHERLINE_IMPORT_MAX_CELL_CHARS,
        )


class FileRefused(ValueError):
    """The file cannot be imported: why, and where (line 1 is the header; 0 the whole file)."""

    def __init__(self, message: str, line: int = 0, column: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column

    def located(self) -> str:
        """The message with its cell, for a page or a terminal (the API gives them apart)."""
        if self.line and self.column:
            return _("Line %(line)s, column %(column)s: %(message)s") % {
                "line": self.line,
                "column": self.column,
                "message": self.message,
            }
        return self.message


def megabytes(size: int) -> str:
    return f"{size / (1 << 20):.1f}".removesuffix(".0")


Source = bytes | IO[bytes] | Path


def read_table(
    source: Source,
    filename: str = "",
    limits: Limits | None = None,
    *,
    dialect: Any = None,
) -> Iterator[tuple[int, list[Any]]]:
    """The rows of a CSV or XLSX file as (line, cells), the header first (line 1).

    XLSX is recognised by its content (a zip) or its name; CSV cells are text, XLSX cells
    what the workbook holds (text, numbers, dates). A CSV `dialect` given is used as it is
    and the file is read as CSV whatever it holds; without one, the delimiter is found
    (comma or semicolon). Raises `FileRefused` as soon as a limit is passed or the file is
    found unreadable, possibly after some rows were yielded."""
    limits = limits or Limits.from_settings()
    stream = _open(source)
    try:
        yield from _rows(stream, filename, limits, dialect)
    finally:
        if isinstance(source, Path):
            stream.close()


def _rows(
    stream: IO[bytes], filename: str, limits: Limits, dialect: Any
) -> Iterator[tuple[int, list[Any]]]:
    size = _size(stream)
    if size > limits.upload_bytes:
        raise FileRefused(
            _("The file is %(size)s MB, more than the limit of %(limit)s MB.")
            % {"size": megabytes(size), "limit": megabytes(limits.upload_bytes)}
        )
    head = stream.read(4)
    stream.seek(0)
    if dialect is None and (head == ZIP_MAGIC or filename.lower().endswith((".xlsx", ".xlsm"))):
        if head != ZIP_MAGIC:
            raise FileRefused(_("The file is named .xlsx but is not an XLSX workbook."))
        yield from _xlsx_rows(stream, limits)
    else:
        yield from _csv_rows(stream, limits, dialect)


def _open(source: Source) -> IO[bytes]:
    if isinstance(source, bytes):
        return io.BytesIO(source)
    if isinstance(source, Path):
        return source.open("rb")
    with suppress(AttributeError, OSError):
        source.seek(0)
    return source


def _size(stream: IO[bytes]) -> int:
    stream.seek(0, io.SEEK_END)
    size = stream.tell()
    stream.seek(0)
    return size


# CSV


_CSV_LIMIT = threading.Lock()


def _csv_rows(
    stream: IO[bytes], limits: Limits, dialect: Any = None
) -> Iterator[tuple[int, list[Any]]]:
    start = stream.read(_PROLOGUE_BYTES)
    stream.seek(0)
    if start.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or (
        len(start) >= 4 and start.count(b"\x00") * 3 >= len(start)
    ):
        raise FileRefused(
            _(
                "The file is UTF-16 text (as some spreadsheet programs save “Unicode text”): "
                "save it as “CSV UTF-8” and import it again."
            )
        )
    lines = _text_lines(stream)
    first = next(lines, "")
    if not first:
        return
    if dialect is None:
        dialect = csv.excel
        with suppress(csv.Error):
            # KoBoToolbox exports with semicolons; a header without either is plain CSV.
            dialect = csv.Sniffer().sniff(first[:_CHUNK], delimiters=",;")
    reader = csv.reader(_chain_first(first, lines), dialect)
    count = cells = 0
    header: list[str] = []
    while True:
        line = reader.line_num + 1  # where the record starts (a quoted cell may span lines)
        try:
            record = _next_record(reader, limits.cell_chars)
        except StopIteration:
            return
        except csv.Error as exc:
            at = reader.line_num
            if "field larger than field limit" in str(exc):
                raise FileRefused(
                    _("A cell on line %(line)s holds more than %(limit)s characters.")
                    % {"line": at, "limit": f"{limits.cell_chars:,}"},
                    line=at,
                ) from None
            raise FileRefused(
                _("CSV syntax error on line %(line)s: %(error)s") % {"line": at, "error": exc},
                line=at,
            ) from None
        count, cells = count + 1, cells + len(record)
        if count == 1:
            header = [str(cell) for cell in record]
        _check_row(count, cells, line, record, header, limits)
        yield line, record


def _text_lines(stream: IO[bytes]) -> Iterator[str]:
    """The file's lines as text, decoded one by one so that a byte that is not UTF-8 is
    reported with its line (a newline byte never occurs inside a UTF-8 character)."""
    for number, raw in enumerate(iter(stream.readline, b""), start=1):
        try:
            yield raw.decode("utf-8-sig" if number == 1 else "utf-8")
        except UnicodeDecodeError:
            raise FileRefused(
                _(
                    "Line %(line)s is not UTF-8 text: save the file as “CSV UTF-8” and import "
                    "it again."
                )
                % {"line": number},
                line=number,
            ) from None


def _chain_first(first: str, rest: Iterator[str]) -> Iterator[str]:
    yield first
    yield from rest


def _next_record(reader: Any, cell_chars: int) -> list[str]:
    # csv's field limit is one value for the whole process: set it for this read only,
    # under a lock, and give the previous value back.
    with _CSV_LIMIT:
        previous = csv.field_size_limit(cell_chars)
        try:
            return list(next(reader))
        finally:
            csv.field_size_limit(previous)


# XLSX


def _xlsx_rows(stream: IO[bytes], limits: Limits) -> Iterator[tuple[int, list[Any]]]:
    _check_zip_directory(stream, limits)
    try:
        archive = zipfile.ZipFile(stream)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise FileRefused(
            _("The XLSX workbook is damaged: its zip directory cannot be read.")
        ) from None
    with archive:
        _check_entries(archive, limits)
        stream.seek(0)
        yield from _sheet_rows(stream, limits)


def _check_zip_directory(stream: IO[bytes], limits: Limits) -> None:
    """The entry count from the end of the zip, before `zipfile` reads every entry."""
    size = _size(stream)
    tail_size = min(size, 22 + 0xFFFF)
    stream.seek(size - tail_size)
    tail = stream.read(tail_size)
    stream.seek(0)
    at = tail.rfind(_END_OF_DIRECTORY)
    if at < 0 or len(tail) < at + 22:
        raise FileRefused(
            _("The XLSX workbook is damaged: its zip directory cannot be read.")
        ) from None
    (entries,) = struct.unpack("<H", tail[at + 10 : at + 12])
    if entries > limits.zip_entries:  # 0xFFFF: a zip64 directory, more than any workbook has
        raise FileRefused(
            _("The XLSX workbook has more than %(limit)s parts.") % {"limit": limits.zip_entries}
        )


def _check_entries(archive: zipfile.ZipFile, limits: Limits) -> None:
    entries = archive.infolist()
    if len(entries) > limits.zip_entries:
        raise FileRefused(
            _("The XLSX workbook has more than %(limit)s parts.") % {"limit": limits.zip_entries}
        )
    total = 0
    for entry in entries:
        total += entry.file_size
        if total > limits.unzipped_bytes:
            raise FileRefused(
                _("The XLSX workbook unzips to more than %(limit)s MB.")
                % {"limit": megabytes(limits.unzipped_bytes)}
            )
        if (
            entry.file_size > _RATIO_FLOOR_BYTES
            and entry.file_size > limits.compression_ratio * max(entry.compress_size, 1)
        ):
            raise FileRefused(
                _(
                    "The XLSX workbook's part %(part)s is compressed more than %(limit)s "
                    "times: it is refused as a zip bomb."
                )
                % {"part": entry.filename, "limit": limits.compression_ratio}
            )
    for entry in entries:
        if entry.filename.endswith((".xml", ".rels", ".vml")):
            _check_prologue(archive, entry)


def _check_prologue(archive: zipfile.ZipFile, entry: zipfile.ZipInfo) -> None:
    try:
        with archive.open(entry) as part:
            start = part.read(_PROLOGUE_BYTES)
    except (zipfile.BadZipFile, zlib.error, OSError, ValueError, EOFError, NotImplementedError):
        raise FileRefused(
            _("The XLSX workbook is damaged: its part %(part)s cannot be unzipped.")
            % {"part": entry.filename}
        ) from None
    if _DTD.search(start):
        raise _entities_refused(entry.filename)


def _defused(exc: BaseException | None) -> bool:
    """Whether defusedxml refused the XML, somewhere in the chain openpyxl re-raised."""
    seen = 0
    while exc is not None and seen < 10:
        if isinstance(exc, DefusedXmlException):
            return True
        exc, seen = exc.__cause__ or exc.__context__, seen + 1
    return False


def _entities_refused(part: str = "") -> FileRefused:
    if not part:
        return FileRefused(
            _(
                "The XLSX workbook declares XML entities (a DTD), which no spreadsheet "
                "program writes: it is refused."
            )
        )
    return FileRefused(
        _(
            "The XLSX workbook's part %(part)s declares XML entities (a DTD), which no "
            "spreadsheet program writes: it is refused."
        )
        % {"part": part}
    )


def _shared_strings(source: IO[bytes], limit: int) -> list[str]:
    """The workbook's table of texts as openpyxl's `read_string_table` reads it (each
    string's text and its rich-text runs, phonetic hints left out), but with expat's own
    callbacks, counted as it goes and with no DTD allowed: openpyxl builds an element per
    string when the workbook opens, and a million short strings take minutes."""
    parser = expat.ParserCreate()
    parser.buffer_text = True
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    strings: list[str] = []
    parts: list[str] = []
    state = {"t": False, "phonetic": 0}

    def refuse(*_args: Any) -> None:
        raise _entities_refused("xl/sharedStrings.xml")

    def start(name: str, _attrs: Any) -> None:
        local = name.rpartition(":")[2]
        if local == "si":
            parts.clear()
        elif local == "t":
            state["t"] = True
        elif local == "rPh":
            state["phonetic"] += 1

    def end(name: str) -> None:
        local = name.rpartition(":")[2]
        if local == "t":
            state["t"] = False
        elif local == "rPh":
            state["phonetic"] -= 1
        elif local == "si":
            strings.append("".join(parts).replace("x005F_", ""))
            if len(strings) > limit:
                raise FileRefused(
                    _("The XLSX workbook holds more than %(limit)s texts: split it.")
                    % {"limit": f"{limit:,}"}
                )

    def text(data: str) -> None:
        if state["t"] and not state["phonetic"]:
            parts.append(data)

    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = text
    try:
        parser.ParseFile(source)
    except expat.ExpatError as exc:
        raise FileRefused(
            _("The XLSX workbook is damaged: its part %(part)s cannot be read (%(error)s).")
            % {"part": "xl/sharedStrings.xml", "error": expat.ErrorString(exc.code)}
        ) from None
    return strings


def _load_workbook(stream: IO[bytes], limits: Limits) -> Any:
    """openpyxl's read-only workbook, whose sheets do not look for their declared size (when
    a sheet has none, openpyxl would parse all of it at once to find out) and whose table of
    texts is read by `_shared_strings`."""
    from openpyxl.reader.excel import ExcelReader
    from openpyxl.worksheet._read_only import ReadOnlyWorksheet
    from openpyxl.xml.constants import SHARED_STRINGS

    class Sheet(ReadOnlyWorksheet):
        def _get_size(self) -> None:
            return None

    class Reader(ExcelReader):
        def read_strings(self) -> None:
            part = self.package.find(SHARED_STRINGS)
            if part is not None:
                with self.archive.open(part.PartName[1:]) as source:
                    self.shared_strings = _shared_strings(source, limits.cells)

        def read_worksheets(self) -> None:
            for sheet, rel in self.parser.find_sheets():
                if rel.target in self.valid_files and "chartsheet" not in rel.Type:
                    ws = Sheet(self.wb, sheet.name, rel.target, self.shared_strings)
                    ws.sheet_state = sheet.state
                    self.wb._sheets.append(ws)

    reader = Reader(stream, read_only=True, data_only=True, keep_links=False)
    reader.read()
    return reader.wb


def _sheet_rows(stream: IO[bytes], limits: Limits) -> Iterator[tuple[int, list[Any]]]:
    try:
        workbook = _load_workbook(stream, limits)
        sheet = workbook.worksheets[0]
    except Exception as exc:  # openpyxl raises a dozen kinds for a file that is not a workbook
        if isinstance(exc.__cause__, FileRefused):
            raise exc.__cause__ from None
        if _defused(exc):
            # Past the first look (a DTD after a long comment): defusedxml refused it.
            raise _entities_refused() from None
        raise FileRefused(
            _("The file is a zip but not a readable XLSX workbook (%(error)s).")
            % {"error": type(exc).__name__}
        ) from None
    try:
        # The sheet's declared size (<dimension>) is the writer's word, not read (above): a
        # sheet saying A1:XFD1048576 would have every row padded to 16,384 cells.
        sheet.reset_dimensions()
        header: list[str] = []
        rows = sheet.iter_rows(values_only=True)
        line = cells = 0
        while True:
            try:
                values = next(rows)
            except StopIteration:
                return
            except Exception as exc:  # a damaged sheet shows itself while it is parsed
                if _defused(exc):
                    raise _entities_refused() from None
                raise FileRefused(
                    _("The XLSX workbook is damaged after line %(line)s (%(error)s).")
                    % {"line": line, "error": type(exc).__name__},
                    line=line + 1,
                ) from None
            line += 1
            record = list(values)
            cells += len(record)
            if line == 1:
                header = [str(cell or "") for cell in record]
            _check_row(line, cells, line, record, header, limits)
            yield line, record
    finally:
        workbook.close()


# Both


def _check_row(
    count: int, cells: int, line: int, record: list[Any], header: list[str], limits: Limits
) -> None:
    """`count` rows and `cells` cells read so far, the header included; `line` where this
    row is."""
    if count > limits.rows + 1:
        raise FileRefused(
            _("The file has more than %(limit)s rows: split it and import each part.")
            % {"limit": f"{limits.rows:,}"},
            line=line,
        )
    if len(record) > limits.columns:
        raise FileRefused(
            _("Line %(line)s has %(count)s columns, more than the limit of %(limit)s.")
            % {"line": line, "count": f"{len(record):,}", "limit": limits.columns},
            line=line,
        )
    if cells > limits.cells + limits.columns:
        raise FileRefused(
            _("The file has more than %(limit)s cells: split it and import each part.")
            % {"limit": f"{limits.cells:,}"},
            line=line,
        )
    try:
        # The common case in C: every cell text, none too long, no NUL anywhere.
        if max(map(len, record), default=0) <= limits.cell_chars and NUL not in "".join(record):
            return
    except TypeError:
        pass  # numbers or empty cells of a spreadsheet: look at each cell
    for index, cell in enumerate(record):
        if not isinstance(cell, str):
            continue
        name = header[index] if index < len(header) and header[index] else column_name(index)
        if len(cell) > limits.cell_chars:
            raise FileRefused(
                _("A cell holds more than %(limit)s characters.")
                % {"limit": f"{limits.cell_chars:,}"},
                line=line,
                column=name,
            )
        if NUL in cell:
            raise FileRefused(
                _("The cell holds the invisible NUL character: remove it."),
                line=line,
                column=name.replace(NUL, ""),
            )


def column_name(index: int) -> str:
    """A spreadsheet's name of a column: 0 is A, 26 is AA."""
    name = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        name = chr(ord("A") + rest) + name
    return name


# The request


def request_too_large(request: HttpRequest) -> int | None:
    """The limit a request's declared body passes, or None. A multipart body (a form with a
    file) may hold the largest file plus the form's other fields; any other body, Django's
    `DATA_UPLOAD_MAX_MEMORY_SIZE`."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return None
    if request.content_type == "multipart/form-data":
        limit = settings.MOTHERLINE_REQUEST_MAX_BYTES
    else:
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE or length
    return limit if length > limit else None


class RequestSizeLimitMiddleware:
    """Answer 413, before the body is read, to a request larger than the limits: JSON in the
    API's shape on /api/, a short page elsewhere."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        limit = request_too_large(request)
        if limit is None:
            return self.get_response(request)
        message = _(
            "The request is larger than the limit of %(limit)s MB: send a smaller file."
        ) % {"limit": megabytes(limit)}
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": message}, status=413)
        language = escape(getattr(request, "LANGUAGE_CODE", settings.LANGUAGE_CODE))
        return HttpResponse(
            f'<!doctype html><html lang="{language}"><meta charset="utf-8"><title>413</title>'
            f"<p>{escape(message)}</p></html>",
            status=413,
            content_type="text/html; charset=utf-8",
        )
