"""Let a subpackage double as the function it is named after.

``exohunt.search(lc)`` and ``exohunt.simulate(...)`` are functions of the notebook API, but
``exohunt.search`` and ``exohunt.simulate`` are also subpackages: the first
``import exohunt.search`` binds the *module* to that attribute of ``exohunt``, shadowing the
lazily exported function. Making the module object callable keeps both spellings working.
"""

from __future__ import annotations

import sys
import types
from collections.abc import Callable
from typing import Any

__all__ = ["make_module_callable"]


def make_module_callable(module_name: str, function: Callable[..., Any]) -> None:
    """Make ``sys.modules[module_name]`` callable: calling it calls ``function``.

    Parameters
    ----------
    module_name : str
        An imported module, usually ``__name__`` of the caller.
    function : callable
        What a call of the module does.
    """

    class CallableModule(types.ModuleType):
        def __call__(self, *args: Any, **kwargs: Any) -> Any:
            return function(*args, **kwargs)

    CallableModule.__call__.__doc__ = function.__doc__
    sys.modules[module_name].__class__ = CallableModule
