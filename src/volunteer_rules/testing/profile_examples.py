"""Small, valid sample payloads of the volunteer's other record parts (profiles and the rest).

Each is canonical: ``dump_x(parse_x(p)) == p``. The ID number and the phone number are made up
(the ID number's check character is right, as it must be to parse).

Example:
    >>> from volunteer_rules.testing.profile_examples import SAMPLE_PROFILE_PAYLOAD
    >>> SAMPLE_PROFILE_PAYLOAD["residence_region"]
    '211103'
"""

from __future__ import annotations

from typing import Any, Final

__all__ = [
    "SAMPLE_COMMENDATION_PAYLOAD",
    "SAMPLE_EVALUATION_PAYLOAD",
    "SAMPLE_PROFILE_PAYLOAD",
    "SAMPLE_TRAINING_PAYLOAD",
]

SAMPLE_PROFILE_PAYLOAD: Final[dict[str, Any]] = {
    "format_version": 1,
    "volunteer_id": "V0000001",
    "name": "赵敏",
    "sex": "female",
    "birth_date": "1990-03-15",
    "id_document": {"kind": "resident_id", "number": "211103199003150246"},
    "residence_region": "211103",
    "contact": "13912345678",
    "skills": ["first_aid", "sign_language"],
    "service_categories": ["community_service", "elderly_and_disabled"],
    "consents": ["basic_info_entry", "record_transfer"],
    "self_supporting": True,
    "registered_on": "2019-06-01",
}
"""A canonical profile payload (a Panjin volunteer, 兴隆台区)."""

SAMPLE_TRAINING_PAYLOAD: Final[dict[str, Any]] = {
    "format_version": 1,
    "training_id": "t-2024-0001",
    "volunteer_id": "V0000001",
    "name": "红十字救护员培训",
    "category": "medical_care",
    "content": "心肺复苏、创伤包扎与止血",
    "study_minutes": 960,
    "organizer": "盘锦市红十字会",
    "date": "2024-03-02",
    "valid_until": "2027-03-01",
}
"""A canonical training-record payload (16 h first-aid course, valid three years)."""

SAMPLE_COMMENDATION_PAYLOAD: Final[dict[str, Any]] = {
    "format_version": 1,
    "name": "优秀志愿者",
    "date": "2023-12-05",
    "awarding_body": "盘锦市民政局",
    "level": "city",
    "documented": True,
    "volunteer_id": "V0000001",
}
"""A canonical commendation payload (a city-level award with its documents)."""

SAMPLE_EVALUATION_PAYLOAD: Final[dict[str, Any]] = {
    "format_version": 1,
    "rating": "excellent",
    "date": "2024-05-03",
    "evaluator": "王芳",
    "record_id": "r-2024-0001",
    "comment": "耐心细致",
    "volunteer_id": "V0000001",
}
"""A canonical evaluation-record payload."""
