"""The columns of a file: headers written in Italian, in any case and with or without
accents, mapped onto the fields they describe."""

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils.translation import gettext as _


def normalise_header(text) -> str:
    text = unicodedata.normalize("NFKD", str(text or "")).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", " ", text.lower()).strip()


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    parse: Callable
    required: bool = False
    aliases: tuple[str, ...] = ()
    example: str = ""
    help: str = ""

    def names(self):
        return {normalise_header(self.header), normalise_header(self.key), *map(normalise_header, self.aliases)}


@dataclass
class HeaderMatch:
    positions: dict[str, int] = field(default_factory=dict)  # column key -> index in the row
    errors: list[str] = field(default_factory=list)


def match_headers(headers: list, columns: list[Column]) -> HeaderMatch:
    lookup = {}
    for column in columns:
        for name in column.names():
            lookup[name] = column
    match = HeaderMatch()
    unknown, seen = [], {}
    for index, header in enumerate(headers):
        name = normalise_header(header)
        if not name:
            continue
        column = lookup.get(name)
        if column is None:
            unknown.append(str(header).strip())
            continue
        if column.key in match.positions:
            match.errors.append(
                _("The column “%(column)s” appears twice (as “%(first)s” and “%(second)s”).")
                % {"column": column.header, "first": seen[column.key], "second": str(header).strip()}
            )
            continue
        match.positions[column.key] = index
        seen[column.key] = str(header).strip()
    if unknown:
        match.errors.append(
            _("Unknown columns: %(columns)s. Use the headers of the template (download it from this page).")
            % {"columns": ", ".join(f"“{name}”" for name in unknown)}
        )
    missing = [column.header for column in columns if column.required and column.key not in match.positions]
    if missing:
        match.errors.append(
            _("Required columns missing: %(columns)s.") % {"columns": ", ".join(f"“{name}”" for name in missing)}
        )
    return match
