"""What a reader sees of a page, and the checks the formatting and raw-code tests apply to it.

`visible_text` keeps the text a person reads: element text and the few attributes a browser
shows (`title`, `alt`, `placeholder`, `aria-label`); not scripts, styles, the document head,
form values a person typed (`<textarea>`, `<input value>`), nor machine-readable attributes
(`<time datetime>`, `href`, `data-*`), which stay ISO and coded on purpose.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

_SKIPPED = {"script", "style", "head", "textarea", "template", "svg"}
_SHOWN_ATTRIBUTES = {"title", "alt", "placeholder", "aria-label"}
_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
         "track", "wbr"}  # fmt: skip


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIPPED:
            self.skipping += 1
            return
        if self.skipping:
            return
        for name, value in attrs:
            if name in _SHOWN_ATTRIBUTES and value:
                self.parts.append(value)
        # Elements are apart on the screen (a chart's axis labels, a table's cells): never
        # read two of them as one number.
        block = tag in ("br", "p", "li", "td", "th", "div", "dt", "dd", "option", "tr")
        self.parts.append("\n" if block else " ")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in _SKIPPED:
            self.handle_starttag(tag, attrs)
            if tag in _SKIPPED:
                self.skipping -= 1

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIPPED and self.skipping:
            self.skipping -= 1
        elif tag in ("p", "li", "td", "th", "div", "dt", "dd", "option", "tr", "h1", "h2", "h3"):
            self.parts.append("\n")
        elif not self.skipping:
            self.parts.append(" ")

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    parser.close()
    lines = (" ".join(line.split()) for line in "".join(parser.parts).splitlines())
    return "\n".join(line for line in lines if line)


# An ISO day written in a sentence (2026-01-14), not part of a longer token.
_ISO_DAY = re.compile(r"(?<![\w/.-])\d{4}-\d{2}-\d{2}(?![\w/-])")

# A number as written: digits with grouping or decimal marks between them. Not inside a
# token (a reference W-5CRY83AQ, a code KH12, a register number PS/2024/1234, a time 09:30,
# a day 14/01/2026), not after "No." (a law's number, Prakas No. 3068).
_NUMBER = re.compile(r"(?<![\w./:#])(?<!\w-)\d(?:[\d]|[.,](?=\d))*(?![\w/:]|-\w)")
_NUMBERED = re.compile(r"(?:No\.|no\.|№|លេខ)\s*$")


def iso_dates(text: str) -> list[str]:
    """ISO days in prose: a reader gets "14 January 2026" or "14 មករា 2026"."""
    return _ISO_DAY.findall(text)


def _is_year(token: str) -> bool:
    return len(token) == 4 and token.isdigit() and 1800 <= int(token) <= 2100


def ungrouped_numbers(text: str) -> list[str]:
    """Numbers of four digits or more written without the locale's grouping marks ("2537",
    "16300,00"), years (1800 to 2100, four digits alone) and numbered laws excepted. A number
    is grouped when every group after the first has three digits and the first has at most
    three: "16,300", "16.300,00", "1,234.5"."""
    found = []
    for match in _NUMBER.finditer(text):
        token = match.group()
        if _NUMBERED.search(text[max(0, match.start() - 8) : match.start()]):
            continue
        leading = re.match(r"\d+", token)
        if leading is None or len(leading.group()) < 4:
            continue
        if _is_year(token):
            continue
        found.append(token)
    return found


def context(text: str, token: str, width: int = 50) -> str:
    at = text.find(token)
    return text[max(0, at - width) : at + len(token) + width].replace("\n", " | ")


# What a reader must never see: a code or key (human_trafficking, men_growth_percent), a
# model's label (people.Woman), a file of the project (docs/indicators.md, FACTS.md), or a
# note a pack's maintainers wrote for each other.
_SNAKE = re.compile(r"(?<![\w./@:-])[a-z][a-z0-9]*(?:_[a-z0-9]+)+(?![\w@-]|\.\w)")
_MODEL_LABEL = re.compile(r"\b[a-z]+\.[A-Z][a-zA-Z]+\b")
_FILE = re.compile(r"[\w/-]+\.(?:md|py|ya?ml|toml|csv|json)\b")
_PACK_NOTES = re.compile(
    r"working assumption|this pack|FACTS|to be reviewed|to be checked|TODO|FIXME", re.I
)


def raw_codes(text: str) -> list[str]:
    found = []
    for pattern in (_SNAKE, _MODEL_LABEL, _FILE, _PACK_NOTES):
        found += [m.group() for m in pattern.finditer(text)]
    return found
