"""The public contract (shared/spec/contract.md) and the conventions of every public module."""

from __future__ import annotations

import ast
import importlib
import pkgutil
from pathlib import Path

import pytest

import volunteer_rules as vr

CONTRACT_NAMES = [
    # errors
    "VolunteerRulesError",
    "InvalidIdentifierError",
    "RecordFormatError",
    "UnknownRuleSetError",
    "InsufficientHoursError",
    # values
    "Hours",
    "ResidentId",
    "OrganizationCode",
    "RegionCode",
    # records
    "parse_record",
    "dump_record",
    "ServiceRecord",
    # certification
    "rule_set_ids",
    "get_rule_set",
    "certify",
    # transfer
    "create_transfer_package",
    "dump_transfer_package",
    "parse_transfer_package",
    "check_transfer",
]

BUILT_IN_RULE_SETS = {
    "cn-national",
    "cn-cyl",
    "cn-beijing",
    "cn-shenzhen-longgang",
    "cn-maanshan",
    "cn-sichuan",
    "cn-zhangjiagang",
    "tw-honour-card",
    "tw-awards",
    "hk-swd",
    "hk-hkv-award",
    "uk-millennium-volunteers",
    "us-pvsa",
}

PACKAGE = Path(vr.__file__).parent
NAMES_BEFORE_LAYOUT = [
    line.strip()
    for line in (Path(__file__).parent / "public_names_before_layout.txt")
    .read_text("utf-8")
    .splitlines()
    if line.strip() and not line.startswith("#")
]
WINGS = [
    "volunteer_rules.errors",
    "volunteer_rules.hours",
    *(
        f"volunteer_rules.{info.name}"
        for info in pkgutil.iter_modules([str(PACKAGE)])
        if info.ispkg
    ),
]


def isort_key(name: str) -> tuple[int, str]:
    """The order ruff's RUF022 keeps ``__all__`` in: CONSTANTS, then Classes, then the rest."""
    if name.isupper() or (name.upper() == name and "_" in name):
        return (0, name)
    if name[:1].isupper():
        return (1, name)
    return (2, name)


def public_modules() -> list[str]:
    names = ["volunteer_rules"]
    for info in pkgutil.walk_packages([str(PACKAGE)], prefix="volunteer_rules."):
        if any(part.startswith("_") for part in info.name.split(".")[1:]):
            continue
        names.append(info.name)
    return sorted(names)


class TestContract:
    @pytest.mark.parametrize("name", CONTRACT_NAMES)
    def test_contract_name_exported(self, name: str) -> None:
        """Every name of the contract is importable from the top-level package."""
        assert name in vr.__all__
        assert getattr(vr, name) is not None

    def test_error_bases(self) -> None:
        """The contract's errors mix into the built-ins it names."""
        assert issubclass(vr.InvalidIdentifierError, (vr.VolunteerRulesError, ValueError))
        assert issubclass(vr.RecordFormatError, ValueError)
        assert issubclass(vr.UnknownRuleSetError, LookupError)
        assert issubclass(vr.InsufficientHoursError, ValueError)
        for name in vr.__all__:
            value = getattr(vr, name)
            if isinstance(value, type) and issubclass(value, BaseException):
                assert issubclass(value, vr.VolunteerRulesError), name

    def test_built_in_rule_sets(self) -> None:
        """The built-in rule-set ids of the contract are all registered."""
        assert set(vr.rule_set_ids()) >= BUILT_IN_RULE_SETS

    def test_unknown_rule_set(self) -> None:
        """An unknown id raises UnknownRuleSetError carrying the id."""
        with pytest.raises(vr.UnknownRuleSetError) as info:
            vr.get_rule_set("xx-nowhere")
        assert info.value.rule_set_id == "xx-nowhere"

    def test_hours_contract(self) -> None:
        """Hours behaves as the contract says."""
        assert vr.Hours.from_hours("1.5") == vr.Hours.from_minutes(90)
        assert sum([vr.Hours.from_minutes(1), vr.Hours.from_minutes(2)]) == vr.Hours.from_minutes(3)
        with pytest.raises(TypeError):
            vr.Hours.from_hours(0.1)  # type: ignore[arg-type]
        with pytest.raises(ValueError, match="whole number of minutes"):
            vr.Hours.from_hours("0.001")


class TestNamespaceAfterTheWings:
    def test_every_name_of_before_stays(self) -> None:
        """Every public name the top level had before the wings is still there (issue #12)."""
        assert len(NAMES_BEFORE_LAYOUT) >= 200  # the list was read: the check is not vacuous
        missing = [name for name in NAMES_BEFORE_LAYOUT if name not in vr.__all__]
        assert not missing, f"public names lost from volunteer_rules: {missing}"
        for name in NAMES_BEFORE_LAYOUT:
            assert hasattr(vr, name), name

    def test_top_level_names_come_from_a_wing(self) -> None:
        """Each top-level public name is the very object a wing (or a value module) exports."""
        exported: dict[str, object] = {}
        for wing in WINGS:
            module = importlib.import_module(wing)
            for name in getattr(module, "__all__", ()):
                exported.setdefault(name, getattr(module, name))
        for name in vr.__all__:
            if name == "__version__":
                continue
            assert name in exported, f"{name} is exported by no wing"
            assert getattr(vr, name) is exported[name], f"{name} differs from its wing's"

    @pytest.mark.parametrize("package", ["volunteer_rules", "volunteer_rules.storage"])
    def test_names_found_on_first_use_are_the_ones_type_checkers_see(self, package: str) -> None:
        """The package imports its modules on first use (``__getattr__``); what it finds is, name
        for name, what its ``if TYPE_CHECKING:`` imports (read by mypy and the API reference)
        say, and those imports are ``__all__`` exactly."""
        module = importlib.import_module(package)
        assert module.__file__
        tree = ast.parse(Path(module.__file__).read_text("utf-8"))
        static: dict[str, str] = {}
        for node in ast.walk(tree):
            if isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING":
                for statement in node.body:
                    assert isinstance(statement, ast.ImportFrom) and statement.module
                    for alias in statement.names:
                        static[alias.asname or alias.name] = statement.module
        assert sorted(static) == sorted(set(module.__all__) - {"__version__"})
        for name, home in static.items():
            assert getattr(module, name) is getattr(importlib.import_module(home), name), name

    def test_dir_lists_the_names_before_their_first_use(self) -> None:
        assert set(vr.__all__) <= set(dir(vr))
        with pytest.raises(AttributeError, match="no attribute 'certfy'"):
            vr.certfy  # type: ignore[attr-defined]  # noqa: B018


class TestModules:
    @pytest.mark.parametrize("module", public_modules())
    def test_sorted_all(self, module: str) -> None:
        """Every public module has a sorted ``__all__`` naming only what it defines or imports."""
        imported = importlib.import_module(module)
        names = getattr(imported, "__all__", None)
        assert names is not None, f"{module} has no __all__"
        assert list(names) == sorted(names, key=isort_key), f"{module}.__all__ is not sorted"
        for name in names:
            assert hasattr(imported, name), f"{module}.__all__ names a missing {name}"

    @pytest.mark.parametrize("module", public_modules())
    def test_public_names_documented(self, module: str) -> None:
        """Every public name has a docstring with an example."""
        imported = importlib.import_module(module)
        assert imported.__doc__, f"{module} has no docstring"
        for name in getattr(imported, "__all__", ()):
            value = getattr(imported, name)
            if callable(value) and getattr(value, "__module__", module) == module:
                doc = value.__doc__ or ""
                assert ">>>" in doc, f"{module}.{name} has no example in its docstring"

    def test_star_import(self) -> None:
        """``from volunteer_rules import *`` gives exactly ``__all__``."""
        namespace: dict[str, object] = {}
        exec("from volunteer_rules import *", namespace)
        assert set(namespace) - {"__builtins__"} == set(vr.__all__)

    def test_no_clock_in_domain_modules(self) -> None:
        """No module reads the clock or the environment: time is a parameter."""
        clock = {"now", "utcnow", "today", "monotonic", "perf_counter"}
        for path in PACKAGE.rglob("*.py"):
            if "cli" in path.parts or "testing" in path.parts:
                continue
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if isinstance(node, ast.Attribute) and node.attr in clock:
                    raise AssertionError(f"{path}:{node.lineno} reads the clock ({node.attr})")
                if isinstance(node, ast.Attribute) and node.attr in {"environ", "getenv"}:
                    raise AssertionError(f"{path} reads the environment")

    def test_py_typed_shipped(self) -> None:
        """The package ships its PEP 561 marker."""
        assert (PACKAGE / "py.typed").exists()
