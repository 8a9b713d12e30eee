"""Turn an uploaded CSV or XLSX file into rows of text, the way people really have them.

Excel on Windows saves CSV as Windows-1252; newer Excel as UTF-8 with a byte-order mark; spreadsheets
carry blank rows, extra columns and cells typed as dates or numbers. Anything that is not a readable
table (a PDF renamed .csv, a zip that is not a workbook, an empty file) is refused with a message a
person can act on, before anything is stored."""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from dataclasses import dataclass, field

from django.conf import settings

DEFAULT_MAX_BYTES = 20 * 1024 * 1024
DEFAULT_MAX_ROWS = 200_000

# Signatures of files people rename to .csv by mistake, with the name they would know them by.
NOT_A_TABLE = [
    (b"%PDF", "a PDF document"),
    (b"\xd0\xcf\x11\xe0", "an old Excel (.xls) or Word document"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"{\\rtf", "a Rich Text document"),
]


class ImportFileError(Exception):
    """The file cannot be read as a table; the message says why and what to do."""


@dataclass
class Table:
    headers: list[str]
    # (row number as the person sees it in their spreadsheet, cell values in header order)
    rows: list[tuple[int, list[str]]]
    encoding: str
    file_type: str
    blank_rows: int = 0
    notes: list[str] = field(default_factory=list)


def max_bytes() -> int:
    return getattr(settings, "IMPORT_MAX_BYTES", DEFAULT_MAX_BYTES)


def read_table(data: bytes, filename: str) -> Table:
    """Read `data` (the whole file) as CSV or XLSX, whatever its extension claims."""
    if not data:
        raise ImportFileError("The file is empty. Choose a CSV or Excel file that has a header row and some rows.")
    limit = max_bytes()
    if len(data) > limit:
        raise ImportFileError(
            f"The file is {len(data) / 1024 / 1024:.1f} MB; the largest file you can import is "
            f"{limit / 1024 / 1024:.0f} MB. Split it into smaller files."
        )
    for signature, description in NOT_A_TABLE:
        if data.startswith(signature):
            raise ImportFileError(
                f"“{filename}” is {description}, not a spreadsheet. Save it from your spreadsheet program "
                "as CSV or Excel workbook (.xlsx) and try again."
            )
    if data.startswith(b"PK\x03\x04") or data.startswith(b"PK\x05\x06"):
        return _read_xlsx(data, filename)
    if filename.lower().endswith((".xlsx", ".xlsm")):
        raise ImportFileError(
            f"“{filename}” is named like an Excel workbook but is not one (it may be damaged). "
            "Open it in Excel, save it again as .xlsx or CSV, and try again."
        )
    return _read_csv(data, filename)


def _decode(data: bytes) -> tuple[str, str]:
    if b"\x00" in data[:4096]:
        if data.startswith((b"\xff\xfe", b"\xfe\xff")):
            try:
                return data.decode("utf-16"), "utf-16"
            except UnicodeDecodeError as exc:
                raise ImportFileError(
                    "The file says it is UTF-16 text but is cut short or damaged. Save it again as CSV (UTF-8)."
                ) from exc
        raise ImportFileError("The file is not a text CSV file (it contains binary data). Save it as CSV or .xlsx.")
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace"), "utf-8-sig"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        # Excel's "CSV (Comma delimited)" on Windows; £, é and smart quotes live here.
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        return data.decode("latin-1"), "latin-1"


def _read_csv(data: bytes, filename: str) -> Table:
    text, encoding = _decode(data)
    sample = text[:20_000]
    try:
        delimiter = csv.Sniffer().sniff(sample, delimiters=",;\t|").delimiter
    except csv.Error:
        delimiter = ","

    # Only the delimiter is taken from the sniffer: it misjudges quoting (a cell holding one '"' came
    # back as '""'), and every spreadsheet program writes Excel's quoting whatever the delimiter.
    class dialect(csv.excel):
        pass

    dialect.delimiter = delimiter
    try:
        records = list(csv.reader(io.StringIO(text, newline=""), dialect))
    except csv.Error as exc:
        raise ImportFileError(f"“{filename}” could not be read as CSV ({exc}). Save it again as CSV.") from exc
    return _tabulate(records, encoding=encoding, file_type="csv", filename=filename)


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0, 0):
            return value.strftime("%d/%m/%Y")
        return value.strftime("%d/%m/%Y %H:%M")
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _read_xlsx(data: bytes, filename: str) -> Table:
    from openpyxl import load_workbook

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
    except zipfile.BadZipFile as exc:
        raise ImportFileError(
            f"“{filename}” looks like an Excel workbook but is damaged. Open it in Excel, save it again, and retry."
        ) from exc
    if "xl/workbook.xml" not in names:
        raise ImportFileError(
            f"“{filename}” is a zip archive, not an Excel workbook. Import a .xlsx or CSV file instead."
        )
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged workbook
        raise ImportFileError(
            f"“{filename}” could not be opened as an Excel workbook ({exc.__class__.__name__}). "
            "Open it in Excel, save it again as .xlsx, and try again."
        ) from exc
    try:
        sheet = workbook.worksheets[0]
        records = [[_cell_text(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    finally:
        workbook.close()
    return _tabulate(records, encoding="xlsx", file_type="xlsx", filename=filename)


def _unique_headers(raw: list[str]) -> list[str]:
    headers: list[str] = []
    seen: dict[str, int] = {}
    for index, value in enumerate(raw, start=1):
        name = " ".join(value.replace("\ufeff", "").split()) or f"Column {index}"
        key = name.lower()
        if key in seen:
            seen[key] += 1
            name = f"{name} ({seen[key]})"
        else:
            seen[key] = 1
        headers.append(name)
    return headers


def _tabulate(records: list[list[str]], *, encoding: str, file_type: str, filename: str) -> Table:
    header_at = next((i for i, r in enumerate(records) if any(c.strip() for c in r)), None)
    if header_at is None:
        raise ImportFileError(f"“{filename}” has no rows. Add a header row and at least one row of data.")
    raw_headers = [c.strip() for c in records[header_at]]
    while raw_headers and not raw_headers[-1]:
        raw_headers.pop()
    headers = _unique_headers(raw_headers)
    width = len(headers)
    rows: list[tuple[int, list[str]]] = []
    blank = 0
    for index in range(header_at + 1, len(records)):
        cells = [c.strip() for c in records[index]]
        if not any(cells):
            blank += 1
            continue
        if len(cells) < width:
            cells += [""] * (width - len(cells))
        # Cells beyond the last header are usually stray notes; they have no column to go to.
        rows.append((index + 1, cells[:width]))
    if not rows:
        raise ImportFileError(f"“{filename}” has a header row but no rows of data under it.")
    limit = getattr(settings, "IMPORT_MAX_ROWS", DEFAULT_MAX_ROWS)
    if len(rows) > limit:
        raise ImportFileError(f"“{filename}” has {len(rows):,} rows; the most one import can take is {limit:,}.")
    notes = [f"{blank} blank row{'s' if blank != 1 else ''} ignored."] if blank else []
    return Table(headers, rows, encoding, file_type, blank, notes)
