import datetime

def moments(
    recorded_text: object,
    start_text: object,
    end_text: object,
    day_text: object,
    minutes: object,
    /,
) -> tuple[datetime.datetime, datetime.datetime | None, datetime.datetime | None] | None: ...
