"""What every storage contract shares: its fixtures, its state machines' settings, its runners.

The base classes of the contracts (the ``make_store``, ``store`` and ``shared`` fixtures and
the protocol check), the Hypothesis settings of the state machines, the reference instant and
offset, and the runners of the concurrency tests: threads started together, fresh processes
(spawned), and the skip when a store cannot be opened twice on one database. The contract
classes of :mod:`volunteer_rules.testing.contracts` and
:mod:`volunteer_rules.testing.community_contracts` use them.
"""

from __future__ import annotations

import datetime as _dt
import multiprocessing
import threading
from collections.abc import Callable
from typing import Any, ClassVar, Generic, TypeVar

import pytest
from hypothesis import HealthCheck, settings

from volunteer_rules.errors import StorageError, VolunteerRulesError

T = TypeVar("T")
S = TypeVar("S")

_CST = _dt.timezone(_dt.timedelta(hours=8))

_T0 = _dt.datetime(2024, 5, 1, 9, 0, tzinfo=_CST)

_STATEFUL = settings(
    max_examples=min(settings().max_examples, 50),
    stateful_step_count=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


class _StoreContract(Generic[S]):
    """The fixtures and the first test of every store's conformance suite.

    A contract sets ``protocol`` (the runtime-checkable protocol its stores satisfy); the
    integrator's subclass overrides ``make_store``.
    """

    protocol: ClassVar[type]

    @pytest.fixture
    def make_store(self) -> Callable[[], S]:
        """Return a zero-argument factory of fresh, empty stores (override this)."""
        raise NotImplementedError("override the make_store fixture")  # pragma: no cover

    @pytest.fixture
    def store(self, make_store: Callable[[], S]) -> S:
        """A fresh, empty store."""
        return make_store()

    def test_satisfies_the_protocol(self, store: S) -> None:
        """The store has every method of the protocol."""
        assert isinstance(store, self.protocol)

    @pytest.fixture
    def foreign(self) -> Callable[[], tuple[Callable[[], Any], Callable[[], object]]] | None:
        """Override for a store kept in a database that other applications may use too.

        Return a factory that makes a fresh database holding a table of another application
        (with a row in it) and returns ``(open_store, contents)``: ``open_store()`` opens a
        store on it, ``contents()`` returns everything the database holds (its tables and
        their rows), to compare before and after. ``None`` (the default) skips the test.
        """
        return None

    def test_a_database_of_another_application_is_refused(
        self, foreign: Callable[[], tuple[Callable[[], Any], Callable[[], object]]] | None
    ) -> None:
        """A store refuses another application's database and adds nothing to it.

        A database holding tables that are not the library's raises ``StorageError``: no
        table of the library beside another application's.
        """
        if foreign is None:
            pytest.skip("the store is not kept in a database (no foreign fixture)")
        open_store, contents = foreign()
        before = contents()
        with pytest.raises(StorageError):
            open_store()
        assert contents() == before


class _SharedStoreContract(_StoreContract[S]):
    """A contract that also runs several instances, and processes, on one database."""

    @pytest.fixture
    def shared(self) -> Callable[[], tuple[Callable[..., Any], tuple[Any, ...]]] | None:
        """Override to test several instances and processes on one database.

        Return a factory that makes fresh, empty shared data and returns ``(opener, args)``:
        ``opener(*args)`` opens another store instance on it, in this process or another
        (both must pickle: a class and a path, say). ``None`` (the default) skips those
        tests.
        """
        return None


def _outcome(call: Callable[[], T]) -> tuple[str, Any]:
    """Run a store call; return ``("ok", value)`` or the error's class name and key."""
    try:
        return ("ok", call())
    except VolunteerRulesError as error:
        return (type(error).__name__, getattr(error, "key", None))


def _in_threads(work: Callable[[int], None], count: int) -> None:
    """Run ``work(0..count-1)`` in threads started together; re-raise the first error."""
    barrier = threading.Barrier(count)
    errors: list[BaseException] = []

    def run(worker: int) -> None:
        try:
            barrier.wait(60)
            work(worker)
        except BaseException as error:  # re-raised below, in the test
            errors.append(error)

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert not any(thread.is_alive() for thread in threads), "a thread hung"
    if errors:
        raise errors[0]


def _shared_or_skip(
    shared: Callable[[], tuple[Callable[..., Any], tuple[Any, ...]]] | None,
) -> tuple[Callable[..., Any], tuple[Any, ...]]:
    if shared is None:
        pytest.skip("the store cannot be opened twice on one database (no shared fixture)")
    return shared()


def _in_processes(
    worker: Callable[..., T], opener: Callable[..., Any], args: tuple[Any, ...], count: int
) -> list[T]:
    """Run ``worker(opener, args, n)`` in ``count`` fresh processes at once; their results."""
    context = multiprocessing.get_context("spawn")
    with context.Pool(count) as pool:
        pending = pool.starmap_async(worker, [(opener, args, n) for n in range(count)])
        return pending.get(timeout=300)
