"""Small, valid sample payloads for documentation, tests and notebooks.

Example:
    >>> from volunteer_rules.testing.examples import SAMPLE_RECORD_PAYLOAD
    >>> SAMPLE_RECORD_PAYLOAD["region_code"]
    '211103'
"""

from __future__ import annotations

from typing import Any, Final

__all__ = ["SAMPLE_ORGANIZATION_ID", "SAMPLE_RECORD_PAYLOAD"]

SAMPLE_ORGANIZATION_ID: Final = "512111005000000154"
"""A valid unified social credit code (civil affairs, social organization, Panjin)."""

SAMPLE_RECORD_PAYLOAD: Final[dict[str, Any]] = {
    "format_version": 1,
    "record_id": "r-2024-0001",
    "volunteer_id": "V0000001",
    "organization_id": SAMPLE_ORGANIZATION_ID,
    "activity_name": "社区助老服务",
    "service_category": "elderly_and_disabled",
    "content": "为独居老人打扫卫生、陪伴聊天",
    "place": "兴隆台区振兴街道幸福社区",
    "region_code": "211103",
    "date": "2024-05-01",
    "start": "2024-05-01T08:30:00+08:00",
    "end": "2024-05-01T11:00:00+08:00",
    "service_minutes": 120,
    "person_in_charge": "王芳",
    "recorded_by": "李雷",
    "recorded_at": "2024-05-02T09:15:00+08:00",
    "status": "verified",
}
"""A canonical record payload (record format v1): ``dump_record(parse_record(x)) == x``."""
