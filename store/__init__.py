"""The headless data layer. See ARCHITECTURE.md.

Two costs kept off a labeler's start-up:

- sqlite-utils (~35 ms to import) is not imported on the way to the home screen: store
  functions need only the connection (`store.db.Database`), and modules on that path import it
  for annotations only. A test checks the path stays clean.
- When sqlite-utils is imported — by anyone, at any time — numpy and pandas are hidden: it
  imports them only to map their scalar types to column types, we never hand it either, and
  numpy alone adds ~100 ms. Code that needs numpy (the agreement statistics) imports it as usual.

numpy's BLAS runs on one thread: OpenBLAS otherwise starts a thread per core for every matrix
product, and the reports make thousands of small ones; on a shared 2-core host those threads
spun for more CPU than the products took (the agreement report at a million labels: 9.6 s CPU
with one thread against 12.1 s, the same figures). Set before numpy loads; a value already in the
environment wins.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from importlib.machinery import ModuleSpec
from types import ModuleType
from typing import TYPE_CHECKING, Any, cast

if TYPE_CHECKING:  # annotations only: importlib.abc brings importlib.resources (~1.5 ms of start-up)
    from importlib.abc import Loader


class _WithoutNumpy:
    """Wraps sqlite-utils' loader: its package code (and every submodule it imports) runs with
    numpy and pandas unimportable, so `import numpy` inside it fails fast."""

    def __init__(self, loader: Loader) -> None:
        self.loader = loader

    def __getattr__(self, name: str) -> Any:
        return getattr(self.loader, name)

    def create_module(self, spec: ModuleSpec) -> ModuleType | None:
        return self.loader.create_module(spec)

    def exec_module(self, module: ModuleType) -> None:
        hidden = [m for m in ("numpy", "pandas") if m not in sys.modules]
        for m in hidden:
            sys.modules[m] = None  # type: ignore[assignment]
        try:
            self.loader.exec_module(module)
        finally:
            for m in hidden:
                del sys.modules[m]


class _SqliteUtilsFinder:
    """A meta-path finder that answers for `sqlite_utils` only, wrapping its loader."""

    @classmethod
    def find_spec(
        cls, name: str, path: Sequence[str] | None = None, target: ModuleType | None = None
    ) -> ModuleSpec | None:
        if name != "sqlite_utils":
            return None
        for finder in sys.meta_path:
            if finder is cls or not hasattr(finder, "find_spec"):
                continue
            spec = finder.find_spec(name, path, target)
            if spec is not None and spec.loader is not None:
                spec.loader = cast("Loader", _WithoutNumpy(spec.loader))
                return spec
        return None


os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

if "sqlite_utils" not in sys.modules and _SqliteUtilsFinder not in sys.meta_path:
    sys.meta_path.insert(0, _SqliteUtilsFinder)
