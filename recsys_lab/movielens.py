"""MovieLens from local files; a download happens only when asked for.

MovieLens is not redistributed with this project and no test or notebook needs
it. Get the files from GroupLens (https://grouplens.org/datasets/movielens/),
then either pass ``path=`` (the zip, or the folder it unpacks to) or put them in
the cache folder (``~/.cache/recsys_lab/movielens`` or ``$RECSYS_LAB_CACHE``).
``download=True`` fetches the zip into the cache, checks its checksum and
unpacks it, refusing any member that would land outside the cache.
"""

from __future__ import annotations

import hashlib
import io
import os
import shutil
import urllib.error
import urllib.request
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from recsys_lab._validation import check_choice

_BASE_URL = "https://files.grouplens.org/datasets/movielens/"

_GENRES_100K = [
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
]


@dataclass(frozen=True)
class _Variant:
    folder: str
    ratings: str
    items: str
    checksum: str  # "algorithm:hexdigest" of the zip
    encoding: str = "latin-1"


VARIANTS: dict[str, _Variant] = {
    # GroupLens publishes MD5 sums for these two archives (ml-*.zip.md5); the
    # latest-small archive is pinned by SHA-256.
    "100k": _Variant("ml-100k", "u.data", "u.item", "md5:0e33842e24a9c977be4e0107933c0723"),
    "1m": _Variant("ml-1m", "ratings.dat", "movies.dat", "md5:c4d9eecfca2ab87c1945afe126590906"),
    "latest-small": _Variant(
        "ml-latest-small",
        "ratings.csv",
        "movies.csv",
        "sha256:696d65a3dfceac7c45750ad32df2c259311949efec81f0f144fdfb91ebc9e436",
        encoding="utf-8",
    ),
}


@dataclass(frozen=True)
class MovieLens:
    """A MovieLens variant: ``ratings`` (user, item, rating, timestamp) and
    ``items`` (item, title, genres as ``"A|B"``)."""

    ratings: pd.DataFrame
    items: pd.DataFrame


def cache_dir() -> Path:
    """The folder MovieLens files are looked for in and downloaded to."""
    root = os.environ.get("RECSYS_LAB_CACHE", Path.home() / ".cache" / "recsys_lab")
    return Path(root) / "movielens"


def load_movielens(
    variant: str = "100k", path: str | Path | None = None, download: bool = False
) -> MovieLens:
    """Load a MovieLens variant as tidy DataFrames.

    Parameters
    ----------
    variant : {"100k", "1m", "latest-small"}
    path : str or Path, optional
        The variant's zip, or a folder holding its files (or its ``ml-…``
        subfolder). Default: the cache folder (:func:`cache_dir`).
    download : bool, default False
        If the files are not found, fetch the zip from GroupLens into the cache,
        verify its checksum and unpack it. Never done unless asked.

    Returns
    -------
    MovieLens
        ``ratings`` with columns ``user, item, rating, timestamp`` and
        ``items`` with ``item, title, genres``.

    Raises
    ------
    FileNotFoundError
        The files are not there and ``download`` is False; the message says how
        to get them.
    ConnectionError
        ``download=True`` but GroupLens cannot be reached (e.g. offline).
    ValueError
        A downloaded archive does not match its checksum, or contains a
        member that would be written outside the cache.
    """
    check_choice(variant, "MovieLens variant", VARIANTS)
    spec = VARIANTS[variant]
    source = _locate(spec, Path(path) if path is not None else cache_dir())
    if source is None:
        if path is not None or not download:
            where = Path(path) if path is not None else cache_dir()
            raise FileNotFoundError(
                f"MovieLens {variant} was not found in {where}. Download "
                f"{_BASE_URL}{spec.folder}.zip (e.g. on a machine with internet) and pass "
                f"path='…/{spec.folder}.zip', or unzip it into {cache_dir()}, or call "
                f"load_movielens({variant!r}, download=True) while online."
            )
        source = _download(spec)
    return _parse(spec, source)


def _locate(spec: _Variant, where: Path) -> Path | zipfile.Path | None:
    """The folder (or zip folder) that holds ``spec.ratings``, or None."""
    if where.is_file() and zipfile.is_zipfile(where):
        root = zipfile.Path(zipfile.ZipFile(io.BytesIO(where.read_bytes())))
        for folder in (root / spec.folder, root):
            if (folder / spec.ratings).exists():
                return folder
        raise FileNotFoundError(f"{where} does not contain {spec.folder}/{spec.ratings}.")
    for folder in (where / spec.folder, where):
        if (folder / spec.ratings).is_file():
            return folder
    archive = where / f"{spec.folder}.zip"
    if archive.is_file():
        return _locate(spec, archive)
    return None


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


def _parse(spec: _Variant, folder: Path | zipfile.Path) -> MovieLens:
    ratings_text = (folder / spec.ratings).read_bytes().decode(spec.encoding)
    items_text = (folder / spec.items).read_bytes().decode(spec.encoding)
    cols = ["user", "item", "rating", "timestamp"]
    if spec.folder == "ml-100k":
        ratings = pd.read_csv(io.StringIO(ratings_text), sep="\t", names=cols)
        raw = pd.read_csv(io.StringIO(items_text), sep="|", header=None)
        flags = raw.iloc[:, 5 : 5 + len(_GENRES_100K)].to_numpy(dtype=bool)
        genres = [
            "|".join(g for g, on in zip(_GENRES_100K, row, strict=True) if on) for row in flags
        ]
        items = pd.DataFrame({"item": raw[0], "title": raw[1], "genres": genres})
    elif spec.folder == "ml-1m":
        ratings = pd.read_csv(io.StringIO(ratings_text), sep="::", names=cols, engine="python")
        items = pd.read_csv(
            io.StringIO(items_text), sep="::", names=["item", "title", "genres"], engine="python"
        )
    else:
        ratings = pd.read_csv(io.StringIO(ratings_text)).set_axis(cols, axis=1)
        items = pd.read_csv(io.StringIO(items_text)).set_axis(["item", "title", "genres"], axis=1)
    ratings["rating"] = ratings["rating"].astype(float)
    ratings["timestamp"] = pd.to_datetime(ratings["timestamp"], unit="s").astype("datetime64[s]")
    return MovieLens(ratings=ratings, items=items)
