"""labels.csv folders under hostile and careless input: nothing lost when saving, every bad row named in one line."""

from __future__ import annotations

import csv
import logging
import os
import subprocess
import sys
import textwrap

import pytest

from coinnet.label_folder import LOCK_NAME, LabelsError, merge_rows, read_labels, read_rows, write_rows
from tests.helpers.paths import REPO

_SAVER = textwrap.dedent(
    """
    import sys
    from coinnet.label_folder import merge_rows
    folder, tag = sys.argv[1], sys.argv[2]
    for i in range(20):  # one save per reviewed photo, as the desktop app does
        merge_rows(folder, [{"file": f"images/{tag}{i}.jpg", "year": "1999", "mint": "D"}])
    """
)


def _write(folder, text: str, encoding: str = "utf-8") -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "labels.csv").write_bytes(text.encode(encoding))


def test_two_processes_saving_at_once_lose_no_row(tmp_path):
    folder = tmp_path / "corrections"
    _write(folder, "file,year,mint\nimages/old.jpg,1909,S\n")
    savers = [
        subprocess.Popen([sys.executable, "-c", _SAVER, str(folder), tag], cwd=REPO, stderr=subprocess.PIPE)
        for tag in ("a", "b")
    ]
    for proc in savers:
        assert proc.wait(timeout=120) == 0, proc.stderr.read().decode()
    files = [r["file"] for r in read_rows(folder)]
    assert len(files) == 41 and len(set(files)) == 41
    assert (folder / LOCK_NAME).exists()


def test_saving_keeps_extra_columns_bom_and_mode_and_merges_dot_paths(tmp_path):
    folder = tmp_path / "d"
    _write(
        folder, "file,year,mint,grader,notes\n./images/x.jpg,1955,D,PCGS,old\nimages/y.jpg,1960,,NGC,\n", "utf-8-sig"
    )
    os.chmod(folder / "labels.csv", 0o644)
    merge_rows(folder, [{"file": "images/x.jpg", "year": "1956", "mint": "none", "notes": ""}])
    raw = (folder / "labels.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # the BOM a spreadsheet wrote stays
    assert oct(os.stat(folder / "labels.csv").st_mode & 0o777) == "0o644"
    rows = read_rows(folder)
    assert [r["file"] for r in rows] == ["images/x.jpg", "images/y.jpg"]  # one row per image, not two
    assert (rows[0]["year"], rows[0]["mint"], rows[0]["grader"]) == ("1956", "none", "PCGS")
    assert rows[1]["grader"] == "NGC"
    header = raw.decode("utf-8-sig").splitlines()[0]
    assert header == "file,year,mint,grader,notes,view,legible"  # own order kept, coinnet's columns added


def test_a_carriage_return_and_undecodable_bytes_keep_the_csv_valid(tmp_path):
    odd = os.fsdecode(b"images/caf\xe9.jpg")
    write_rows(tmp_path, [{"file": "images/a\rb.jpg", "year": "1999", "mint": "D"}, {"file": odd, "year": "1999"}])
    text = (tmp_path / "labels.csv").read_bytes().decode("utf-8")  # strict: valid UTF-8
    rows = list(csv.DictReader(text.splitlines(keepends=True)))
    assert [r["file"] for r in rows] == ["images/a\rb.jpg", "images/caf\\xe9.jpg"]


@pytest.mark.parametrize(
    ("content", "keyword"),
    [
        ("file,year,mint\na.jpg,1999,D,\n" + "b.jpg,1999," + "x" * 200_000 + "\n", "labels.csv:3: field larger"),
        (b"file,year,mint\ncaf\xe9.jpg,1999,D\n", "not UTF-8"),
        ("name,year\na.jpg,1999\n", "missing column(s) file, mint"),
    ],
)
def test_unusable_files_are_refused_in_one_line(tmp_path, content, keyword):
    (tmp_path / "labels.csv").write_bytes(content if isinstance(content, bytes) else content.encode())
    for read in (read_labels, read_rows):
        with pytest.raises(LabelsError) as info:
            read(tmp_path)
        assert keyword in str(info.value) and "\n" not in str(info.value)
    with pytest.raises(LabelsError):  # and a save leaves such a file as it was
        merge_rows(tmp_path, [{"file": "new.jpg", "year": "1999", "mint": "D"}])


def test_labels_never_struck_are_skipped_with_file_and_line(tmp_path, caplog):
    rows = ["1908,S", "2099,D", "0000,", "1965,D", "2017,none", "2017,P", "1999,", ",W"]
    _write(tmp_path, "file,year,mint\n" + "".join(f"i{k}.jpg,{r}\n" for k, r in enumerate(rows)))
    with caplog.at_level(logging.WARNING, logger="coinnet.label_folder"):
        kept = read_labels(tmp_path)
    assert [(r.year, r.mint) for r in kept] == [(2017, "P"), (1999, None), (None, "W")]
    messages = [r.getMessage() for r in caplog.records]
    for line, why in [(2, "year 1908 is outside"), (3, "year 2099 is outside"), (4, "year 0000 is outside"),
                      (5, "no 1965 cent was struck with mint mark D"), (6, "no 2017 cent was struck with no mint")]:  # fmt: skip
        assert any(f"labels.csv:{line}: {why}" in m and m.endswith("row skipped") for m in messages), line
    assert any("skipped 5 of 8 rows" in m for m in messages)


def test_files_outside_the_folder_are_skipped_unless_allowed(tmp_path, caplog):
    folder, elsewhere = tmp_path / "data", tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "secret.jpg").write_bytes(b"x")
    (folder / "images").mkdir(parents=True)
    (folder / "images" / "link.jpg").symlink_to(elsewhere / "secret.jpg")
    names = ["images/ok.jpg", "../elsewhere/secret.jpg", str(elsewhere / "secret.jpg"), "images/link.jpg"]
    _write(folder, "file,year,mint\n" + "".join(f"{n},1999,D\n" for n in names))
    with caplog.at_level(logging.WARNING, logger="coinnet.label_folder"):
        assert [r.path for r in read_labels(folder)] == [str(folder / "images/ok.jpg")]
    assert sum("is outside the folder" in r.getMessage() for r in caplog.records) == 3
    assert len(read_labels(folder, allow_outside=True)) == 4


def test_a_fifo_named_labels_csv_is_refused_not_waited_on(tmp_path):
    os.mkfifo(tmp_path / "labels.csv")
    with pytest.raises(LabelsError, match="FIFO"):
        read_labels(tmp_path)
