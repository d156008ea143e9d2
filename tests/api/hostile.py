"""Uploads built to exhaust a server's memory: small on the wire, enormous once read (issue 13).
Each is written to a file, in chunks, so that making it never holds the expanded data."""

from __future__ import annotations

import zipfile
from pathlib import Path

MiB = 1024 * 1024
HEADER = "id,facility,date,activity,quantity,unit\n"


def wide_csv(path: Path, columns: int = 1_000_000) -> Path:
    """A CSV with ``columns`` columns and one row (about 9 MB for a million)."""
    with path.open("w", encoding="ascii") as out:
        out.write(",".join(f"c{i}" for i in range(columns)) + "\n")
        out.write(",".join("1" for _ in range(columns)) + "\n")
    return path


def xlsx_bomb(path: Path, cell_mib: int = 2000, compresslevel: int = 9) -> Path:
    """An .xlsx whose one data cell holds ``cell_mib`` MiB of text (2,000 MiB: about 2 MB deflated at
    level 9, 9 MB at level 1, which is made three times faster)."""
    parts = {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
            'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
            'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName='
            '"/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.'
            'main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.'
            'openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>'
        ),
        "_rels/.rels": (
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
            '2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/'
            '2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
        ),
        "xl/workbook.xml": (
            '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/'
            'spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
            '<sheets><sheet name="activities" sheetId="1" r:id="rId1"/></sheets></workbook>'
        ),
        "xl/_rels/workbook.xml.rels": (
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
            '2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/'
            '2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
        ),
    }
    head = (
        '<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/'
        '2006/main"><sheetData><row r="1">'
        + "".join(
            f'<c r="{c}1" t="inlineStr"><is><t>{n}</t></is></c>'
            for c, n in zip("ABCDEF", HEADER.strip().split(","), strict=True)
        )
        + '</row><row r="2"><c r="A2" t="inlineStr"><is><t>'
    )
    tail = "</t></is></c></row></sheetData></worksheet>"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=compresslevel) as archive:
        for name, text in parts.items():
            archive.writestr(name, text)
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write(head.replace("\n", "").encode())
            chunk = b"a" * (16 * MiB)
            for _ in range(cell_mib // 16):
                sheet.write(chunk)
            sheet.write(tail.encode())
    return path


def parquet_rows(path: Path, rows: int = 50_000_000) -> Path:
    """A valid-looking activities Parquet file of ``rows`` identical rows (about 8 MB for 50 M)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    step = 1_000_000
    table = pa.table(
        {
            "id": pa.array(["A1"] * step),
            "facility": pa.array(["plant"] * step),
            "date": pa.array(["2024-01-15"] * step),
            "activity": pa.array(["fuel/diesel"] * step),
            "quantity": pa.array([1.0] * step),
            "unit": pa.array(["t"] * step),
        }
    )
    with pq.ParquetWriter(path, table.schema, compression="zstd") as writer:
        for start in range(0, rows, step):
            writer.write_table(table.slice(0, min(step, rows - start)))
    return path


# -- functions for a worker process (importable by name) ----------------------------------------------
def hoard(mib: int) -> int:
    """Allocate ``mib`` MiB and hold them: past a worker's memory limit this fails."""
    kept = [bytearray(MiB) for _ in range(mib)]
    return len(kept)


def sleep(seconds: float) -> float:
    import time

    time.sleep(seconds)
    return seconds


def crash() -> None:
    import os
    import signal

    os.kill(os.getpid(), signal.SIGKILL)


def fail(message: str) -> None:
    raise ValueError(message)
