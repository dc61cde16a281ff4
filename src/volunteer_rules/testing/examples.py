"""Small, valid sample payloads for documentation, tests and notebooks.

Example:
    >>> from volunteer_rules.testing.examples import SAMPLE_RECORD_PAYLOAD
    >>> SAMPLE_RECORD_PAYLOAD["region_code"]
    '211103'
"""

from __future__ import annotations

import datetime as _dt
from typing import TYPE_CHECKING, Any, Final

if TYPE_CHECKING:
    from volunteer_rules.certificates.certificate import Certificate, Issuer
    from volunteer_rules.transfer.package import TransferPackage

__all__ = [
    "SAMPLE_DESTINATION_ORGANIZATION_ID",
    "SAMPLE_ORGANIZATION_ID",
    "SAMPLE_RECORD_PAYLOAD",
    "sample_certificate",
    "sample_issuer",
    "sample_transfer_package",
]

SAMPLE_ORGANIZATION_ID: Final = "512111005000000154"
"""A valid unified social credit code (civil affairs, social organization, Panjin)."""

SAMPLE_DESTINATION_ORGANIZATION_ID: Final = "51211100MJ00000175"
"""Another valid unified social credit code: where :func:`sample_transfer_package` goes."""

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


def sample_issuer() -> Issuer:
    """The issuing organization of the sample record, for certificate examples.

    Example:
        >>> sample_issuer().organization_id == SAMPLE_ORGANIZATION_ID
        True
    """
    from volunteer_rules.certificates.certificate import Issuer

    return Issuer(
        organization_id=SAMPLE_ORGANIZATION_ID,
        name="盘锦市兴隆台区青年志愿者协会",
        responsible_person="张伟",
        handler="李雷",
        contact="0427-2812345",
    )


def sample_certificate() -> Certificate:
    """A certificate issued from the sample record for the sample profile.

    Example:
        >>> sample_certificate().service.minutes
        120
    """
    from volunteer_rules.certificates.certificate import issue_certificate
    from volunteer_rules.records.profile import parse_profile
    from volunteer_rules.records.record import parse_record
    from volunteer_rules.testing.profile_examples import SAMPLE_PROFILE_PAYLOAD

    issued = issue_certificate(
        [parse_record(SAMPLE_RECORD_PAYLOAD)],
        volunteer=parse_profile(SAMPLE_PROFILE_PAYLOAD),
        issuer=sample_issuer(),
        as_of=_dt.date(2024, 6, 1),
        number="PJ-XLT-2024-0001",
    )
    assert issued.certificate is not None
    return issued.certificate


def sample_transfer_package(*, consent: bool = True) -> TransferPackage:
    """The sample record packed for a move from Panjin (211103) to Beijing (110105).

    From :data:`SAMPLE_ORGANIZATION_ID` to :data:`SAMPLE_DESTINATION_ORGANIZATION_ID`, created
    at 2024-06-01 00:00 UTC; ``consent`` is the volunteer's. Built by
    :func:`~volunteer_rules.create_transfer_package`, like any other package.

    Example:
        >>> package = sample_transfer_package()
        >>> package.volunteer_id, package.destination_region_code, len(package.records)
        ('V0000001', '110105', 1)
    """
    from volunteer_rules.records.record import parse_record
    from volunteer_rules.transfer.package import create_transfer_package

    record = parse_record(SAMPLE_RECORD_PAYLOAD)
    return create_transfer_package(
        [record],
        volunteer_id=record.volunteer_id,
        source_organization_id=SAMPLE_ORGANIZATION_ID,
        source_region_code=record.region_code,
        destination_organization_id=SAMPLE_DESTINATION_ORGANIZATION_ID,
        destination_region_code="110105",
        consent=consent,
        created_at=_dt.datetime(2024, 6, 1, tzinfo=_dt.UTC),
    )
