"""The import's table readers on files made here: encodings, delimiters, Excel, broken files."""

from __future__ import annotations

import csv
import io
import tracemalloc
import zipfile
from datetime import date, datetime, time

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cxcompanion.services.table_readers import FIELD_LIMIT, SourceRow, TableError, open_table


def write(tmp_path, name, data):
    path = tmp_path / name
    path.write_bytes(data if isinstance(data, bytes) else data.encode())
    return path


def read(path, **options):
    with open_table(path, **options) as table:
        return table, list(table.rows())


def values(rows):
    return [row.values for row in rows]


TEXT = "Agent,Note\nAnna,Café über 5 €\nBob,naïve\n"


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (TEXT.encode("utf-8"), "utf-8"),
        (TEXT.encode("utf-8-sig"), "utf-8-sig"),
        (TEXT.encode("utf-16"), "utf-16"),
        (TEXT.encode("utf-16-le"), "utf-16-le"),
        (TEXT.encode("utf-16-be"), "utf-16-be"),
        (TEXT.encode("cp1252"), "cp1252"),
    ],
    ids=lambda value: value if isinstance(value, str) else None,
)
def test_each_encoding_is_detected_and_decoded(tmp_path, data, encoding):
    table, rows = read(write(tmp_path, "calls.csv", data))
    assert table.kind == "csv"
    assert table.encoding == encoding
    assert table.columns == ("Agent", "Note")  # no BOM left on "Agent"
    assert values(rows) == [("Anna", "Café über 5 €"), ("Bob", "naïve")]
    assert [row.number for row in rows] == [2, 3]


def test_description_says_encoding_and_delimiter(tmp_path):
    table, _ = read(write(tmp_path, "calls.csv", "a;b\n1;2\n".encode("utf-8-sig")))
    assert table.description == "CSV · UTF-8 with BOM · delimiter ';'"
    assert (table.sheet, table.sheets) == (None, ())


def test_utf8_is_checked_to_the_end_of_the_file(tmp_path):
    # Valid UTF-8 for the first MiB chunks, one cp1252 byte at the very end: the whole file
    # is cp1252, else every é before it would be read wrongly.
    body = "".join(f"{i},plain\n" for i in range(200_000)).encode()
    table, rows = read(write(tmp_path, "calls.csv", b"n,text\n" + body + "1,é\n".encode("cp1252")))
    assert table.encoding == "cp1252"
    assert rows[-1].values == ("1", "é")


def test_cp1252_undefined_byte_names_the_row(tmp_path):
    data = "a,b\n1,é\n2,x\n".encode("cp1252") + b'3,"multi\nline"\n4,\x81\n'
    with pytest.raises(TableError) as caught:
        open_table(write(tmp_path, "calls.csv", data))
    assert caught.value.row == 5  # record number: the quoted newline does not count
    assert str(caught.value) == (
        "calls.csv is not valid cp1252 or UTF-8 text at row 5: save it as UTF-8 CSV and try again"
    )


def test_undefined_byte_before_the_first_non_utf8_byte_is_found_at_open(tmp_path):
    # "Á" in UTF-8 is C3 81: valid UTF-8, but 81 has no cp1252 meaning once the file (because
    # of the cp1252 "é" far below) turns out not to be UTF-8.
    text = "name\nÁgnes\n".encode() + b"x\n" * 600_000 + "é\n".encode("cp1252")
    with pytest.raises(TableError) as caught:
        open_table(write(tmp_path, "calls.csv", text))
    assert caught.value.row == 2


def test_given_wrong_encoding_fails_at_the_row(tmp_path):
    lines = ["name,note"] + [f"agent {i},ok" for i in range(3000)] + ["Zoë,fine"]
    path = write(tmp_path, "calls.csv", "\n".join(lines).encode("cp1252"))
    table = open_table(path, encoding="utf-8")
    assert table.encoding == "utf-8"
    with pytest.raises(TableError) as caught:
        list(table.rows())
    table.close()
    assert caught.value.row == 3002
    assert "not valid UTF-8 text at row 3,002: choose another encoding" in caught.value.message


def test_given_encoding_is_used_and_unknown_one_is_refused(tmp_path):
    path = write(tmp_path, "calls.csv", "a,b\nx,é\n".encode("cp1252"))
    _, rows = read(path, encoding="latin-1")
    assert values(rows) == [("x", "é")]
    with pytest.raises(TableError, match="'klingon' is not a text encoding"):
        open_table(path, encoding="klingon")


@pytest.mark.parametrize(
    ("delimiter", "label"), [(",", "','"), (";", "';'"), ("\t", "tab"), ("|", "'|'")]
)
def test_delimiters_are_sniffed(tmp_path, delimiter, label):
    # Commas inside values, as in European decimals, must not win over the real delimiter.
    cells = [["agent", "score", "note"]] + [[f"a{i}", f"{i},5", f"x {i}"] for i in range(9)]
    if delimiter == ",":
        cells = [[cell.replace(",", ".") for cell in row] for row in cells]
    text = "\n".join(delimiter.join(row) for row in cells)
    table, rows = read(write(tmp_path, "calls.txt", text))
    assert table.delimiter == delimiter
    assert table.description.endswith(f"delimiter {label}")
    assert table.columns == ("agent", "score", "note")
    assert rows[1].values == ("a1", "1,5" if delimiter != "," else "1.5", "x 1")


def test_given_delimiter_wins(tmp_path):
    path = write(tmp_path, "calls.csv", "a|b|c\n1|2|3\n4|5|6\n")
    table, rows = read(path, delimiter=",")
    assert table.columns == ("a|b|c",)
    assert values(rows) == [("1|2|3",), ("4|5|6",)]
    with pytest.raises(TableError):
        open_table(path, delimiter="||")


def test_sniffer_failure_falls_back_to_consistent_column_count(tmp_path):
    text = "a;b;c\n1;2;3\n4;5\n6;7;8;9\n1;2;3\n"
    with pytest.raises(csv.Error):
        csv.Sniffer().sniff(text, delimiters=",;\t|")  # ragged rows: the sniffer gives up
    table, rows = read(write(tmp_path, "calls.csv", text))
    assert table.delimiter == ";"
    assert values(rows) == [("1", "2", "3"), ("4", "5", ""), ("6", "7", "8", "9"), ("1", "2", "3")]


def test_single_column_file(tmp_path):
    table, rows = read(write(tmp_path, "ids.csv", "id\n1\n2\n3\n"))
    assert (table.delimiter, table.columns) == (",", ("id",))
    assert values(rows) == [("1",), ("2",), ("3",)]


def test_quoted_newlines_keep_record_numbers(tmp_path):
    text = 'id,note\n1,"two\nlines"\n2,"three\r\nwhole\nlines"\n3,plain\n'
    _, rows = read(write(tmp_path, "calls.csv", text))
    assert rows == [
        SourceRow(2, ("1", "two\nlines")),
        SourceRow(3, ("2", "three\r\nwhole\nlines")),
        SourceRow(4, ("3", "plain")),
    ]


def test_old_mac_line_endings(tmp_path):
    _, rows = read(write(tmp_path, "calls.csv", 'a,b\r1,"x\ry"\r2,z\r'))
    assert rows == [SourceRow(2, ("1", "x\ry")), SourceRow(3, ("2", "z"))]


def test_field_just_over_the_limit_names_its_row(tmp_path):
    big = "x" * (FIELD_LIMIT + 1)
    path = write(tmp_path, "calls.csv", f"a,b\n1,2\n3,4\n5,6\n7,{big}\n9,10\n")
    table = open_table(path)
    with pytest.raises(TableError) as caught:
        list(table.rows())
    table.close()
    assert caught.value.row == 5
    assert "row 5 has a field over 16 MiB" in caught.value.message


def test_one_mib_field_is_fine(tmp_path):
    big = "y" * (1024 * 1024)
    _, rows = read(write(tmp_path, "calls.csv", f'a,b\n1,"{big}"\n2,z\n'))
    assert values(rows) == [("1", big), ("2", "z")]


def test_blank_rows_are_skipped_counted_and_numbered(tmp_path):
    path = write(tmp_path, "calls.csv", "a,b\n1,2\n\n , \n,\n3,4\n\n")
    with open_table(path) as table:
        rows = list(table.rows())
        assert table.empty_rows == 4
        assert [row.number for row in rows] == [2, 6]
        assert len(list(table.rows())) == 2  # a restart counts afresh
        assert table.empty_rows == 4


def test_short_and_long_rows(tmp_path):
    text = "a,b,c,,\n1\n1,2,3,,,\n1,2,3,,x,\n"
    table, rows = read(write(tmp_path, "calls.csv", text))
    assert table.columns == ("a", "b", "c")  # the empty trailing header cells are dropped
    assert values(rows) == [("1", "", ""), ("1", "2", "3"), ("1", "2", "3", "", "x")]


def test_duplicate_and_blank_headers(tmp_path):
    table, _ = read(write(tmp_path, "calls.csv", " Name ,,name,Name (2),Column 2, \ufeffId\n1\n"))
    assert table.columns == ("Name", "Column 2", "name (2)", "Name (2) (2)", "Column 2 (2)", "Id")


def test_header_row_three(tmp_path):
    text = "Report for March\nexported 2026-03-31\nagent;calls\nAnna;4\nBob;7\n"
    table, rows = read(write(tmp_path, "calls.csv", text), header_row=3)
    assert (table.delimiter, table.columns) == (";", ("agent", "calls"))
    assert rows == [SourceRow(4, ("Anna", "4")), SourceRow(5, ("Bob", "7"))]


def test_blank_lines_before_the_header_are_passed_over(tmp_path):
    table, rows = read(write(tmp_path, "calls.csv", "\n\nagent,calls\nAnna,4\n"))
    assert table.columns == ("agent", "calls")
    assert rows == [SourceRow(4, ("Anna", "4"))]


def test_rows_restart_and_close_releases_the_file(tmp_path):
    table = open_table(write(tmp_path, "calls.csv", "a\n1\n2\n3\n"))
    first = table.rows()
    assert next(first).number == 2
    assert [row.number for row in table.rows()] == [2, 3, 4]
    table.close()
    with pytest.raises(ValueError, match="closed file"):
        next(first)  # the half-read iterator's file was closed too
    with pytest.raises(ValueError):
        next(table.rows())


def test_streaming_keeps_memory_small(tmp_path):
    path = tmp_path / "big.csv"
    with open(path, "w", encoding="utf-8") as handle:
        handle.write("id,agent,purpose,note\n")
        for i in range(200_000):
            handle.write(f"{i},agent {i % 40},billing.refund,a note about contact {i}\n")
    assert path.stat().st_size > 10_000_000
    tracemalloc.start()
    try:
        with open_table(path) as table:
            count = sum(1 for _ in table.rows())
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert count == 200_000
    assert peak < 8_000_000  # a list of all rows would be far over 50 MB


def make_workbook(path, *, sheets=("Calls", "Agents")):
    book = openpyxl.Workbook()
    calls = book.active
    calls.title = sheets[0]
    calls.append(["Agent", "Day", "At", "Time", "Calls", "Score", "Done", None, None])
    calls.append(["Anna", date(2026, 3, 2), datetime(2026, 3, 2, 9, 30), time(9, 30), 4, 0.5, True])
    calls.append([None, None, None])
    calls.append(["Bob", None, None, None, 7, None, False, None, "extra"])
    calls.cell(row=7, column=1, value="Cem")  # rows 5 and 6 never written at all
    book.create_sheet(sheets[1]).append(["Name", "Team"])
    book[sheets[1]].append(["Anna", "North"])
    book.save(path)
    return path


def test_xlsx_values_and_row_numbers(tmp_path):
    table, rows = read(make_workbook(tmp_path / "calls.xlsx"))
    assert (table.kind, table.sheet, table.sheets) == ("xlsx", "Calls", ("Calls", "Agents"))
    assert table.description == "Excel workbook · sheet 'Calls'"
    assert (table.encoding, table.delimiter) == (None, None)
    assert table.columns == ("Agent", "Day", "At", "Time", "Calls", "Score", "Done")
    assert rows == [
        # a date-only cell comes back as midnight: openpyxl's choice, left to the mapping
        SourceRow(2, ("Anna", datetime(2026, 3, 2), datetime(2026, 3, 2, 9, 30), time(9, 30),
                      4, 0.5, True)),
        SourceRow(4, ("Bob", None, None, None, 7, None, False, None, "extra")),
        SourceRow(7, ("Cem", None, None, None, None, None, None)),
    ]  # fmt: skip
    assert table.empty_rows == 3


def test_xlsx_sheet_by_name_and_missing_sheet(tmp_path):
    path = make_workbook(tmp_path / "calls.xlsx")
    table, rows = read(path, sheet="Agents")
    assert (table.sheet, table.columns, values(rows)) == (
        "Agents",
        ("Name", "Team"),
        [("Anna", "North")],
    )
    with pytest.raises(TableError) as caught:
        open_table(path, sheet="Teams")
    assert (
        caught.value.message == "calls.xlsx has no sheet 'Teams': choose one of 'Calls', 'Agents'"
    )


def test_xlsx_told_by_content_not_extension(tmp_path):
    table, rows = read(make_workbook(tmp_path / "export.csv"))
    assert table.kind == "xlsx"
    assert len(rows) == 3


def test_xlsx_header_row_and_empty_sheet(tmp_path):
    book = openpyxl.Workbook()
    book.active.append(["Team report"])
    book.active.append([])
    book.active.append(["Agent", 2024])
    book.active.append(["Anna", 3])
    book.create_sheet("Empty")
    book.save(tmp_path / "r.xlsx")
    table, rows = read(tmp_path / "r.xlsx", header_row=3)
    assert table.columns == ("Agent", "2024")
    assert rows == [SourceRow(4, ("Anna", 3))]
    with pytest.raises(TableError, match=r"r\.xlsx has no header row, only blank rows"):
        open_table(tmp_path / "r.xlsx", sheet="Empty")
    with pytest.raises(TableError, match="has no header row at or after row 9"):
        open_table(tmp_path / "r.xlsx", header_row=9)


def test_xlsx_with_a_wrong_used_range_is_read_whole(tmp_path):
    # Some writers store <dimension ref="A1:A1"/>; trusting it would drop every other cell.
    good = make_workbook(tmp_path / "good.xlsx")
    out = io.BytesIO()
    with zipfile.ZipFile(good) as source, zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                assert b'<dimension ref="A1:I7" />' in data
                data = data.replace(b'<dimension ref="A1:I7" />', b'<dimension ref="A1:A1" />')
            target.writestr(item, data)
    table, rows = read(write(tmp_path, "narrow.xlsx", out.getvalue()))
    assert len(table.columns) == 7
    assert [row.number for row in rows] == [2, 4, 7]
    assert rows[1].values[-1] == "extra"


def test_legacy_xls_is_refused_with_the_fix(tmp_path):
    path = write(tmp_path, "calls.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600))
    with pytest.raises(TableError, match=r"old Excel \(\.xls\).*save it as \.xlsx"):
        open_table(path)


def test_corrupt_xlsx(tmp_path):
    good = make_workbook(tmp_path / "good.xlsx").read_bytes()
    with pytest.raises(TableError, match=r"bad\.xlsx is not a valid Excel workbook"):
        open_table(write(tmp_path, "bad.xlsx", good[: len(good) // 2]))
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as other:
        other.writestr("hello.txt", "not a workbook")
    with pytest.raises(TableError, match="not a valid Excel workbook"):
        open_table(write(tmp_path, "other.xlsx", archive.getvalue()))


def test_broken_sheet_xml_names_the_sheet(tmp_path):
    good = make_workbook(tmp_path / "good.xlsx")
    out = io.BytesIO()
    with zipfile.ZipFile(good) as source, zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b"</sheetData>", b"<row r='9'><c r='A9' t='n'><v>1")
            target.writestr(item, data)
    with pytest.raises(TableError, match=r"is damaged at row \d+ of sheet 'Calls'"):
        read(write(tmp_path, "broken.xlsx", out.getvalue()))


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("photo.png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "contains NUL bytes"),
        ("empty.csv", b"", "empty.csv is empty"),
        ("blank.csv", b"\n \n,,\n\r\n", "blank.csv has no header row"),
        ("bom.csv", b"\xef\xbb\xbf", "bom.csv has no header row"),
        ("page.xls", b"<html><body><table><tr><td>1", "is a web page"),
    ],
)
def test_files_that_are_not_tables(tmp_path, name, data, message):
    with pytest.raises(TableError, match=message):
        open_table(write(tmp_path, name, data))


def test_nul_in_the_middle_of_a_given_encoding(tmp_path):
    path = write(tmp_path, "calls.csv", b"a,b\n1,2\n3,\x00\n")
    table = open_table(path, encoding="utf-8")
    with pytest.raises(TableError, match=r"contains NUL bytes \(row 3\)"):
        list(table.rows())
    table.close()


def test_missing_path_and_folder(tmp_path):
    with pytest.raises(TableError, match=r"nope\.csv was not found"):
        open_table(tmp_path / "nope.csv")
    with pytest.raises(TableError, match="is a folder"):
        open_table(tmp_path)


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.binary(max_size=2000) | st.text(alphabet=',;|\t"\n\r ab1é€\x00').map(str.encode))
def test_any_bytes_read_or_raise_table_error(tmp_path, data):
    path = write(tmp_path, "fuzz.csv", data)
    try:
        with open_table(path) as table:
            for row in table.rows():
                assert len(row.values) >= len(table.columns)
    except TableError as exc:
        assert exc.message and "\n" not in exc.message


XLSX_PARTS = ["xl/worksheets/sheet1.xml", "xl/workbook.xml", "xl/styles.xml", "[Content_Types].xml"]
FUZZ = settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@FUZZ
@given(
    part=st.sampled_from(XLSX_PARTS),
    edits=st.lists(st.tuples(st.floats(0, 1), st.sampled_from(b'<>/"=019abcrtvs ')), max_size=6),
    cut=st.none() | st.floats(0, 1),
)
def test_damaged_xlsx_reads_or_raises_table_error(tmp_path, good_xlsx, part, edits, cut):
    # Damage inside a sound zip reaches openpyxl's XML parsing; a cut reaches the zip reader.
    with zipfile.ZipFile(io.BytesIO(good_xlsx)) as source:
        parts = {item.filename: source.read(item) for item in source.infolist()}
    damaged = bytearray(parts[part])
    for where, byte in edits:
        damaged[int(where * (len(damaged) - 1))] = byte
    parts[part] = bytes(damaged)
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as target:
        for name, data in parts.items():
            target.writestr(name, data)
    data = archive.getvalue()
    path = write(tmp_path, "fuzz.xlsx", data if cut is None else data[: 4 + int(cut * len(data))])
    try:
        with open_table(path) as table:
            list(table.rows())
    except TableError as exc:
        assert exc.message and "\n" not in exc.message


@pytest.fixture(scope="module")
def good_xlsx(tmp_path_factory):
    return make_workbook(tmp_path_factory.mktemp("xlsx") / "good.xlsx").read_bytes()
