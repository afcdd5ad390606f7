"""MovieLens loading, on tiny files written here in each variant's format (no network)."""

import hashlib
import io
import urllib.error
import zipfile

import pandas as pd
import pytest

from recsys_lab import movielens
from recsys_lab.datasets import load_movielens

FILES = {
    "100k": (
        "ml-100k",
        {
            "u.data": "1\t10\t4\t881250949\n2\t10\t3\t891717742\n1\t20\t5\t878887116\n",
            "u.item": "10|Toy Story (1995)|01-Jan-1995||http://x|0|0|0|1|1|1|"
            + "0|" * 12
            + "0\n"
            + "20|Crème (1996)|01-Jan-1996||http://y|0|1|"
            + "0|" * 16
            + "1\n",
        },
        "latin-1",
    ),
    "1m": (
        "ml-1m",
        {
            "ratings.dat": "1::10::4::978300760\n2::10::3::978302109\n1::20::5::978301968\n",
            "movies.dat": "10::Toy Story (1995)::Animation|Children's|Comedy\n"
            "20::Crème (1996)::Action|Western\n",
        },
        "latin-1",
    ),
    "latest-small": (
        "ml-latest-small",
        {
            "ratings.csv": "userId,movieId,rating,timestamp\n1,10,4.0,964982703\n"
            "2,10,3.5,964981247\n1,20,5.0,964982224\n",
            "movies.csv": "movieId,title,genres\n10,Toy Story (1995),Animation|Children's|Comedy\n"
            '20,"Crème, The (1996)",Action|Western\n',
        },
        "utf-8",
    ),
}


def write_folder(root, variant):
    folder, files, enc = FILES[variant]
    (root / folder).mkdir(parents=True)
    for name, text in files.items():
        (root / folder / name).write_bytes(text.encode(enc))
    return root / folder


def zip_bytes(variant):
    folder, files, enc = FILES[variant]
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, text in files.items():
            zf.writestr(f"{folder}/{name}", text.encode(enc))
    return buf.getvalue()


@pytest.fixture(autouse=True)
def private_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("RECSYS_LAB_CACHE", str(tmp_path / "cache"))


def check(ml):
    assert list(ml.ratings.columns) == ["user", "item", "rating", "timestamp"]
    assert len(ml.ratings) == 3 and ml.ratings["rating"].dtype == float
    assert ml.ratings["timestamp"].dtype == "datetime64[s]"
    assert list(ml.items.columns) == ["item", "title", "genres"]
    titles = dict(zip(ml.items["item"], ml.items["title"], strict=True))
    assert titles[20].startswith("Crème")  # the right text encoding
    genres = dict(zip(ml.items["item"], ml.items["genres"], strict=True))
    assert genres[20] == "Action|Western"


@pytest.mark.parametrize("variant", list(FILES))
def test_folder_subfolder_and_zip(tmp_path, variant):
    folder = write_folder(tmp_path / "a", variant)
    check(load_movielens(variant, path=folder))  # the ml-… folder itself
    check(load_movielens(variant, path=tmp_path / "a"))  # its parent
    archive = tmp_path / f"{FILES[variant][0]}.zip"
    archive.write_bytes(zip_bytes(variant))
    check(load_movielens(variant, path=archive))


def test_cache_is_used_when_no_path(tmp_path):
    write_folder(movielens.cache_dir(), "1m")
    check(load_movielens("1m"))


def test_missing_files_say_how_to_get_them(tmp_path):
    with pytest.raises(FileNotFoundError, match="ml-100k.zip.*download=True"):
        load_movielens("100k")
    with pytest.raises(FileNotFoundError, match="was not found in"):
        load_movielens("100k", path=tmp_path)
    with pytest.raises(ValueError, match="Unknown MovieLens variant '25m'"):
        load_movielens("25m")


def test_download_verifies_and_extracts(monkeypatch):
    payload = zip_bytes("100k")
    spec = movielens.VARIANTS["100k"]
    digest = "sha256:" + hashlib.sha256(payload).hexdigest()
    monkeypatch.setitem(
        movielens.VARIANTS, "100k", spec.__class__(**{**spec.__dict__, "checksum": digest})
    )
    calls = []
    monkeypatch.setattr(movielens, "_fetch", lambda url: calls.append(url) or payload)
    check(load_movielens("100k", download=True))
    assert calls == ["https://files.grouplens.org/datasets/movielens/ml-100k.zip"]
    check(load_movielens("100k", download=True))  # cached: no second download
    assert len(calls) == 1


def test_download_rejects_a_wrong_checksum(monkeypatch):
    monkeypatch.setattr(movielens, "_fetch", lambda url: zip_bytes("100k"))
    with pytest.raises(ValueError, match="md5 .* expected 0e33842e"):
        load_movielens("100k", download=True)
    assert not (movielens.cache_dir() / "ml-100k").exists()


def test_offline_download_fails_at_once(monkeypatch):
    def offline(url):
        raise urllib.error.URLError("Temporary failure in name resolution")

    monkeypatch.setattr(movielens, "_fetch", offline)
    with pytest.raises(ConnectionError, match="offline"):
        load_movielens("latest-small", download=True)


def test_zip_slip_is_refused(tmp_path):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("ok.txt", "fine")
        zf.writestr("../../evil.txt", "boom")
    with pytest.raises(ValueError, match="points outside"):
        movielens.extract_safely(io.BytesIO(buf.getvalue()), tmp_path / "dest")
    assert not (tmp_path / "evil.txt").exists() and not (tmp_path / "dest" / "ok.txt").exists()
    assert (
        pd.Series(movielens.extract_safely(io.BytesIO(zip_bytes("1m")), tmp_path / "d")).size == 2
    )
