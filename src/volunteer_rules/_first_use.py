"""A package's public names imported on first use (PEP 562), for packages slow to load.

``volunteer_rules`` and its ``storage`` wing list their public names in ``__all__`` and, for
type checkers and the API reference, import them under ``if TYPE_CHECKING:``. At run time
their ``__getattr__`` and ``__dir__`` come from :func:`names_on_first_use`: importing the
package loads none of its modules, the first public name asked for loads them all at once, and
a submodule (``volunteer_rules.storage.memory``) is imported alone, without the others. So the
command line, which needs two of the storage wing's modules, does not wait for the community
stores, nor ``import volunteer_rules`` for every wing.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Sequence

__all__ = ["names_on_first_use"]


def names_on_first_use(
    package: str, public: Sequence[str], modules: Sequence[str]
) -> tuple[Callable[[str], object], Callable[[], list[str]]]:
    """The ``__getattr__`` and ``__dir__`` of ``package``, whose ``modules`` define ``public``.

    The first public name asked for imports every module of ``modules`` (relative to
    ``package``, searched in that order for the one whose ``__all__`` has the name) and puts
    each public name into the package, so later look-ups never come here. Any other name is a
    submodule, imported alone (which is what ``from package import _helper`` asks for), or an
    :class:`AttributeError`.

    Example:
        >>> find, names = names_on_first_use("volunteer_rules", ["Hours"], ["hours"])
        >>> find("Hours").from_hours("2").minutes
        120
        >>> find("_iso").__name__
        'volunteer_rules._iso'
        >>> find("no_such_name")
        Traceback (most recent call last):
        ...
        AttributeError: module 'volunteer_rules' has no attribute 'no_such_name'
        >>> "Hours" in names()
        True
    """
    wanted = frozenset(public)

    def find(name: str) -> object:
        namespace = vars(sys.modules[package])  # (which lacks name: Python asks only then)
        if name in wanted:
            loaded = [importlib.import_module(f"{package}.{module}") for module in modules]
            exported = [(module, frozenset(module.__all__)) for module in loaded]
            for each in public:
                if each not in namespace:  # (the package's own, such as __version__, are)
                    homes = [module for module, names in exported if each in names]
                    if not homes:  # (a name added to __all__ and to no module's __all__)
                        raise ImportError(f"no module of {package} exports {each!r}")
                    namespace[each] = getattr(homes[0], each)
        elif not name.startswith("__"):
            try:
                importlib.import_module(f"{package}.{name}")
            except ModuleNotFoundError as missing:
                if missing.name != f"{package}.{name}":
                    raise  # (a module that exists and fails to import is not a missing name)
        if name in namespace:
            return namespace[name]
        raise AttributeError(f"module {package!r} has no attribute {name!r}")

    def names() -> list[str]:
        return sorted({*vars(sys.modules[package]), *public})

    return find, names
