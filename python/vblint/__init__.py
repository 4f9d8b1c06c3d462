"""vblint for Python: find victim-blaming language in writing about children.

The scanner is vblint's own (the Rust core the command line uses), so the
findings are the command line's: the same rules, the same byte offsets, the
same fields as ``vblint check --format json``.

    >>> import vblint
    >>> vblint.check("She was putting herself at risk.")[0]["rule"]
    'put-self-at-risk'

Nothing is sent anywhere: the package reads only the lexicon files it is
given.
"""

from __future__ import annotations

import os
from typing import Any, Iterable, Mapping, Optional, Sequence, Union

from . import _vblint
from ._vblint import FIELDS, VblintError

__all__ = ["FIELDS", "Scanner", "VblintError", "check"]

PathLike = Union[str, "os.PathLike[str]"]

#: The keys of ``config`` (those of ``vblint.toml`` that change what a scan
#: finds).
CONFIG_KEYS = ("builtin-lexicon", "disable", "quotes", "severity")


def _paths(lexicon_dirs: Union[None, PathLike, Iterable[PathLike]]) -> list:
    if lexicon_dirs is None:
        return []
    if isinstance(lexicon_dirs, (str, os.PathLike)):
        return [os.fspath(lexicon_dirs)]
    return [os.fspath(p) for p in lexicon_dirs]


def _closest(word: str, choices: Sequence[str]) -> Optional[str]:
    import difflib

    found = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    return found[0] if found else None


def _read_config(config: Optional[Mapping[str, Any]]) -> dict:
    if config is None:
        return {}
    if not isinstance(config, Mapping):
        raise TypeError(
            "`config` is a dict with the keys of vblint.toml that change what a "
            f"scan finds ({', '.join(CONFIG_KEYS)}), not {type(config).__name__}"
        )
    out = {}
    for key, value in config.items():
        name = str(key).replace("_", "-")
        if name not in CONFIG_KEYS:
            hint = _closest(name, CONFIG_KEYS)
            help_ = f"did you mean `{hint}`?" if hint else f"the keys are {', '.join(CONFIG_KEYS)}"
            raise VblintError(f"unknown key `{key}` in the config (help: {help_})")
        out[name] = value
    return out


class Scanner:
    """A compiled lexicon: build it once, then check any number of texts.

    ``lexicon_dirs`` are lexicon folders (every ``*.toml`` file in them) or
    files added over the built-in lexicon, as ``vblint check --lexicon``
    adds them, each a layer. ``config`` takes the keys of ``vblint.toml``
    that change findings: ``quotes`` (``"skip"``, ``"info"``, ``"flag"``),
    ``disable`` (entry ids), ``severity`` (entry id to severity) and
    ``builtin-lexicon`` (``False`` to use only ``lexicon_dirs``).

    A bad lexicon raises :class:`VblintError` naming the file, line and
    column, with what to write instead.

    A scanner pickles as its lexicon texts and settings (not its file
    paths), so it can be shipped to workers that do not have the files.
    """

    def __init__(
        self,
        lexicon_dirs: Union[None, PathLike, Iterable[PathLike]] = None,
        config: Optional[Mapping[str, Any]] = None,
    ) -> None:
        cfg = _read_config(config)
        layers = _vblint.read_lexicon_layers(_paths(lexicon_dirs))
        disable = cfg.get("disable", ())
        if isinstance(disable, str):
            disable = [disable]
        state = (
            bool(cfg.get("builtin-lexicon", True)),
            tuple(tuple((name, text) for name, text in layer) for layer in layers),
            str(cfg.get("quotes", "info")),
            tuple(sorted(str(d) for d in disable)),
            tuple(sorted((str(k), str(v)) for k, v in dict(cfg.get("severity", {})).items())),
        )
        self._setup(state)

    def _setup(self, state: tuple) -> None:
        builtin, layers, quotes, disable, severity = state
        self._state = state
        self._inner = _vblint._Scanner(
            builtin, [list(layer) for layer in layers], quotes, list(disable), dict(severity)
        )

    @classmethod
    def _from_state(cls, state: tuple) -> "Scanner":
        scanner = cls.__new__(cls)
        scanner._setup(state)
        return scanner

    def __reduce__(self):
        return (Scanner._from_state, (self._state,))

    @property
    def key(self) -> tuple:
        """A hashable value equal for scanners built from the same lexicon
        texts and settings (workers cache scanners by it)."""
        return self._state

    def rules(self) -> list:
        """The ids of the entries that can match."""
        return self._inner.rules()

    def warnings(self) -> list:
        """Problems in the lexicon that did not stop it loading."""
        return self._inner.warnings()

    def check(self, text: str) -> list:
        """The findings of one text, as dicts with the fields of
        ``vblint check --format json`` (``path`` is ``"-"``, ``record``
        is ``None``), in order of their start."""
        if not isinstance(text, str):
            raise TypeError(f"check() takes a str, not {type(text).__name__}")
        return self._inner.check(text)

    def check_many(self, texts: Iterable[str], ids: Optional[Iterable[Any]] = None) -> list:
        """The findings of many texts, scanned on every core with the GIL
        released: one list of dicts in the order of the texts, each with
        ``record`` set to the text's id (its 0-based position when ``ids``
        is not given)."""
        texts = list(texts)
        for i, t in enumerate(texts):
            if not isinstance(t, str):
                raise TypeError(
                    f"check_many() takes strs; item {i} is {type(t).__name__} "
                    "(drop or fill missing values first, e.g. `series.dropna()`)"
                )
        ids = list(range(len(texts))) if ids is None else list(ids)
        return self._inner.check_many(texts, ids)

    def check_arrow(self, data: Any, text: Optional[str] = None, id: Union[None, str, Sequence[str]] = None):
        """The findings of an Arrow string column as a ``pyarrow.Table``,
        one row per finding.

        ``data`` is a pyarrow ``Table``, ``RecordBatch``, ``Array`` or
        ``ChunkedArray`` (or anything with ``__arrow_c_array__`` or
        ``__arrow_c_stream__``, such as a Polars frame). For a table,
        ``text`` names the text column and ``id`` one or more id columns,
        which lead each finding row; without ``id`` (and for arrays) the
        first column is ``row``, the 0-based row of the text. Then come
        ``rule``, ``category``, ``severity``, ``line``, ``column``,
        ``start``, ``end`` (bytes of the row's text), ``text``,
        ``message``, ``alternatives`` and ``quoted``. Null texts have no
        findings.
        """
        from . import _arrow

        return _arrow.check_arrow(self, data, text=text, id=id)

    def __repr__(self) -> str:
        builtin, layers, quotes, disable, severity = self._state
        files = sum(len(layer) for layer in layers)
        return (
            f"vblint.Scanner(builtin={builtin}, lexicon_files={files}, quotes={quotes!r}, "
            f"disable={list(disable)!r}, rules={len(self.rules())})"
        )


_default: dict = {}


def check(
    text: str,
    *,
    lexicon: Union[None, PathLike, Iterable[PathLike]] = None,
    quotes: str = "info",
    disable: Iterable[str] = (),
) -> list:
    """The findings of one text with the built-in lexicon (plus the lexicon
    folders or files in ``lexicon``), as dicts with the fields of
    ``vblint check --format json``.

    The built-in scanner is built once and kept; with ``lexicon`` the files
    are read on every call, so build a :class:`Scanner` to check many
    texts."""
    config = {"quotes": quotes, "disable": list(disable)}
    if lexicon is None:
        key = (quotes, tuple(sorted(config["disable"])))
        scanner = _default.get(key)
        if scanner is None:
            scanner = _default.setdefault(key, Scanner(config=config))
    else:
        scanner = Scanner(lexicon, config)
    return scanner.check(text)
