"""Service record certificates (志愿服务记录证明): issue, verify, and the JSON form.

A certificate is a value derived only from records. The rules it follows:

- Only the organization that recorded the service certifies it (谁记录谁证明, [GUIDE2015]);
  when an organization has merged or dissolved, its successor or superior issues instead
  ([GUIDE2015]): name it in :attr:`Issuer.successor_of`.
- Free of charge and truthful (State Council 志愿服务条例 Art. 19 [REG2017]; MCA Order 67
  Art. 14 [MCA2020]): :attr:`Certificate.fee` is always zero.
- It states service time, service content and the recording unit (MCA Order 67 Art. 15);
  following 民发〔2015〕149号 [GUIDE2015] it also states the volunteer's identity (name, ID
  document type and masked number, volunteer number), the issuer (name, credit code,
  responsible person, handler, contact), the certificate number, the date of issue and remarks.
- Only verified records count, by the same rules certification uses
  (:mod:`volunteer_rules.rules.counting`); activities that are not volunteer service must not be
  certified (MCA Order 67 Art. 19).
- Anyone can verify it (MCA Order 67 Art. 17): a verification code is derived from the
  certificate's content and the exact records it was made from; :func:`verify_certificate`
  says whether the certificate still matches the records held now, and what differs.

Every name is importable from here, and each from the module that holds it: the issuer
(:mod:`~volunteer_rules.certificates.issuer`), what a certificate states
(:mod:`~volunteer_rules.certificates.document`), issuing and signing
(:mod:`~volunteer_rules.certificates.issue`), verifying
(:mod:`~volunteer_rules.certificates.verification`) and the JSON form
(:mod:`~volunteer_rules.certificates.json_form`).

Sources are the keys of ``docs/sources.md`` ([REG2017], [MCA2020], [GUIDE2015]).

Example:
    >>> from datetime import date
    >>> import volunteer_rules as vr
    >>> from volunteer_rules.testing import examples
    >>> record = vr.parse_record(examples.SAMPLE_RECORD_PAYLOAD)
    >>> from volunteer_rules.testing.profile_examples import SAMPLE_PROFILE_PAYLOAD
    >>> issuer = vr.Issuer(organization_id=record.organization_id, name="盘锦市青年志愿者协会",
    ...     responsible_person="张伟", handler="李雷", contact="0427-1234567")
    >>> volunteer = vr.parse_profile(SAMPLE_PROFILE_PAYLOAD)
    >>> issued = vr.issue_certificate([record], volunteer=volunteer, issuer=issuer,
    ...     as_of=date(2024, 6, 1), number="PJ-2024-0001")
    >>> issued.certificate.service, issued.certificate.fee, issued.refusals
    (Hours(minutes=120), 0, ())
    >>> vr.verify_certificate(issued.certificate, [record]).valid
    True
"""

from __future__ import annotations

from volunteer_rules.certificates.document import (
    CERTIFICATE_FORMAT_VERSION,
    ActivitySummary,
    Certificate,
    CertifiedRecord,
    StarLevelNote,
    mask_volunteer_number,
)
from volunteer_rules.certificates.issue import (
    REFUSAL_CODES,
    CertificateIssue,
    Refusal,
    issue_certificate,
    sign_certificate,
)
from volunteer_rules.certificates.issuer import Issuer
from volunteer_rules.certificates.json_form import dump_certificate, parse_certificate
from volunteer_rules.certificates.verification import (
    CertificateVerification,
    Difference,
    verify_certificate,
)

__all__ = [
    "CERTIFICATE_FORMAT_VERSION",
    "REFUSAL_CODES",
    "ActivitySummary",
    "Certificate",
    "CertificateIssue",
    "CertificateVerification",
    "CertifiedRecord",
    "Difference",
    "Issuer",
    "Refusal",
    "StarLevelNote",
    "dump_certificate",
    "issue_certificate",
    "mask_volunteer_number",
    "parse_certificate",
    "sign_certificate",
    "verify_certificate",
]
