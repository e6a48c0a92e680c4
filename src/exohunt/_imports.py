"""Import a module without letting it pull in torch as a side effect.

skops (0.16) builds its list of trusted types at import by calling scikit-learn's
``all_estimators()``, which walks every scikit-learn package; walking
``sklearn.externals.array_api_compat.torch`` imports torch whenever it is installed — about
1.2 s of CPU (``benchmarks/diag_predict_imports.py``) that loading a tree model never
needs, paid by ``exohunt predict`` and by its workers' fork server (and by training a tree
model, which saves it with skops). The walk imports
packages only to find their subpackages and swallows their ``ImportError``
(``pkgutil.walk_packages``), and scikit-learn skips everything under ``externals`` anyway,
so refusing torch for the duration of that import changes nothing in what skops trusts
(tested: ``tests/test_predict_startup.py``).
"""

from __future__ import annotations

import importlib
import sys
from types import ModuleType

__all__ = ["import_without_torch"]


class _RefuseTorch:
    """A meta-path finder that makes ``import torch`` (and its submodules) fail."""

    @staticmethod
    def find_spec(name, path=None, target=None):
        if name == "torch" or name.startswith("torch."):
            raise ModuleNotFoundError(f"{name} is not imported here (exohunt._imports)",
                                      name=name)
        return None


def import_without_torch(name: str) -> ModuleType:
    """``importlib.import_module(name)``, refusing any import of torch it would make.

    Where torch is already imported, or ``name`` already is, this is a plain import. Torch
    stays importable afterwards: the refusal lasts for this call only and leaves nothing in
    ``sys.modules``.
    """
    if name in sys.modules or "torch" in sys.modules:
        return importlib.import_module(name)
    finder = _RefuseTorch()
    sys.meta_path.insert(0, finder)
    try:
        return importlib.import_module(name)
    finally:
        sys.meta_path.remove(finder)
