"""MovieLens loading: tiny files written here in each variant's format (no network), and
the real MovieLens-100k from the installed RecBole 1.2.1 wheel."""

import hashlib
import io
import shutil
import subprocess
import sys
import urllib.error
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from recsys_lab.data import load_movielens, movielens

ZEROS = "|0" * 19
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
            "u.user": "1|24|M|technician|85711\n2|53|F|other|T8H1N\n",
        },
        "latin-1",
    ),
    "1m": (
        "ml-1m",
        {
            "ratings.dat": "1::10::4::978300760\n2::10::3::978302109\n1::20::5::978301968\n",
            "movies.dat": "10::Toy Story (1995)::Animation|Children's|Comedy\n"
            "20::Crème (1996)::Action|Western\n",
            "users.dat": "1::F::1::10::48067\n2::M::56::16::70072\n",
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


def write_folder(root, variant, **replace):
    folder, files, enc = FILES[variant]
    (root / folder).mkdir(parents=True)
    for name, text in {**files, **replace}.items():
        if text is not None:
            (root / folder / name).write_bytes(text.encode(enc))
    return root / folder


def zip_bytes(variant, **replace):
    folder, files, enc = FILES[variant]
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, text in {**files, **replace}.items():
            if text is not None:
                zf.writestr(f"{folder}/{name}", text.encode(enc))
    return buf.getvalue()


@pytest.fixture(autouse=True)
def private_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("RECSYS_LAB_CACHE", str(tmp_path / "cache"))


@pytest.fixture
def no_recbole(monkeypatch):
    """As on a machine without RecBole's wheel."""
    monkeypatch.setattr(movielens, "_recbole_folder", lambda: None)


def check(ml, variant):
    assert list(ml.ratings.columns) == ["user", "item", "rating", "timestamp"]
    assert len(ml.ratings) == 3 and ml.ratings["rating"].dtype == float
    assert ml.ratings["timestamp"].dtype == "datetime64[s]"
    assert ml.ratings["user"].tolist() == [1, 2, 1]  # the file's order
    assert list(ml.items.columns) == ["item", "title", "year", "genres"]
    items = ml.items.set_index("item")
    assert items.loc[20, "title"] in ("Crème", "Crème, The")  # the right text encoding
    assert items["year"].dtype == "Int64" and items["year"].tolist() == [1995, 1996]
    assert items.loc[10, "genres"] == "Animation|Children's|Comedy"
    assert items.loc[20, "genres"] == "Action|Western"
    assert FILES[variant][0] in ml.source
    if variant == "latest-small":
        assert ml.users is None
    else:
        assert list(ml.users.columns) == ["user", "age", "gender", "occupation", "zip"]
        assert ml.users["age"].dtype == "int64"


@pytest.mark.parametrize("variant", list(FILES))
def test_folder_subfolder_and_zip(tmp_path, variant):
    folder = write_folder(tmp_path / "a", variant)
    check(load_movielens(variant, path=folder), variant)  # the ml-… folder itself
    check(load_movielens(variant, path=tmp_path / "a"), variant)  # its parent
    archive = tmp_path / f"{FILES[variant][0]}.zip"
    archive.write_bytes(zip_bytes(variant))
    ml = load_movielens(variant, path=archive)
    check(ml, variant)
    assert str(archive) in ml.source


def test_users_of_100k_and_1m(tmp_path):
    ml = load_movielens("100k", path=write_folder(tmp_path / "a", "100k"))
    assert ml.users.values.tolist() == [
        [1, 24, "M", "technician", "85711"],
        [2, 53, "F", "other", "T8H1N"],  # zip codes stay text
    ]
    ml = load_movielens("1m", path=write_folder(tmp_path / "b", "1m"))
    assert ml.users.values.tolist() == [
        [1, 1, "F", "K-12 student", "48067"],  # age group code 1 = under 18
        [2, 56, "M", "self-employed", "70072"],
    ]


def test_timestamps_are_utc(tmp_path):
    # 881250949 s after 1970-01-01 UTC; GroupLens's README says the stamps are UTC
    ml = load_movielens("100k", path=write_folder(tmp_path, "100k"))
    assert ml.ratings["timestamp"].iloc[0] == pd.Timestamp("1997-12-04 15:55:49")


def test_titles_keep_what_follows_the_year(tmp_path):
    items = "1|Land Before Time III (1995) (V)|01-Jan-1995||u" + ZEROS + "\n"
    items += "2|unknown||||1" + "|0" * 18 + "\n"
    items += "3|Heidi Fleiss: Hollywood Madam (1995) |09-Feb-1996||u" + ZEROS + "\n"
    items += "4|1776 (1972)|01-Jan-1972||u" + ZEROS + "\n"
    ml = load_movielens("100k", path=write_folder(tmp_path, "100k", **{"u.item": items}))
    assert ml.items["title"].tolist() == [
        "Land Before Time III (V)",
        "unknown",
        "Heidi Fleiss: Hollywood Madam",
        "1776",
    ]
    assert ml.items["year"].tolist() == [1995, pd.NA, 1995, 1972]
    assert ml.items["genres"].tolist() == ["", "unknown", "", ""]


def test_cache_is_used_when_no_path():
    write_folder(movielens.cache_dir(), "1m")
    check(load_movielens("1m"), "1m")


def test_cache_comes_before_recbole():
    write_folder(movielens.cache_dir(), "100k")
    ml = load_movielens("100k")
    assert len(ml.ratings) == 3 and ml.source.startswith("GroupLens")


def test_missing_files_say_how_to_get_them(tmp_path, no_recbole):
    with pytest.raises(FileNotFoundError, match=r"ml-100k.zip.*download=True.*recbole==1.2.1"):
        load_movielens("100k")
    with pytest.raises(FileNotFoundError, match="was not found in"):
        load_movielens("100k", path=tmp_path)  # an explicit path: no fallback
    with pytest.raises(ValueError, match="Unknown MovieLens variant '25m'"):
        load_movielens("25m")


def test_an_explicit_path_never_falls_back_to_recbole(tmp_path):
    with pytest.raises(FileNotFoundError, match="was not found in"):
        load_movielens("100k", path=tmp_path)


# ------------------------------------------------------------------ incomplete or damaged


def test_incomplete_zip_names_the_missing_file(tmp_path):
    archive = tmp_path / "ml-100k.zip"
    archive.write_bytes(zip_bytes("100k", **{"u.item": None}))
    with pytest.raises(FileNotFoundError, match=r"ml-100k.zip is incomplete: .* but not u.item"):
        load_movielens("100k", path=archive)
    with pytest.raises(FileNotFoundError, match="does not contain ml-1m/ratings.dat"):
        load_movielens("1m", path=archive)  # another variant's zip


def test_incomplete_folder_names_the_missing_file(tmp_path):
    write_folder(movielens.cache_dir(), "100k", **{"u.user": None})
    with pytest.raises(FileNotFoundError, match=r"ml-100k is incomplete: .* but not u.user"):
        load_movielens("100k")  # not silently replaced by RecBole's copy
    folder = write_folder(tmp_path / "a", "1m", **{"ratings.dat": None})
    with pytest.raises(FileNotFoundError, match="but not ratings.dat"):
        load_movielens("1m", path=folder)


@pytest.mark.parametrize(
    ("variant", "name", "text", "match"),
    [
        (
            "100k",
            "u.data",
            "1\t10\t4\t881250949\n2\t10\n",
            r"u.data in .*, line 2: rating is empty",
        ),
        ("100k", "u.data", "1\t10\tfour\t881250949\n", r"line 1: rating 'four' is not a number"),
        ("100k", "u.data", "1\t10\t4\t8812509.5\n", r"line 1: timestamp '8812509.5' is not an"),
        ("100k", "u.data", "1\t10\t4\t881250949\n2\t10\t3\t1\t9\n", "u.data in .* is malformed"),
        ("100k", "u.data", "1|10|4|881250949\n", r"1 field\(s\) per line, expected 4"),
        ("100k", "u.data", "", "u.data in .* is empty"),
        ("100k", "u.item", "10|Toy Story (1995)|||u" + "|2" * 19 + "\n", "genre flag is not 0 or"),
        ("100k", "u.user", "1|24|M|technician|85711\n2|53|F\n", r"u.user.*line 2.*is empty"),
        ("1m", "users.dat", "1::F::1::25::48067\n", "line 1: the occupation code is not 0-20"),
        ("latest-small", "ratings.csv", "userId,movieId,rating,timestamp\n1,10,x,9\n", r"line 2"),
    ],
)
def test_damaged_lines_are_named(tmp_path, variant, name, text, match):
    folder = write_folder(tmp_path, variant, **{name: text})
    with pytest.raises(ValueError, match=match):
        load_movielens(variant, path=folder)


def test_damaged_line_message_quotes_the_fields_and_the_fix(tmp_path):
    folder = write_folder(tmp_path, "100k", **{"u.data": "1\t10\t4\t881250949\n2\t10\n"})
    with pytest.raises(ValueError) as info:
        load_movielens("100k", path=folder)
    assert "['2', '10', '', '']" in str(info.value)
    assert "Download the complete ml-100k.zip" in str(info.value)


def test_a_file_that_is_not_a_zip(tmp_path):
    fake = tmp_path / "ml-100k.zip"
    fake.write_text("not a zip")
    with pytest.raises(ValueError, match="is not a zip archive"):
        load_movielens("100k", path=fake)


# ------------------------------------------------------------------ download


def test_download_verifies_and_extracts(monkeypatch, no_recbole):
    payload = zip_bytes("100k")
    spec = movielens.VARIANTS["100k"]
    digest = "sha256:" + hashlib.sha256(payload).hexdigest()
    monkeypatch.setitem(
        movielens.VARIANTS, "100k", spec.__class__(**{**spec.__dict__, "checksum": digest})
    )
    calls = []
    monkeypatch.setattr(movielens, "_fetch", lambda url: calls.append(url) or payload)
    check(load_movielens("100k", download=True), "100k")
    assert calls == ["https://files.grouplens.org/datasets/movielens/ml-100k.zip"]
    check(load_movielens("100k", download=True), "100k")  # cached: no second download
    assert len(calls) == 1


def test_download_rejects_a_wrong_checksum(monkeypatch, no_recbole):
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
    assert len(movielens.extract_safely(io.BytesIO(zip_bytes("1m")), tmp_path / "d")) == 3


# ------------------------------------------------------------------ RecBole's real copy

RECBOLE = movielens._recbole_folder()
needs_recbole = pytest.mark.skipif(
    RECBOLE is None,
    reason="RecBole 1.2.1's ml-100k files are absent (pip install --no-deps recbole==1.2.1)",
)


@pytest.fixture(scope="module")
def ml100k():
    return movielens._load_recbole(RECBOLE)


@needs_recbole
def test_recbole_is_used_with_no_path_and_no_network(monkeypatch):
    def no_network(url):
        raise AssertionError("nothing may be downloaded")

    monkeypatch.setattr(movielens, "_fetch", no_network)
    ml = load_movielens("100k")
    assert ml.source.startswith("RecBole 1.2.1's copy") and str(RECBOLE) in ml.source
    assert (len(ml.ratings), len(ml.users), len(ml.items)) == (100_000, 943, 1_682)


@needs_recbole
def test_recbole_counts_and_dtypes(ml100k):
    r, items, users = ml100k.ratings, ml100k.items, ml100k.users
    assert r.shape == (100_000, 4) and items.shape == (1_682, 4) and users.shape == (943, 5)
    assert r.dtypes.astype(str).tolist() == ["int64", "int64", "float64", "datetime64[s]"]
    assert items["item"].dtype == "int64" and items["year"].dtype == "Int64"
    assert users[["user", "age"]].dtypes.astype(str).tolist() == ["int64", "int64"]
    for frame in (r, items, users):
        assert isinstance(frame.index, pd.RangeIndex)


@needs_recbole
def test_recbole_invariants_of_the_grouplens_readme(ml100k):
    r, items, users = ml100k.ratings, ml100k.items, ml100k.users
    assert sorted(r["user"].unique()) == list(range(1, 944)) == users["user"].tolist()
    assert sorted(r["item"].unique()) == list(range(1, 1683)) == items["item"].tolist()
    assert r.groupby("user").size().min() == 20  # each user rated at least 20 films
    assert set(r["rating"]) == {1.0, 2.0, 3.0, 4.0, 5.0}
    assert not r.duplicated(["user", "item"]).any()
    # "from September 19th, 1997 through April 22nd, 1998" (UTC)
    assert r["timestamp"].min() == pd.Timestamp("1997-09-20 03:05:10")
    assert r["timestamp"].max() == pd.Timestamp("1998-04-22 23:10:38")
    genres = set(items["genres"].str.split("|").explode())
    assert genres == set(movielens._GENRES_100K) and len(genres) == 19
    assert users["gender"].value_counts().to_dict() == {"M": 670, "F": 273}
    assert users["occupation"].nunique() == 21 and users["age"].between(7, 73).all()
    assert items["year"].isna().sum() == 1 and items["year"].min() == 1922


@needs_recbole
def test_recbole_known_rows(ml100k):
    assert ml100k.ratings.head(3).values.tolist() == [
        [196, 242, 3.0, pd.Timestamp("1997-12-04 15:55:49")],
        [186, 302, 3.0, pd.Timestamp("1998-04-04 19:22:22")],
        [22, 377, 1.0, pd.Timestamp("1997-11-07 07:18:36")],
    ]
    assert ml100k.ratings.iloc[-1].tolist() == [12, 203, 3.0, pd.Timestamp(879959583, unit="s")]
    items = ml100k.items.set_index("item")
    assert items.loc[1].tolist() == ["Toy Story", 1995, "Animation|Children's|Comedy"]
    assert items.loc[50].tolist() == ["Star Wars", 1977, "Action|Adventure|Romance|Sci-Fi|War"]
    assert items.loc[135, "title"] == "2001: A Space Odyssey"  # digits in the title stay
    assert items.loc[89].tolist() == ["Blade Runner", 1982, "Film-Noir|Sci-Fi"]
    assert items.loc[543, "title"] == "Misérables, Les"  # RecBole's UTF-8, GroupLens's Latin-1
    assert ml100k.users.iloc[0].tolist() == [1, 24, "M", "technician", "85711"]
    assert ml100k.users.set_index("user").loc[74, "zip"] == "T8H1N"


@needs_recbole
def test_recbole_quirks_are_undone(ml100k):
    items = ml100k.items.set_index("item")
    assert items.loc[267, "title"] == "unknown" and items.loc[267, "year"] is pd.NA
    assert items.loc[267, "genres"] == "unknown"
    assert items.loc[1412, "title"] == "Land Before Time III: The Time of the Great Giving (V)"
    assert items.loc[1412, "year"] == 1995
    assert not items["title"].str.contains("unkonwn").any()
    assert (items["title"] == items["title"].str.strip()).all()
    assert items.loc[1128, "title"] == "Heidi Fleiss: Hollywood Madam"


@needs_recbole
def test_recbole_and_grouplens_files_give_the_same_frames(tmp_path, ml100k):
    """GroupLens's own lines (u.data's first three, u.item's and u.user's for a few ids)
    read through the GroupLens path give RecBole's rows exactly."""
    u_item = (
        "1|Toy Story (1995)|01-Jan-1995||http://us.imdb.com/M/title-exact?Toy%20Story%20(1995)"
        "|0|0|0|1|1|1" + "|0" * 13 + "\n"
        "267|unknown||||1" + "|0" * 18 + "\n"
        "1128|Heidi Fleiss: Hollywood Madam (1995) |09-Feb-1996||http://us.imdb.com/x"
        + "|0" * 7
        + "|1"
        + "|0" * 11
        + "\n"
        "1412|Land Before Time III: The Time of the Great Giving (1995) (V)|01-Jan-1995||"
        "http://us.imdb.com/x|0|0|0|1|1" + "|0" * 14 + "\n"
    )
    u_data = "196\t242\t3\t881250949\n186\t302\t3\t891717742\n22\t377\t1\t878887116\n"
    u_user = "1|24|M|technician|85711\n74|39|M|scientist|T8H1N\n"
    folder = tmp_path / "ml-100k"
    folder.mkdir()
    for name, text in {"u.data": u_data, "u.item": u_item, "u.user": u_user}.items():
        (folder / name).write_bytes(text.encode("latin-1"))
    gl = load_movielens("100k", path=folder)
    pd.testing.assert_frame_equal(gl.ratings, ml100k.ratings.head(3))
    expected = ml100k.items.set_index("item").loc[[1, 267, 1128, 1412]].reset_index()
    pd.testing.assert_frame_equal(gl.items, expected)
    expected = ml100k.users.set_index("user").loc[[1, 74]].reset_index()
    pd.testing.assert_frame_equal(gl.users, expected)


def copy_recbole(dest):
    dest.mkdir()
    for name in movielens.RECBOLE_SHA256:
        shutil.copy(RECBOLE / name, dest / name)
    return dest


@needs_recbole
def test_pinned_digests_are_the_installed_files():
    for name, digest in movielens.RECBOLE_SHA256.items():
        assert hashlib.sha256((RECBOLE / name).read_bytes()).hexdigest() == digest


@needs_recbole
@pytest.mark.parametrize(
    ("name", "edit"),
    [
        ("ml-100k.inter", lambda raw: raw.replace(b"196\t242\t3", b"196\t242\t5")),
        ("ml-100k.inter", lambda raw: raw[:-7]),  # truncated
        ("ml-100k.item", lambda raw: raw.replace(b"Toy Story", b"Toy Storm")),
        ("ml-100k.user", lambda raw: raw.replace(b"85711", b"85712")),
    ],
)
def test_a_tampered_recbole_file_is_refused(tmp_path, monkeypatch, ml100k, name, edit):
    copy = copy_recbole(tmp_path / "copy")
    monkeypatch.setattr(movielens, "_recbole_folder", lambda: copy)
    pd.testing.assert_frame_equal(load_movielens("100k").items, ml100k.items)  # the copy reads
    raw = (copy / name).read_bytes()
    (copy / name).write_bytes(edit(raw))
    assert (copy / name).read_bytes() != raw
    with pytest.raises(ValueError, match=rf"{name} has SHA-256 [0-9a-f]{{64}}, expected") as info:
        load_movielens("100k")
    assert "pip install --force-reinstall --no-deps recbole==1.2.1" in str(info.value)


@needs_recbole
def test_a_missing_recbole_file_is_named(tmp_path, monkeypatch):
    copy = copy_recbole(tmp_path / "copy")
    (copy / "ml-100k.user").unlink()
    monkeypatch.setattr(movielens, "_recbole_folder", lambda: copy)
    with pytest.raises(FileNotFoundError, match=r"copy lacks ml-100k.user\. Reinstall"):
        load_movielens("100k")


@needs_recbole
def test_recbole_and_torch_are_never_imported():
    code = (
        "import sys; from recsys_lab.data import load_movielens; "
        "ml = load_movielens('100k'); assert ml.source.startswith('RecBole'), ml.source; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('recbole', 'torch')))"
    )
    env = {"RECSYS_LAB_CACHE": "/nonexistent-recsys-lab-cache"}
    env["PYTHONPATH"] = str(Path(__file__).resolve().parents[1])
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
