"""Hostile files for the importers, generated here rather than stored: a zip bomb, an XML
entity expansion inside an XLSX, a damaged zip, a 200,000-character field, NUL bytes, UTF-16
text, a million columns, a million rows. Used by the importers' tests and by
`bench/hostile_files.py`; each function returns the file's bytes (the largest is about 4 MB)."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable, Iterator

from openpyxl import Workbook

SHEET = "xl/worksheets/sheet1.xml"
STRINGS = "xl/sharedStrings.xml"
_STRINGS_TYPE = (
    b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
    b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
)
_OPEN = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
)
_CLOSE = "</sheetData></worksheet>"


def _skeleton() -> bytes:
    book = Workbook()
    book.active.append(["prison", "date"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _xlsx_with_sheet(chunks: Iterator[bytes], level: int = 9, part: str = SHEET) -> bytes:
    """A real workbook whose first sheet's XML (or another `part`) is streamed from `chunks`."""
    source = zipfile.ZipFile(io.BytesIO(_skeleton()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as target:
        for entry in source.infolist():
            content = source.read(entry)
            if entry.filename == part:
                continue
            if entry.filename == "[Content_Types].xml" and part == STRINGS:
                content = content.replace(b"</Types>", _STRINGS_TYPE + b"</Types>")
            target.writestr(entry, content)
        with target.open(part, "w", force_zip64=False) as stream:
            for chunk in chunks:
                stream.write(chunk)
    return out.getvalue()


def shared_strings_at_the_limit(size: int = 29 << 20) -> bytes:
    """Not refused by any size limit: a table of about a million distinct shared strings
    just under the unzipped limit, which openpyxl reads whole when it opens the workbook."""

    def chunks() -> Iterator[bytes]:
        yield (
            b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst xmlns="'
            b'http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        )
        written, n = 0, 0
        while written < size:
            block = b"".join(b"<si><t>s%d</t></si>" % i for i in range(n, n + 10_000))
            n += 10_000
            written += len(block)
            yield block
        yield b"</sst>"

    return _xlsx_with_sheet(chunks(), level=6, part=STRINGS)


def zip_bomb() -> bytes:
    """About 2 MB that unzips to about 660 MB of sheet XML (3 million rows), as the report."""

    def chunks() -> Iterator[bytes]:
        yield _OPEN.encode()
        row = b'<row><c t="inlineStr"><is><t>KH-CC2</t></is></c></row>'
        block = row * 10_000
        for _ in range(1_200):
            yield block
        yield _CLOSE.encode()

    return _xlsx_with_sheet(chunks(), level=1)


def billion_laughs(padding: int = 0) -> bytes:
    """An XLSX whose sheet declares nested entities (ten to the ninth "lol"s). With `padding`,
    the DTD comes after that many bytes of comment, past the reader's first look."""
    entities = ['<!ENTITY lol0 "lol">'] + [
        f'<!ENTITY lol{n} "{("&lol" + str(n - 1) + ";") * 10}">' for n in range(1, 10)
    ]
    xml = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        + (f"<!--{'x' * padding}-->" if padding else "")
        + f"<!DOCTYPE worksheet [{''.join(entities)}]>"
        + _OPEN.split("\n", 1)[1]
        + '<row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row>'
        + _CLOSE
    )
    return _xlsx_with_sheet(iter([xml.encode()]))


def damaged_zip() -> bytes:
    """A workbook cut in half: its zip directory is gone."""
    book = _xlsx_with_sheet(_rows_xml(5_000))
    return book[: len(book) // 2]


def corrupted_sheet() -> bytes:
    """A workbook whose directory is whole but whose sheet's compressed bytes are overwritten."""
    book = bytearray(_xlsx_with_sheet(_rows_xml(20_000)))
    start = book.find(SHEET.encode()) + len(SHEET) + 200
    book[start : start + 2_000] = bytes(range(256)) * 7 + bytes(208)
    return bytes(book)


def not_a_workbook() -> bytes:
    return b"This is a letter, not a workbook.\n"


def _rows_xml(count: int) -> Iterator[bytes]:
    yield _OPEN.encode()
    for start in range(1, count + 1, 10_000):
        yield b"".join(
            b'<row r="%d"><c r="A%d"><v>%d</v></c></row>' % (n, n, n)
            for n in range(start, min(start + 10_000, count + 1))
        )
    yield _CLOSE.encode()


def million_rows_xlsx() -> bytes:
    """A million rows, streamed into the sheet (about 3 MB zipped, 28 MB unzipped: within
    the size limits, so that the row limit is what refuses it)."""

    def chunks() -> Iterator[bytes]:
        yield _OPEN.encode()
        for start in range(0, 1_000_000, 10_000):
            yield b"".join(b"<row><c><v>%d</v></c></row>" % n for n in range(start, start + 10_000))
        yield _CLOSE.encode()

    return _xlsx_with_sheet(chunks(), level=1)


def csv_text(header: str, row: str) -> bytes:
    return f"{header}\n{row}\n".encode()


def huge_field(header: str = "prison,date") -> bytes:
    return csv_text(header, "CC2," + "x" * 200_000)


def nul_bytes(header: str = "prison,date") -> bytes:
    return csv_text(header, "CC2\x00,2026-01-01")


def utf16(header: str = "prison,date") -> bytes:
    return f"{header}\nCC2,2026-01-01\n".encode("utf-16")


def latin1(header: str = "prison,date") -> bytes:
    return f"{header}\nCC2,Pénh\n".encode("latin-1")


def million_columns() -> bytes:
    """A header line of a million columns (2 MB)."""
    return b"x," * 999_999 + b"x\n"


def million_rows() -> bytes:
    """A header and a million one-cell rows (2 MB), generated in blocks."""
    out = io.BytesIO()
    out.write(b"prison\n")
    block = b"CC2\n" * 10_000
    for _ in range(100):
        out.write(block)
    return out.getvalue()


# name -> (file name, maker, words the refusal must contain)
HOSTILE: dict[str, tuple[str, Callable[[], bytes], str]] = {
    "zip bomb": ("bomb.xlsx", zip_bomb, "unzips to more than"),
    "billion laughs": ("laughs.xlsx", billion_laughs, "declares XML entities"),
    "billion laughs, padded": (
        "laughs.xlsx",
        lambda: billion_laughs(padding=8_000),
        "declares XML entities",
    ),
    "damaged zip": ("cut.xlsx", damaged_zip, "damaged"),
    "corrupted sheet": ("corrupt.xlsx", corrupted_sheet, "damaged"),
    "not a workbook": ("letter.xlsx", not_a_workbook, "not an XLSX workbook"),
    "200,000-character field": ("huge.csv", huge_field, "more than 32,767 characters"),
    "NUL bytes": ("nul.csv", nul_bytes, "NUL"),
    "UTF-16 text": ("utf16.csv", utf16, "UTF-16"),
    "Latin-1 text": ("latin1.csv", latin1, "not UTF-8"),
    "a million columns": ("wide.csv", million_columns, "more than the limit of 200"),
    "a million rows": ("long.csv", million_rows, "more than 20,000 rows"),
    "a million rows, XLSX": ("long.xlsx", million_rows_xlsx, "more than 20,000 rows"),
    "a million texts within the size limits": (
        "texts.xlsx",
        shared_strings_at_the_limit,
        "more than 120,000 texts",
    ),
}
