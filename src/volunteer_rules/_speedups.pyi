import datetime
from typing import Any, TypeVar

_T = TypeVar("_T")

def moments(
    recorded_text: object,
    start_text: object,
    end_text: object,
    day_text: object,
    minutes: object,
    /,
) -> tuple[datetime.datetime, datetime.datetime | None, datetime.datetime | None] | None: ...
def count_pass(
    records: object,
    record_type: type,
    hours_type: type,
    as_of: datetime.date,
    since: datetime.date | None,
    need_first: bool,
    /,
) -> tuple[Any, ...] | None: ...
def instances(type: type[_T], count: int, fields: tuple[tuple[str, Any], ...], /) -> list[_T]: ...
