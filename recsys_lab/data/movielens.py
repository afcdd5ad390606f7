"""MovieLens as tidy DataFrames, from GroupLens's files or, for ML-100k, RecBole's copy.

:func:`load_movielens` looks for a variant's files in this order and downloads nothing
unless asked:

1. ``path=`` (GroupLens's zip, or the folder it unpacks to) or, without ``path``, the
   cache folder (:func:`cache_dir`: ``~/.cache/recsys_lab/movielens`` or
   ``$RECSYS_LAB_CACHE/movielens``);
2. for ``"100k"`` without ``path``: the complete MovieLens-100k that the RecBole 1.2.1
   wheel ships in ``recbole/dataset_example/ml-100k/`` (install it with
   ``pip install --no-deps recbole==1.2.1``). Only its three data files are read, each
   checked against a SHA-256 pinned below. RecBole's code, which needs torch, is never
   imported: :func:`importlib.util.find_spec` locates a top-level package without
   running it;
3. with ``download=True`` only: GroupLens's zip, checksum-verified, into the cache.

Whatever the source, the frames are the same (see :class:`MovieLens`): GroupLens's
integer ids, titles without the year, the year as a nullable integer, genres as
``"A|B"``. RecBole's copy is GroupLens's ``u.data``, ``u.item`` and ``u.user``
re-encoded (UTF-8, tab-separated, typed headers) with three changes, which are undone
here: genres separated by spaces; item 267's title and year spelled ``unkonwn``
(GroupLens: title ``unknown``, no date); and item 1412, "Land Before Time III: The Time
of the Great Giving (1995) (V)", split at its last parenthesis into the title
"… (1995)" and the year ``V``. RecBole also strips the trailing space of three
GroupLens titles (items 1128, 1201, 1635); titles are stripped here too.

MovieLens is not redistributed by this project. GroupLens's terms of use (research use,
no redistribution without permission, cite Harper & Konstan 2015, no commercial use
without permission) are summarised in ``data/README.md``.

References
----------
F. Maxwell Harper and Joseph A. Konstan. 2015. The MovieLens Datasets: History and
Context. ACM Transactions on Interactive Intelligent Systems 5(4): 19.
"""

from __future__ import annotations

import csv
import hashlib
import importlib.util
import io
import os
import shutil
import urllib.error
import urllib.request
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path

import numpy as np
import pandas as pd

from recsys_lab._validation import check_choice

_BASE_URL = "https://files.grouplens.org/datasets/movielens/"

_GENRES_100K = (
    "unknown",
    "Action",
    "Adventure",
    "Animation",
    "Children's",
    "Comedy",
    "Crime",
    "Documentary",
    "Drama",
    "Fantasy",
    "Film-Noir",
    "Horror",
    "Musical",
    "Mystery",
    "Romance",
    "Sci-Fi",
    "Thriller",
    "War",
    "Western",
)

# ML-1m's users.dat codes occupations 0-20 (GroupLens's README for ml-1m).
_OCCUPATIONS_1M = (
    "other",
    "academic/educator",
    "artist",
    "clerical/admin",
    "college/grad student",
    "customer service",
    "doctor/health care",
    "executive/managerial",
    "farmer",
    "homemaker",
    "K-12 student",
    "lawyer",
    "programmer",
    "retired",
    "sales/marketing",
    "scientist",
    "self-employed",
    "technician/engineer",
    "tradesman/craftsman",
    "unemployed",
    "writer",
)

# The files of recbole 1.2.1's recbole/dataset_example/ml-100k/ that are read, with their
# SHA-256 (hex); the wheel's RECORD lists the same digests (base64).
RECBOLE_SHA256 = {
    "ml-100k.inter": "4edb74e2a81178c2ba9ff381495f754f996c4aea351b1272ca36b43da0935eff",
    "ml-100k.item": "51d7cdf777ce5c0f5b32c1d947a4a81fe07d75e78abbe761e0cd4d0756064532",
    "ml-100k.user": "4f670007d9cfbeb9807e757209af1555b9bcc186bde25e767f67cb67c6dd5972",
}
_RECBOLE_FIX = (
    "Reinstall it (pip install --force-reinstall --no-deps recbole==1.2.1), or pass "
    "path= to GroupLens's ml-100k.zip."
)

# The year in a title: the last "(dddd)" followed by nothing but parenthesised tags,
# e.g. "Land Before Time III: The Time of the Great Giving (1995) (V)".
_TITLE_YEAR = r"^(?P<head>.*?)\s*\((?P<year>\d{4})\)(?P<tail>(?:\s*\([^()]*\))*)$"


@dataclass(frozen=True)
class _Variant:
    folder: str
    ratings: str
    items: str
    users: str | None
    checksum: str  # "algorithm:hexdigest" of the zip
    encoding: str = "latin-1"

    @property
    def files(self) -> tuple[str, ...]:
        return tuple(f for f in (self.ratings, self.items, self.users) if f is not None)


VARIANTS: dict[str, _Variant] = {
    # GroupLens publishes MD5 sums for these two archives (ml-*.zip.md5); the
    # latest-small archive is pinned by SHA-256.
    "100k": _Variant(
        "ml-100k", "u.data", "u.item", "u.user", "md5:0e33842e24a9c977be4e0107933c0723"
    ),
    "1m": _Variant(
        "ml-1m",
        "ratings.dat",
        "movies.dat",
        "users.dat",
        "md5:c4d9eecfca2ab87c1945afe126590906",
    ),
    "latest-small": _Variant(
        "ml-latest-small",
        "ratings.csv",
        "movies.csv",
        None,
        "sha256:696d65a3dfceac7c45750ad32df2c259311949efec81f0f144fdfb91ebc9e436",
        encoding="utf-8",
    ),
}


@dataclass(frozen=True)
class MovieLens:
    """A MovieLens variant as three tidy frames, the same whatever the source.

    Attributes
    ----------
    ratings : DataFrame
        ``user`` (int64), ``item`` (int64), ``rating`` (float64), ``timestamp``
        (``datetime64[s]``, tz-naive, holding UTC: the files store Unix seconds), one row
        per rating in the order of the source file (for ML-100k, the random order of
        GroupLens's ``u.data``, which RecBole's copy keeps).
    items : DataFrame
        ``item`` (int64), ``title`` (str, without the year), ``year`` (Int64: the year
        in the title, ``<NA>`` where there is none — not the ``release date`` column of
        ``u.item``, which differs for 192 films), ``genres`` (str, ``"A|B"`` in
        GroupLens's genre order).
    users : DataFrame or None
        ``user`` (int64), ``age`` (int64), ``gender`` (``"M"``/``"F"``), ``occupation``
        (str), ``zip`` (str: some are Canadian postcodes). For ML-1m, ``age`` is
        GroupLens's age-group code — the group's lower bound (1 = under 18, 18, 25, 35,
        45, 50, 56 = 56+) — and the occupation codes are replaced by their names.
        ``None`` for latest-small, which has no user file.
    source : str
        Where the files were read, e.g. RecBole's folder or GroupLens's zip.
    """

    ratings: pd.DataFrame
    items: pd.DataFrame
    users: pd.DataFrame | None
    source: str


@dataclass(frozen=True)
class _Files:
    """A folder (on disk or inside a zip) holding a variant's files, and what to say."""

    root: Path | zipfile.Path
    where: str  # how messages name the folder or archive
    fix: str  # what to do when a file is missing or damaged

    def read(self, name: str) -> bytes:
        return (self.root / name).read_bytes()


def cache_dir() -> Path:
    """The folder MovieLens files are looked for in and downloaded to."""
    root = os.environ.get("RECSYS_LAB_CACHE", Path.home() / ".cache" / "recsys_lab")
    return Path(root) / "movielens"


def load_movielens(
    variant: str = "100k", path: str | Path | None = None, download: bool = False
) -> MovieLens:
    """Load a MovieLens variant as tidy DataFrames, without network unless asked.

    Parameters
    ----------
    variant : {"100k", "1m", "latest-small"}
    path : str or Path, optional
        GroupLens's zip for the variant, or a folder holding its files (or its ``ml-…``
        subfolder). Only this place is searched. Default: the cache folder
        (:func:`cache_dir`), then — for ``"100k"`` — RecBole 1.2.1's copy.
    download : bool, default False
        If the files are found nowhere, fetch the zip from GroupLens into the cache,
        verify its checksum and unpack it. Never done unless asked.

    Returns
    -------
    MovieLens
        ``ratings``, ``items``, ``users`` and ``source``; see :class:`MovieLens`.

    Raises
    ------
    FileNotFoundError
        The files are not there and ``download`` is False (the message says how to get
        them), or a zip or folder lacks one of the variant's files.
    ValueError
        A file is damaged: a truncated or malformed line (the message names the file and
        line), a RecBole file whose SHA-256 differs from the pinned one, or a download
        that fails its checksum or would write outside the cache.
    ConnectionError
        ``download=True`` but GroupLens cannot be reached (e.g. offline).

    Examples
    --------
    >>> ml = load_movielens("100k")  # doctest: +SKIP
    >>> ml.ratings.shape, ml.items.shape, ml.users.shape  # doctest: +SKIP
    ((100000, 4), (1682, 4), (943, 5))
    >>> ml.items.loc[0, ["title", "year", "genres"]].tolist()  # doctest: +SKIP
    ['Toy Story', 1995, "Animation|Children's|Comedy"]
    """
    check_choice(variant, "MovieLens variant", VARIANTS)
    spec = VARIANTS[variant]
    where = Path(path) if path is not None else cache_dir()
    files = _locate(spec, where)
    if files is not None:
        return _parse_grouplens(spec, files)
    if path is None and variant == "100k":
        recbole = _recbole_folder()
        if recbole is not None:
            return _load_recbole(recbole)
    if path is not None or not download:
        recbole_hint = (
            ", or install RecBole's copy (pip install --no-deps recbole==1.2.1)"
            if variant == "100k" and path is None
            else ""
        )
        raise FileNotFoundError(
            f"MovieLens {variant} was not found in {where}. Download "
            f"{_BASE_URL}{spec.folder}.zip (e.g. on a machine with internet) and pass "
            f"path='…/{spec.folder}.zip', or unzip it into {cache_dir()}, or call "
            f"load_movielens({variant!r}, download=True) while online{recbole_hint}."
        )
    _download(spec)
    files = _locate(spec, cache_dir())
    assert files is not None  # _download unpacked a verified archive there
    return _parse_grouplens(spec, files)


def _recbole_folder() -> Path | None:
    """RecBole's ``dataset_example/ml-100k`` folder, found without importing RecBole."""
    found = importlib.util.find_spec("recbole")  # top-level: located, not executed
    if found is None:
        return None
    for root in found.submodule_search_locations or []:
        folder = Path(root) / "dataset_example" / "ml-100k"
        if folder.is_dir():
            return folder
    return None


def _load_recbole(folder: Path) -> MovieLens:
    """Read MovieLens-100k from RecBole 1.2.1's ``dataset_example/ml-100k`` folder.

    :func:`load_movielens` passes the installed wheel's folder (tests pass a copy). Each
    file must match its SHA-256 in :data:`RECBOLE_SHA256`, so the frames are exactly
    those GroupLens's files give.

    Raises
    ------
    FileNotFoundError
        A file is missing.
    ValueError
        A file's SHA-256 differs from the pinned one (edited, truncated, or another
        RecBole version's copy).
    """
    files = _Files(folder, str(folder), _RECBOLE_FIX)
    missing = [name for name in RECBOLE_SHA256 if not (folder / name).is_file()]
    if missing:
        raise FileNotFoundError(f"{folder} lacks {', '.join(missing)}. {_RECBOLE_FIX}")
    raw = {}
    for name, expected in RECBOLE_SHA256.items():
        raw[name] = files.read(name)
        actual = hashlib.sha256(raw[name]).hexdigest()
        if actual != expected:
            raise ValueError(
                f"{folder / name} has SHA-256 {actual}, expected {expected} (recbole "
                f"1.2.1's copy): the file was edited or damaged, or comes from another "
                f"RecBole version, so it is not read. {_RECBOLE_FIX}"
            )
    inter = _fields(raw["ml-100k.inter"], "ml-100k.inter", files, 4, "\t", header=True)
    item = _fields(raw["ml-100k.item"], "ml-100k.item", files, 4, "\t", header=True)
    user = _fields(raw["ml-100k.user"], "ml-100k.user", files, 5, "\t", header=True)
    # Undo RecBole's changes (module docstring): rebuild GroupLens's full titles.
    title, year = (item[c].str.replace("unkonwn", "unknown") for c in (1, 2))
    full_title = title.where(year == "unknown", title + " (" + year + ")")
    return MovieLens(
        ratings=_ratings(inter, "ml-100k.inter", files),
        items=_items(item, full_title, item[3].str.replace(" ", "|"), "ml-100k.item", files),
        users=_users(user, "ml-100k.user", files),
        source=f"RecBole 1.2.1's copy of MovieLens-100k in {folder} (SHA-256 verified)",
    )


def _locate(spec: _Variant, where: Path) -> _Files | None:
    """The folder (or zip folder) that holds the variant's files, or None if none does.

    A folder holding some of the files but not all is an error, not a miss.
    """
    fix = (
        f"Download the complete {spec.folder}.zip from {_BASE_URL} again and pass it as "
        f"path=, or delete this copy and call load_movielens(..., download=True)."
    )
    is_zip = where.is_file()
    if is_zip:
        if not zipfile.is_zipfile(where):
            raise ValueError(
                f"{where} is not a zip archive: pass GroupLens's {spec.folder}.zip or the "
                f"folder it unpacks to."
            )
        root = zipfile.Path(zipfile.ZipFile(io.BytesIO(where.read_bytes())))
        candidates: list[Path | zipfile.Path] = [root / spec.folder, root]
    else:
        candidates = [where / spec.folder, where]
    for folder in candidates:
        present = [name for name in spec.files if (folder / name).is_file()]
        label = str(where) if isinstance(folder, zipfile.Path) else str(folder)
        if len(present) == len(spec.files):
            return _Files(folder, label, fix)
        if present:
            missing = sorted(set(spec.files) - set(present))
            raise FileNotFoundError(
                f"{label} is incomplete: it has {', '.join(present)} but not "
                f"{', '.join(missing)}. {fix}"
            )
    if is_zip:
        raise FileNotFoundError(f"{where} does not contain {spec.folder}/{spec.ratings}. {fix}")
    archive = where / f"{spec.folder}.zip"
    return _locate(spec, archive) if archive.is_file() else None


def _download(spec: _Variant) -> Path:
    cache = cache_dir()
    cache.mkdir(parents=True, exist_ok=True)
    url = f"{_BASE_URL}{spec.folder}.zip"
    try:
        payload = _fetch(url)
    except (urllib.error.URLError, OSError) as exc:
        raise ConnectionError(
            f"Could not download {url} ({exc}). You seem to be offline: fetch the file "
            f"elsewhere and pass path=… to load_movielens."
        ) from None
    algorithm, expected = spec.checksum.split(":")
    actual = hashlib.new(algorithm, payload).hexdigest()
    if actual != expected:
        raise ValueError(
            f"{url} has {algorithm} {actual}, expected {expected}: the download is "
            f"corrupt or the file changed upstream. Nothing was saved."
        )
    extract_safely(io.BytesIO(payload), cache)
    return cache / spec.folder


def _fetch(url: str, timeout: float = 30.0) -> bytes:
    with urllib.request.urlopen(url, timeout=timeout) as response:
        return response.read()


def extract_safely(archive: str | Path | io.BytesIO, dest: str | Path) -> list[Path]:
    """Unzip ``archive`` into ``dest``, refusing members that would escape it.

    Raises ``ValueError`` (and writes nothing) if any member's path is absolute
    or climbs out of ``dest`` with ``..`` — the "zip slip" attack.
    """
    dest = Path(dest).resolve()
    with zipfile.ZipFile(archive) as zf:
        targets = []
        for member in zf.infolist():
            target = (dest / member.filename).resolve()
            if not target.is_relative_to(dest):
                raise ValueError(
                    f"Refusing to extract {member.filename!r}: it points outside {dest}."
                )
            targets.append((member, target))
        for member, target in targets:
            if member.is_dir():
                target.mkdir(parents=True, exist_ok=True)
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            with zf.open(member) as src, open(target, "wb") as out:
                shutil.copyfileobj(src, out)
    return [t for _, t in targets]


# --------------------------------------------------------------------------- parsing


def _parse_grouplens(spec: _Variant, files: _Files) -> MovieLens:
    def table(name: str, n_fields: int, sep: str, header: bool = False) -> pd.DataFrame:
        return _fields(files.read(name), name, files, n_fields, sep, header, spec.encoding)

    users = None
    if spec.folder == "ml-100k":
        ratings = table(spec.ratings, 4, "\t")
        raw = table(spec.items, 5 + len(_GENRES_100K), "|")
        flags = raw.iloc[:, 5:]
        _refuse(
            raw,
            ~flags.isin(["0", "1"]).all(axis=1),
            "a genre flag is not 0 or 1",
            spec.items,
            files,
        )
        on = flags.to_numpy() == "1"
        genres = pd.Series(
            ["|".join(g for g, yes in zip(_GENRES_100K, row, strict=True) if yes) for row in on],
            index=raw.index,
        )
        items = _items(raw, raw[1], genres, spec.items, files)
        assert spec.users is not None
        users = _users(table(spec.users, 5, "|"), spec.users, files)
    elif spec.folder == "ml-1m":
        ratings = table(spec.ratings, 4, "::")
        raw = table(spec.items, 3, "::")
        items = _items(raw, raw[1], raw[2], spec.items, files)
        assert spec.users is not None
        raw_users = table(spec.users, 5, "::")  # user, gender, age, occupation code, zip
        code = _numbers(raw_users, 3, "occupation code", spec.users, files, integer=True)
        _refuse(
            raw_users, ~code.between(0, 20), "the occupation code is not 0-20", spec.users, files
        )
        named = raw_users[[0, 2, 1, 3, 4]].set_axis(range(5), axis=1)  # u.user's order
        named[3] = np.asarray(_OCCUPATIONS_1M)[code.to_numpy()]
        users = _users(named, spec.users, files)
    else:
        ratings = table(spec.ratings, 4, ",", header=True)
        raw = table(spec.items, 3, ",", header=True)
        items = _items(raw, raw[1], raw[2], spec.items, files)
    return MovieLens(
        ratings=_ratings(ratings, spec.ratings, files),
        items=items,
        users=users,
        source=f"GroupLens's {spec.folder} files in {files.where}",
    )


def _fields(
    raw: bytes,
    name: str,
    files: _Files,
    n_fields: int,
    sep: str,
    header: bool = False,
    encoding: str = "utf-8",
) -> pd.DataFrame:
    """Split a delimited file into text columns ``0 … n_fields-1``, indexed by line number.

    Refuses a file that is not text, is empty, or whose lines do not have ``n_fields``
    fields; a truncated line shows up as empty fields, which the value checks refuse.
    """
    label = f"{name} in {files.where}"
    try:
        text = raw.decode(encoding)
    except UnicodeDecodeError as exc:
        raise ValueError(
            f"{label} is not {encoding} text (byte {exc.start}: {exc.reason}). {files.fix}"
        ) from None
    if len(sep) > 1:  # ml-1m's "::"; the fast parser takes one character
        text, sep = text.replace(sep, "\x1f"), "\x1f"
    try:
        table = pd.read_csv(
            io.StringIO(text),
            sep=sep,
            header=None,
            skiprows=int(header),
            dtype=str,
            na_filter=False,
            skip_blank_lines=False,
            quoting=csv.QUOTE_MINIMAL if sep == "," else csv.QUOTE_NONE,
        )
    except pd.errors.EmptyDataError:
        raise ValueError(f"{label} is empty. {files.fix}") from None
    except pd.errors.ParserError as exc:
        detail = (
            str(exc).strip().split("C error: ")[-1]
        )  # e.g. "Expected 4 fields in line 2, saw 5"
        raise ValueError(f"{label} is malformed: {detail}. {files.fix}") from None
    if table.shape[1] != n_fields:
        raise ValueError(
            f"{label} has {table.shape[1]} field(s) per line, expected {n_fields}: it is "
            f"not {name} of this MovieLens variant, or it is damaged. {files.fix}"
        )
    table.index = pd.RangeIndex(1 + int(header), 1 + int(header) + len(table))
    return table


def _refuse(table: pd.DataFrame, bad: pd.Series, what: str, name: str, files: _Files) -> None:
    """Raise for the first line flagged ``bad``, quoting its fields."""
    if bad.any():
        first = int(np.flatnonzero(bad.to_numpy())[0])
        raise ValueError(
            f"{name} in {files.where}, line {table.index[first]}: {what} (its fields: "
            f"{table.iloc[first].tolist()}). The file is truncated or damaged. {files.fix}"
        )


def _numbers(
    table: pd.DataFrame, column: int, what: str, name: str, files: _Files, integer: bool
) -> pd.Series:
    """Column ``column`` as int64 (or float64), refusing empty or non-numeric fields."""
    values = pd.to_numeric(table[column], errors="coerce")
    ok = values.notna() & np.isfinite(values)
    if integer:
        ok &= values % 1 == 0
    if not ok.all():
        value = table[column].to_numpy()[np.flatnonzero(~ok.to_numpy())[0]]
        kind = "an integer" if integer else "a number"
        problem = f"{what} is empty" if value == "" else f"{what} {value!r} is not {kind}"
        _refuse(table, ~ok, problem, name, files)
    return values.astype("int64" if integer else "float64")


def _text(table: pd.DataFrame, column: int, what: str, name: str, files: _Files) -> pd.Series:
    values = table[column].str.strip()
    _refuse(table, values == "", f"{what} is empty", name, files)
    return values


def _ratings(table: pd.DataFrame, name: str, files: _Files) -> pd.DataFrame:
    def number(column: int, what: str, integer: bool = True) -> np.ndarray:
        return _numbers(table, column, what, name, files, integer).to_numpy()

    return pd.DataFrame(
        {
            "user": number(0, "user id"),
            "item": number(1, "item id"),
            "rating": number(2, "rating", integer=False),
            "timestamp": number(3, "timestamp").astype("datetime64[s]"),
        }
    )


def _items(
    table: pd.DataFrame, titles: pd.Series, genres: pd.Series, name: str, files: _Files
) -> pd.DataFrame:
    """Items from GroupLens's full titles ("Title (1995)"): the year goes to its own column."""
    full = titles.str.strip()
    parts = full.str.extract(_TITLE_YEAR)
    has_year = parts["year"].notna()
    return pd.DataFrame(
        {
            "item": _numbers(table, 0, "item id", name, files, integer=True).to_numpy(),
            "title": full.where(~has_year, parts["head"] + parts["tail"]).to_numpy(),
            "year": pd.to_numeric(parts["year"]).astype("Int64").array,
            "genres": genres.to_numpy(),
        }
    )


def _users(table: pd.DataFrame, name: str, files: _Files) -> pd.DataFrame:
    """Users from five columns in the order user, age, gender, occupation, zip."""
    return pd.DataFrame(
        {
            "user": _numbers(table, 0, "user id", name, files, integer=True).to_numpy(),
            "age": _numbers(table, 1, "age", name, files, integer=True).to_numpy(),
            "gender": _text(table, 2, "gender", name, files).to_numpy(),
            "occupation": _text(table, 3, "occupation", name, files).to_numpy(),
            "zip": _text(table, 4, "zip code", name, files).to_numpy(),
        }
    )


AGE_BANDS: tuple[int, ...] = (0, 18, 25, 35, 45, 56, 200)
"""Age bands of the sign-up form MovieLens used (under 18, 18–24, …, 56 and over)."""


def demographic_segments(users: pd.DataFrame, bands: Sequence[int] = AGE_BANDS) -> pd.DataFrame:
    """Each user's segment from a sign-up form: age band and gender, e.g. ``"25–34 M"``.

    ``users`` needs ``user, age, gender`` (as ``load_movielens(...).users``); ages fall in
    ``[bands[j], bands[j + 1])``. Returns ``user, segment``.

    >>> u = pd.DataFrame({"user": [1, 2], "age": [24, 60], "gender": ["F", "M"]})
    >>> demographic_segments(u)["segment"].tolist()
    ['18–24 F', '56+ M']
    """
    missing = {"user", "age", "gender"} - set(users.columns)
    if missing:
        raise ValueError(f"users needs columns user, age and gender; it lacks {sorted(missing)}.")
    edges = list(bands)
    if sorted(edges) != edges or len(edges) < 2:
        raise ValueError(f"bands must be increasing age limits, got {edges}.")
    labels = [f"{lo}–{hi - 1}" for lo, hi in pairwise(edges[:-1])] + [f"{edges[-2]}+"]
    if edges[0] == 0:
        labels[0] = f"under {edges[1]}"
    band = pd.cut(users["age"], edges, right=False, labels=labels)
    if band.isna().any():
        raise ValueError(f"some ages fall outside the bands {edges}.")
    return pd.DataFrame(
        {"user": users["user"].to_numpy(), "segment": band.astype(str) + " " + users["gender"]}
    )
