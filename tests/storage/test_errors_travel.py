"""Every library error crosses a process boundary as it was raised (pickle, process pools)."""

from __future__ import annotations

import copy
import importlib
import inspect
import multiprocessing
import pickle
import pkgutil
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import volunteer_rules
from volunteer_rules.errors import FieldError, VolunteerRulesError
from volunteer_rules.hours import Hours

# modules that need an optional extra (or a service) to import: skipped when it is missing
_OPTIONAL_IMPORTS = ("polars", "pyarrow", "psycopg", "pyspark", "dask", "segno", "pandas")


def _import_everything() -> None:
    """Import every module of the package, so that every error class is defined."""
    for module in pkgutil.walk_packages(volunteer_rules.__path__, "volunteer_rules."):
        if module.name.endswith("__main__"):
            continue  # runs the command line when imported
        try:
            importlib.import_module(module.name)
        except ImportError as error:
            if error.name is None or error.name.split(".")[0] not in _OPTIONAL_IMPORTS:
                raise


def _hierarchy() -> list[type[VolunteerRulesError]]:
    _import_everything()
    seen: dict[str, type[VolunteerRulesError]] = {}
    stack: list[type[VolunteerRulesError]] = [VolunteerRulesError]
    while stack:
        cls = stack.pop()
        seen[f"{cls.__module__}.{cls.__qualname__}"] = cls
        stack.extend(cls.__subclasses__())
    return [seen[name] for name in sorted(seen)]


HIERARCHY = _hierarchy()

_TEXT = st.text(min_size=0, max_size=30)
_FIELD_ERRORS = st.lists(
    st.builds(FieldError, _TEXT, st.sampled_from(["missing", "invalid_type", "checksum"]), _TEXT),
    max_size=7,
)


def _strategy_for(annotation: str) -> st.SearchStrategy[Any] | None:
    """Values for a constructor parameter, by its annotation (as written in the source)."""
    text = annotation.replace(" ", "")
    if text.endswith("|None"):
        inner = _strategy_for(text[: -len("|None")])
        return None if inner is None else st.none() | inner
    simple: dict[str, st.SearchStrategy[Any]] = {
        "str": _TEXT,
        "int": st.integers(),
        "bool": st.booleans(),
        "Hours": st.integers(-(10**9), 10**9).map(Hours.from_minutes),
        "Iterable[FieldError]": _FIELD_ERRORS,
        "Sequence[FieldError]": _FIELD_ERRORS,
        "tuple[FieldError,...]": _FIELD_ERRORS.map(tuple),
        "list[FieldError]": _FIELD_ERRORS,
    }
    return simple.get(text)


def _builder(cls: type[VolunteerRulesError]) -> st.SearchStrategy[VolunteerRulesError]:
    """Instances of an error class, its constructor's arguments drawn by annotation."""
    signature = inspect.signature(cls.__init__)
    args: list[st.SearchStrategy[Any]] = []
    kwargs: dict[str, st.SearchStrategy[Any]] = {}
    for name, parameter in list(signature.parameters.items())[1:]:
        if parameter.kind in (parameter.VAR_POSITIONAL, parameter.VAR_KEYWORD):
            continue
        annotation = parameter.annotation
        if annotation is parameter.empty:
            annotation = "str"  # Exception's own (*args) or an unannotated message
        strategy = _strategy_for(annotation if isinstance(annotation, str) else annotation.__name__)
        if strategy is None:
            if parameter.default is not parameter.empty:
                continue
            pytest.fail(
                f"{cls.__qualname__}({name}: {annotation}): the test cannot build this "
                "argument; add its annotation to _strategy_for"
            )
        if parameter.kind == parameter.KEYWORD_ONLY:
            kwargs[name] = strategy  # optional keywords too
        else:
            args.append(strategy)
    return st.builds(cls, *args, **kwargs)


def _same(a: BaseException, b: BaseException) -> None:
    assert type(a) is type(b)
    assert a.args == b.args
    assert str(a) == str(b)
    assert vars(a) == vars(b)
    for name in ("key", "code", "path", "what", "kind", "rule_set_id", "errors"):
        assert getattr(a, name, None) == getattr(b, name, None)


@pytest.mark.parametrize("cls", HIERARCHY, ids=lambda cls: cls.__qualname__)
@given(data=st.data())
def test_every_error_round_trips_through_pickle(
    cls: type[VolunteerRulesError], data: st.DataObject
) -> None:
    error = data.draw(_builder(cls))
    for protocol in range(pickle.HIGHEST_PROTOCOL + 1):
        _same(error, pickle.loads(pickle.dumps(error, protocol=protocol)))
    _same(error, copy.copy(error))
    _same(error, copy.deepcopy(error))


def test_the_hierarchy_is_the_whole_library() -> None:
    """The walk finds the errors of every layer (it is not testing a handful by accident)."""
    names = {cls.__name__ for cls in HIERARCHY}
    assert {
        "VolunteerRulesError",
        "ConflictError",
        "NotFoundError",
        "InvalidValueError",
        "InvalidTypeError",
        "InsufficientHoursError",
        "InvalidIdentifierError",
        "RuleSetError",
        "UnknownRuleSetError",
        "RecordFormatError",
        "StorageError",
    } <= names


def test_added_attributes_and_own_messages_travel() -> None:
    error = volunteer_rules.ConflictError("t-1", "transfer t-1 exists with different content")
    error.batch = 7  # type: ignore[attr-defined]  # an attribute a caller added
    back = pickle.loads(pickle.dumps(error))
    assert back.key == "t-1" and back.batch == 7
    unknown = volunteer_rules.UnknownRuleSetError("xx-1", "a message of its own")
    assert str(pickle.loads(pickle.dumps(unknown))) == "a message of its own"
    hours = volunteer_rules.InsufficientHoursError(Hours.from_minutes(30), Hours.from_minutes(90))
    back_hours = pickle.loads(pickle.dumps(hours))
    assert (back_hours.available, back_hours.requested) == (hours.available, hours.requested)


def _raise(error: BaseException) -> None:
    raise error


_FIXED: dict[str, Any] = {
    "str": "t-1 (conflict)",
    "int": 7,
    "bool": True,
    "Hours": Hours.from_minutes(45),
    "Iterable[FieldError]": [FieldError("$.date", "missing", "date is required")],
    "Sequence[FieldError]": [FieldError("$.date", "missing", "date is required")],
    "tuple[FieldError,...]": (FieldError("$.date", "missing", "date is required"),),
    "list[FieldError]": [FieldError("$.date", "missing", "date is required")],
}


def _sample(cls: type[VolunteerRulesError]) -> VolunteerRulesError:
    """One instance of an error class with fixed arguments (its required ones)."""
    args: list[Any] = []
    kwargs: dict[str, Any] = {}
    for name, parameter in list(inspect.signature(cls.__init__).parameters.items())[1:]:
        if parameter.kind in (parameter.VAR_POSITIONAL, parameter.VAR_KEYWORD):
            if cls.__init__ is BaseException.__init__ or parameter.kind == parameter.VAR_POSITIONAL:
                args.append(f"{cls.__name__} raised in a worker")
            continue
        if parameter.default is not parameter.empty:
            continue
        annotation = parameter.annotation
        text = "str" if annotation is parameter.empty else str(annotation).replace(" ", "")
        if text not in _FIXED:
            pytest.fail(f"{cls.__qualname__}({name}: {text}): add a value to _FIXED")
        if parameter.kind == parameter.KEYWORD_ONLY:
            kwargs[name] = _FIXED[text]
        else:
            args.append(_FIXED[text])
    return cls(*args, **kwargs)


@pytest.mark.parametrize("method", ["spawn", "fork"])
def test_a_process_pool_worker_raises_them_without_hanging(method: str) -> None:
    """Each error raised in a pool worker reaches the caller with its type and attributes."""
    samples = [_sample(cls) for cls in HIERARCHY]
    context = multiprocessing.get_context(method)
    with context.Pool(2) as pool:
        pending = [pool.apply_async(_raise, (error,)) for error in samples]
        for error, result in zip(samples, pending, strict=True):
            with pytest.raises(type(error)) as caught:
                result.get(timeout=60)  # an unpicklable error would hang here
            _same(error, caught.value)
        # the pool is still healthy afterwards
        assert pool.apply_async(abs, (-3,)).get(timeout=60) == 3


def test_a_map_over_a_pool_reports_the_first_error() -> None:
    work: Callable[[int], int] = _fail_on_three
    with (
        multiprocessing.get_context("spawn").Pool(2) as pool,
        pytest.raises(volunteer_rules.ConflictError) as caught,
    ):
        pool.map(work, range(6), chunksize=1)
    assert caught.value.key == "item-3"


def _fail_on_three(value: int) -> int:
    if value == 3:
        raise volunteer_rules.ConflictError(f"item-{value}", "item 3 conflicts")
    return value


def test_a_dask_worker_process_raises_them() -> None:
    """A task on Dask's process pool raises the error; the caller gets it as raised."""
    dask = pytest.importorskip("dask", reason="dask is not installed (the dask extra)")
    samples = [
        volunteer_rules.ConflictError("t-1", "transfer t-1 exists with different content"),
        volunteer_rules.InsufficientHoursError(Hours.from_minutes(30), Hours.from_minutes(90)),
        volunteer_rules.RecordFormatError([FieldError("$.date", "missing", "date is required")]),
    ]
    for error in samples:
        task = dask.delayed(_raise)(error)
        with pytest.raises(type(error)) as caught:
            dask.compute(task, scheduler="processes", num_workers=1)
        _same(error, caught.value)
