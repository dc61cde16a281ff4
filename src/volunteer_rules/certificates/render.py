"""Rendering a service record certificate: plain text and a printable HTML page.

The HTML page is self-contained: A4, Chinese and English labels, inline CSS, no external
resources and no script. It shows the verification code as text a person can type and, when
the optional ``qr`` extra (segno, a small pure-Python QR library) is installed, as a QR code in
inline SVG. The QR code of a signed certificate holds the signed statement and the signature,
so a verifier checks it offline (:func:`check_qr_payload`); an unsigned one holds the
certificate number and the short verification code.

Nothing here prints a full ID number or mobile number: a certificate issued by the library holds
only masked ones, and the text and the page mask what they print by the library's one rule for
ID numbers and personal contacts, so a certificate made by hand, or read from another system's
JSON, prints masked too.

Example:
    >>> from volunteer_rules.testing import examples
    >>> text = render_text(examples.sample_certificate())
    >>> "志愿服务记录证明" in text and "2 h" in text
    True
"""

from __future__ import annotations

import html
import zlib
from collections.abc import Mapping
from typing import Any, Final

import attrs

from volunteer_rules._canonical import canonical_bytes, read_json
from volunteer_rules._iso import read_date
from volunteer_rules._privacy import mask_personal_data, masked_repr
from volunteer_rules.certificates import signing as _signing
from volunteer_rules.certificates.certificate import Certificate
from volunteer_rules.certificates.signing import KeyRegistry, signed_statement
from volunteer_rules.errors import InvalidTypeError
from volunteer_rules.records.record import SERVICE_CATEGORIES

__all__ = ["QrCheck", "check_qr_payload", "qr_payload", "render_html", "render_text"]

_DOCUMENT_LABELS: Final = {
    "resident_id": "居民身份证 Resident ID card",
    "passport": "护照 Passport",
    "hk_macao_permit": "港澳居民来往内地通行证 Mainland travel permit (HK/Macao)",
    "taiwan_permit": "台湾居民来往大陆通行证 Mainland travel permit (Taiwan)",
    "foreign_permanent_resident": "外国人永久居留身份证 Foreign permanent resident ID",
    "other": "其他证件 Other document",
}


def _check(certificate: object) -> Certificate:
    if not isinstance(certificate, Certificate):
        raise InvalidTypeError("certificate", "must be a Certificate")
    return certificate


def qr_payload(certificate: Certificate) -> str:
    """The text the certificate's QR code holds.

    A signed certificate's QR code carries everything a verifier needs to check it offline:
    ``VR-CERT2:`` then the signed statement
    (:func:`~volunteer_rules.certificates.signing.signed_statement`: every printed figure, the
    verification code and the key id) as zlib-compressed canonical JSON in URL-safe base64,
    ``.``, and the Ed25519 signature in URL-safe base64. :func:`check_qr_payload` reads it back
    and checks the signature with the issuer's public key. An unsigned certificate's QR code
    holds ``VR-CERT:<number>:<short code>`` (nothing to check offline).

    Example:
        >>> from volunteer_rules.testing import examples
        >>> qr_payload(examples.sample_certificate()).startswith("VR-CERT:PJ-XLT-2024-0001:")
        True
    """
    certificate = _check(certificate)
    if certificate.signature is None or certificate.key_id is None:
        return f"VR-CERT:{certificate.number}:{certificate.short_code}"
    statement = signed_statement(certificate, certificate.key_id)
    packed = _signing._b64(zlib.compress(canonical_bytes(statement), 9))
    return f"VR-CERT2:{packed}.{certificate.signature}"


@masked_repr
@attrs.frozen(kw_only=True)
class QrCheck:
    """What a verifier learns from a QR code alone, offline.

    Attributes:
        signature: the signature's status, one of
            :data:`~volunteer_rules.certificates.signing.SIGNATURE_STATUSES` (``unsigned``
            for a QR code of an unsigned certificate, ``signature_invalid`` for one that cannot
            be read).
        statement: what the issuer signed (number, names, period, service minutes, activities,
            star level, verification code...), to compare with the printed certificate; empty
            when unreadable.

    Example:
        >>> QrCheck(signature="unsigned", statement={}).valid
        False
    """

    signature: str
    statement: Mapping[str, Any]

    @property
    def valid(self) -> bool:
        """Whether the issuer's signature over the statement is good.

        Example:
            >>> QrCheck(signature="valid", statement={"number": "C-1"}).valid
            True
        """
        return self.signature == "valid"


def check_qr_payload(text: str, keys: KeyRegistry) -> QrCheck:
    """Check a certificate's QR code offline, with the issuer's public key from ``keys``.

    Never raises for a bad or forged code: the problem is the ``signature`` status. A good
    status means the issuer signed exactly this statement with a key in force on its issue
    date and not revoked; the verifier then compares the statement with the paper.

    Example:
        >>> from volunteer_rules.testing import examples
        >>> from volunteer_rules.certificates.certificate import sign_certificate
        >>> from volunteer_rules.certificates.signing import InMemoryKeyRegistry, SigningKey
        >>> import datetime
        >>> key = SigningKey.from_seed(bytes(32), key_id="pj-1",
        ...                            organization_id=examples.SAMPLE_ORGANIZATION_ID)
        >>> keys = InMemoryKeyRegistry().add(key.public_key(valid_from=datetime.date(2024, 1, 1)))
        >>> signed = sign_certificate(examples.sample_certificate(), key)
        >>> check = check_qr_payload(qr_payload(signed), keys)
        >>> check.signature, check.statement["service_minutes"]
        ('valid', 120)
        >>> check_qr_payload("VR-CERT2:garbage.garbage", keys).signature
        'signature_invalid'
    """
    if not isinstance(text, str):
        raise InvalidTypeError("text", "must be a str")
    if not isinstance(keys, KeyRegistry):
        raise InvalidTypeError("keys", "must be a key registry (an object with .key(key_id))")
    if not text.startswith("VR-CERT2:"):
        return QrCheck(signature="unsigned", statement={})
    try:
        packed, value = text[len("VR-CERT2:") :].split(".")
        raw = zlib.decompress(_signing._unb64(packed), bufsize=4096)
        statement = read_json(raw.decode("ascii"))  # too deep is a ValueError too
        signature = _signing._unb64(value)
        if not isinstance(statement, dict) or canonical_bytes(statement) != raw:
            raise ValueError("not a canonical statement")
        issued_on = read_date(statement["issued_on"])
        if issued_on is None:
            raise ValueError("issued_on is not a date")
    except (ValueError, TypeError, KeyError, zlib.error, UnicodeError):
        return QrCheck(signature="signature_invalid", statement={})
    status = _signing._signature_status(statement, signature, issued_on, keys)
    return QrCheck(signature=status, statement=statement)


def _service_text(certificate: Certificate) -> str:
    service = certificate.service
    text = f"{service.format('zh')} / {service.format('en')}"
    if service.minutes % 60:
        text += f" ({service.to_decimal_hours()} h)"
    return text


def _rows(certificate: Certificate) -> list[tuple[str, str, str]]:
    """(Chinese label, English label, value) for each line of the certificate."""
    issuer = certificate.issuer
    period = f"{certificate.period_start.isoformat()} – {certificate.period_end.isoformat()}"
    rows = [
        ("证明编号", "Certificate number", certificate.number),
        ("姓名", "Name", certificate.volunteer_name),
        (
            "证件",
            "ID document",
            f"{_DOCUMENT_LABELS.get(certificate.document_kind, certificate.document_kind)} "
            f"{certificate.document_number}",
        ),
        ("志愿者编号", "Volunteer number", certificate.volunteer_id),
        ("服务期间", "Period", period),
        ("服务时间", "Service time", _service_text(certificate)),
        ("服务记录", "Records", str(len(certificate.records))),
    ]
    if certificate.star_level is not None:
        level = certificate.star_level
        rows.append(
            (
                "星级",
                "Star level",
                f"{level.label} {level.name} ({level.rule_set_id}, {level.rule_set_version})",
            )
        )
    rows += [
        ("记录单位", "Recording unit", f"{issuer.name} ({issuer.organization_id})"),
        ("负责人", "Responsible person", issuer.responsible_person),
        ("经办人", "Handler", issuer.handler),
        ("联系方式", "Contact", issuer.contact),
        ("出具日期", "Date of issue", certificate.issued_on.isoformat()),
        ("费用", "Fee", "0（免费 free of charge）"),
    ]
    if certificate.remarks:
        rows.append(("备注", "Remarks", certificate.remarks))
    rows.append(("验证码", "Verification code", certificate.short_code))
    return [(zh, en, mask_personal_data(value)) for zh, en, value in rows]


def _activities(certificate: Certificate) -> list[tuple[str, str, str]]:
    return [
        (
            mask_personal_data(f"{SERVICE_CATEGORIES.get(a.category, a.category)} {a.category}"),
            str(a.activities),
            a.service.format("zh"),
        )
        for a in certificate.activities
    ]


def render_text(certificate: Certificate) -> str:
    """The certificate as plain text, Chinese and English labels.

    Example:
        >>> from volunteer_rules.testing import examples
        >>> print(render_text(examples.sample_certificate()).splitlines()[0])
        志愿服务记录证明 / Volunteer Service Record Certificate
    """
    certificate = _check(certificate)
    lines = ["志愿服务记录证明 / Volunteer Service Record Certificate", ""]
    width = max(len(zh) + len(en) for zh, en, _ in _rows(certificate)) + 4
    for zh, en, value in _rows(certificate):
        lines.append(f"{zh} {en}:".ljust(width) + f" {value}")
    lines += ["", "服务内容 Service content:"]
    for label, count, spent in _activities(certificate):
        lines.append(f"  {label}: {count} 次 activities, {spent}")
    lines += [
        "",
        f"完整验证码 Full verification code: {certificate.verification_code}",
    ]
    return "\n".join(lines) + "\n"


_CSS: Final = """
@page { size: A4; margin: 18mm; }
* { box-sizing: border-box; }
body { font-family: "Noto Serif CJK SC", "Source Han Serif SC", "WenQuanYi Zen Hei",
  "SimSun", serif; color: #111; margin: 0; background: #fff; }
.sheet { width: 174mm; min-height: 250mm; margin: 0 auto; padding: 12mm 14mm;
  border: 3px double #8b0000; position: relative; }
h1 { text-align: center; font-size: 26pt; letter-spacing: 0.3em; margin: 4mm 0 0; }
h2 { text-align: center; font-size: 12pt; font-weight: normal; margin: 1mm 0 8mm; }
table { width: 100%; border-collapse: collapse; font-size: 11pt; }
th, td { border: 1px solid #555; padding: 1.6mm 3mm; text-align: left; vertical-align: top; }
th { width: 38%; background: #f6f1e7; font-weight: normal; }
th small, h3 small { color: #555; }
h3 { font-size: 12pt; margin: 7mm 0 2mm; }
.statement { margin: 8mm 0 0; font-size: 11pt; line-height: 1.7; }
.verify { display: flex; gap: 6mm; align-items: center; margin-top: 8mm; }
.verify svg { width: 32mm; height: 32mm; }
.code { font-family: "DejaVu Sans Mono", monospace; font-size: 14pt; letter-spacing: 0.08em; }
.full { font-family: "DejaVu Sans Mono", monospace; font-size: 7pt; word-break: break-all; }
.seal { margin-left: auto; flex: none; width: 38mm; height: 38mm;
  border: 2px solid #b22222; border-radius: 50%; color: #b22222; display: flex;
  align-items: center; justify-content: center; text-align: center; font-size: 9pt;
  opacity: 0.75; }
"""


def _qr_svg(text: str) -> str | None:
    try:
        import segno
    except ImportError:
        return None
    svg: str = segno.make(text, error="m").svg_inline(scale=4, border=2)
    return svg


def render_html(certificate: Certificate) -> str:
    """The certificate as a self-contained, printable A4 HTML page.

    No external resources and no script: everything (CSS, the QR code as SVG) is inline.
    Without the optional ``qr`` extra (segno) the page shows the verification code as text
    only.

    Example:
        >>> from volunteer_rules.testing import examples
        >>> page = render_html(examples.sample_certificate())
        >>> page.startswith("<!DOCTYPE html>"), "<script" in page, "http" in page
        (True, False, False)
    """
    certificate = _check(certificate)
    e = html.escape
    rows = "\n".join(
        f"<tr><th>{e(zh)}<br><small>{e(en)}</small></th><td>{e(value)}</td></tr>"
        for zh, en, value in _rows(certificate)
    )
    activities = "\n".join(
        f"<tr><th>{e(label)}</th><td>{e(count)} 次 / activities，{e(spent)}</td></tr>"
        for label, count, spent in _activities(certificate)
    )
    qr = _qr_svg(qr_payload(certificate)) or ""
    name = mask_personal_data(certificate.volunteer_name)
    statement = (
        f"兹证明 {e(name)} 同志在本单位参加志愿服务，"
        f"累计服务时间 {e(certificate.service.format('zh'))}。本证明依据志愿服务记录如实出具，不收取任何费用。"
    )
    statement_en = (
        f"This certifies that {e(name)} served as a volunteer with this "
        f"organization for {e(certificate.service.format('en'))} in total. Issued truthfully "
        "from the service records, free of charge."
    )
    return f"""<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<title>志愿服务记录证明 {e(mask_personal_data(certificate.number))}</title>
<style>{_CSS}</style>
</head>
<body>
<div class="sheet">
<h1>志愿服务记录证明</h1>
<h2>Volunteer Service Record Certificate</h2>
<table>
{rows}
</table>
<h3>服务内容 <small>Service content</small></h3>
<table>
{activities}
</table>
<p class="statement">{statement}<br>{statement_en}</p>
<div class="verify">
{qr}
<div>
<div>验证码 Verification code</div>
<div class="code">{e(certificate.short_code)}</div>
<div class="full">{e(certificate.verification_code)}</div>
</div>
<div class="seal">{e(mask_personal_data(certificate.issuer.name))}<br>（盖章 seal）</div>
</div>
</div>
</body>
</html>
"""
