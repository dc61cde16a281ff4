"""Signing certificates: the issuing organization's Ed25519 keys, and a registry of them.

A verification code alone proves nothing: anyone can recompute a SHA-256. A certificate is
proof when the organization that issued it **signs** it, and a verifier checks the signature
with the organization's public key. Here:

- :class:`SigningKey` is an organization's private key, as data: a 32-byte Ed25519 seed, a key
  id and the organization. The integrator stores it (a secrets manager, an HSM export, a file
  only the issuing service reads); this library never reads or writes it anywhere. Make one with
  :meth:`SigningKey.from_seed` and ``secrets.token_bytes(32)``.
- :class:`PublicKey` is what verifiers hold: the 32-byte public key, its id, its organization,
  and its life: ``valid_from`` (first issue date it may sign), ``retired_on`` (set by a
  rotation: certificates issued on or after that day must be signed by the next key; older
  ones stay good), ``revoked_on`` (set when the key is compromised or withdrawn: **no**
  signature by a revoked key is trusted, whatever the issue date, since whoever holds the key
  can write any date).
- :class:`KeyRegistry` is the protocol a verifier looks keys up in (``key(key_id)``);
  :class:`InMemoryKeyRegistry` is an immutable value implementing it, with :meth:`rotate
  <InMemoryKeyRegistry.rotate>` and :meth:`revoke <InMemoryKeyRegistry.revoke>` that return
  a new registry. A registry kept in a database belongs to the storage layer; anything with a
  ``key`` method works.

The signature covers the certificate's **signed statement** (:func:`signed_statement`): every
printed figure and name, the key id, and the verification code, which is the SHA-256 of the
certificate's whole content including each certified record's digest. So one signature binds
the paper, the JSON and the records. The statement is small, and the QR code carries it with
the signature (:func:`~volunteer_rules.certificates.render.qr_payload`), so a verifier with the
organization's public key checks a printed certificate offline, without the records.

Ed25519 comes from the ``cryptography`` package, in the optional ``signing`` extra
(``pip install volunteer_rules[signing]``); without it, signing and checking raise
:class:`~volunteer_rules.InvalidValueError` naming the extra.

Example:
    >>> from datetime import date
    >>> key = SigningKey.from_seed(bytes(32), key_id="pj-2024", organization_id="512111005000000154")
    >>> public = key.public_key(valid_from=date(2024, 1, 1))
    >>> registry = InMemoryKeyRegistry().add(public)
    >>> registry.key("pj-2024") == public, public.verify(b"hello", key.sign(b"hello"))
    (True, True)
"""

from __future__ import annotations

import base64
import datetime as _dt
from typing import TYPE_CHECKING, Any, Final, Protocol, runtime_checkable

import attrs

from volunteer_rules._canonical import canonical_bytes
from volunteer_rules._privacy import masked_repr
from volunteer_rules._validate import instance_of
from volunteer_rules.errors import ConflictError, InvalidTypeError, InvalidValueError, NotFoundError

if TYPE_CHECKING:
    from volunteer_rules.certificates.document import Certificate

__all__ = [
    "SIGNATURE_ALGORITHM",
    "SIGNATURE_STATUSES",
    "InMemoryKeyRegistry",
    "KeyRegistry",
    "PublicKey",
    "SigningKey",
    "signed_statement",
]

SIGNATURE_ALGORITHM: Final = "Ed25519"
"""The only signature algorithm: Ed25519 (RFC 8032), 32-byte keys, 64-byte signatures."""

SIGNATURE_STATUSES: Final = (
    "valid",
    "not_checked",
    "unsigned",
    "unknown_key",
    "key_of_another_issuer",
    "key_not_yet_valid",
    "key_retired",
    "key_revoked",
    "signature_invalid",
)
"""What a verification says of a certificate's signature.

``valid``: signed by a key of the issuer that was in force on the issue date and not revoked.
``not_checked``: no key registry was given. Every other status is a failure, reported as a
difference of the same code: ``unsigned``; ``unknown_key`` (the registry has no such key);
``key_of_another_issuer``; ``key_not_yet_valid`` (issued before the key's ``valid_from``);
``key_retired`` (issued on or after the rotation that retired the key); ``key_revoked``;
``signature_invalid`` (the signature does not match the statement: something was changed).
"""

_DOMAIN: Final = b"volunteer-rules certificate signature v1\n"


def _crypto() -> Any:
    try:
        from cryptography.hazmat.primitives.asymmetric import ed25519
    except ImportError:  # pragma: no cover - the signing extra is in dev
        raise InvalidValueError(
            "signing",
            "Ed25519 needs the cryptography package: pip install volunteer_rules[signing]",
        ) from None
    return ed25519


def _check_bytes(what: str, value: object, size: int) -> bytes:
    if not isinstance(value, bytes):
        raise InvalidTypeError(what, f"must be bytes, not {type(value).__name__}")
    if len(value) != size:
        raise InvalidValueError(what, f"must be {size} bytes, not {len(value)}")
    return value


def _check_id(instance: object, attribute: Any, value: Any) -> None:
    if not isinstance(value, str):
        raise InvalidTypeError(attribute.name, f"must be a str, not {type(value).__name__}")
    if not value or len(value) > 64 or not value.isprintable() or value != value.strip():
        raise InvalidValueError(attribute.name, "must be 1 to 64 printable characters")


def _seed(instance: object, attribute: Any, value: Any) -> None:
    _check_bytes(attribute.name, value, 32)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def _unb64(text: str) -> bytes:
    """The bytes of URL-safe base64 as :func:`_b64` writes it; any other spelling is refused.

    Python's decoder skips characters outside the alphabet, accepts padding and ignores the
    unused low bits of the last character, so many texts decode to one signature: a signature
    whose text was changed is refused (``ValueError``), not read as the one it was changed from.
    """
    raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    if _b64(raw) != text:
        raise ValueError("not URL-safe base64 as written by the library")
    return raw


@masked_repr
@attrs.frozen(kw_only=True)
class SigningKey:
    """An organization's private Ed25519 key, as data the integrator stores.

    The seed never appears in ``repr``. Keep it where only the issuing service reads it.

    Attributes:
        key_id: the key's id (1 to 64 printable characters), printed on what it signs.
        organization_id: the organization that signs with it.
        seed: the 32-byte Ed25519 private key (RFC 8032 seed).

    Example:
        >>> key = SigningKey.from_seed(bytes(32), key_id="k1", organization_id="G-team")
        >>> "seed" in repr(key), len(key.sign(b"x"))
        (False, 64)
    """

    key_id: str = attrs.field(validator=_check_id)
    organization_id: str = attrs.field(validator=_check_id)
    seed: bytes = attrs.field(validator=_seed, repr=False)

    @classmethod
    def from_seed(cls, seed: bytes, *, key_id: str, organization_id: str) -> SigningKey:
        """A key from 32 random bytes (make them with ``secrets.token_bytes(32)``).

        Raises:
            InvalidTypeError, InvalidValueError: not 32 bytes, or a bad id.

        Example:
            >>> SigningKey.from_seed(b"short", key_id="k", organization_id="G-x")
            Traceback (most recent call last):
            ...
            volunteer_rules.errors.InvalidValueError: seed: must be 32 bytes, not 5
        """
        return cls(key_id=key_id, organization_id=organization_id, seed=seed)

    def sign(self, message: bytes) -> bytes:
        """The 64-byte Ed25519 signature of ``message``.

        Example:
            >>> key = SigningKey.from_seed(bytes(32), key_id="k", organization_id="G-x")
            >>> key.sign(b"a") == key.sign(b"a")  # Ed25519 is deterministic
            True
        """
        if not isinstance(message, bytes):
            raise InvalidTypeError("message", "must be bytes")
        private = _crypto().Ed25519PrivateKey.from_private_bytes(self.seed)
        signature: bytes = private.sign(message)
        return signature

    def public_key(self, *, valid_from: _dt.date, retired_on: _dt.date | None = None) -> PublicKey:
        """The public half, to publish in a :class:`KeyRegistry`.

        Example:
            >>> from datetime import date
            >>> key = SigningKey.from_seed(bytes(32), key_id="k", organization_id="G-x")
            >>> key.public_key(valid_from=date(2024, 1, 1)).public_bytes.hex()[:16]
            '3b6a27bcceb6a42d'
        """
        from cryptography.hazmat.primitives import serialization

        private = _crypto().Ed25519PrivateKey.from_private_bytes(self.seed)
        raw = private.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )
        return PublicKey(
            key_id=self.key_id,
            organization_id=self.organization_id,
            public_bytes=raw,
            valid_from=valid_from,
            retired_on=retired_on,
        )


@masked_repr
@attrs.frozen(kw_only=True)
class PublicKey:
    """An organization's public Ed25519 key and its life, as a verifier holds it.

    Attributes:
        key_id: the key's id.
        organization_id: the organization it belongs to.
        public_bytes: the 32-byte Ed25519 public key.
        valid_from: the first issue date it may sign (inclusive).
        retired_on: set by a rotation: certificates issued on or after it must carry the next
            key's signature; certificates issued before stay good. ``None``: in force.
        revoked_on: set when the key was compromised or withdrawn: no signature by it is
            trusted, whatever the date on the certificate. ``None``: not revoked.
        revocation_reason: why it was revoked (free text).

    Example:
        >>> from datetime import date
        >>> key = PublicKey(key_id="k", organization_id="G-x", public_bytes=bytes(32),
        ...                 valid_from=date(2024, 1, 1))
        >>> key.in_force(date(2023, 12, 31)), key.in_force(date(2024, 1, 1))
        (False, True)
    """

    key_id: str = attrs.field(validator=_check_id)
    organization_id: str = attrs.field(validator=_check_id)
    public_bytes: bytes = attrs.field(validator=_seed)
    valid_from: _dt.date = attrs.field(validator=instance_of(_dt.date))
    retired_on: _dt.date | None = attrs.field(
        default=None, validator=instance_of(_dt.date, optional=True)
    )
    revoked_on: _dt.date | None = attrs.field(
        default=None, validator=instance_of(_dt.date, optional=True)
    )
    revocation_reason: str = attrs.field(default="")

    def __attrs_post_init__(self) -> None:
        if self.retired_on is not None and self.retired_on < self.valid_from:
            raise InvalidValueError("retired_on", "must not be before valid_from")
        if not isinstance(self.revocation_reason, str):
            raise InvalidTypeError("revocation_reason", "must be a str")

    def in_force(self, day: _dt.date) -> bool:
        """Whether the key may sign a certificate issued on ``day`` (not revoked, in its life).

        Example:
            >>> from datetime import date
            >>> key = PublicKey(key_id="k", organization_id="G-x", public_bytes=bytes(32),
            ...                 valid_from=date(2024, 1, 1), retired_on=date(2025, 1, 1))
            >>> key.in_force(date(2024, 12, 31)), key.in_force(date(2025, 1, 1))
            (True, False)
        """
        return self.status_on(day) == "valid"

    def status_on(self, day: _dt.date) -> str:
        """``valid``, ``key_revoked``, ``key_not_yet_valid`` or ``key_retired`` for ``day``.

        Example:
            >>> from datetime import date
            >>> key = PublicKey(key_id="k", organization_id="G-x", public_bytes=bytes(32),
            ...                 valid_from=date(2024, 1, 1), revoked_on=date(2024, 6, 1))
            >>> key.status_on(date(2024, 2, 1))  # revoked: nothing it signed is trusted
            'key_revoked'
        """
        if self.revoked_on is not None:
            return "key_revoked"
        if day < self.valid_from:
            return "key_not_yet_valid"
        if self.retired_on is not None and day >= self.retired_on:
            return "key_retired"
        return "valid"

    def verify(self, message: bytes, signature: bytes) -> bool:
        """Whether ``signature`` is this key's Ed25519 signature of ``message``.

        A bad signature is ``False``, never an error.

        Example:
            >>> from datetime import date
            >>> key = SigningKey.from_seed(bytes(32), key_id="k", organization_id="G-x")
            >>> public = key.public_key(valid_from=date(2024, 1, 1))
            >>> public.verify(b"a", key.sign(b"a")), public.verify(b"b", key.sign(b"a"))
            (True, False)
        """
        from cryptography.exceptions import InvalidSignature

        if not isinstance(message, bytes) or not isinstance(signature, bytes):
            return False
        public = _crypto().Ed25519PublicKey.from_public_bytes(self.public_bytes)
        try:
            public.verify(signature, message)
        except InvalidSignature:
            return False
        return True

    @property
    def fingerprint(self) -> str:
        """The public key in URL-safe base64 (43 characters), as published.

        Example:
            >>> from datetime import date
            >>> PublicKey(key_id="k", organization_id="G-x", public_bytes=bytes(32),
            ...           valid_from=date(2024, 1, 1)).fingerprint
            'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'
        """
        return _b64(self.public_bytes)


@runtime_checkable
class KeyRegistry(Protocol):
    """Where a verifier looks up an organization's public keys by key id.

    Anything with this method is a registry: :class:`InMemoryKeyRegistry`, a table in the
    integrator's database, a file of published keys.

    Example:
        >>> isinstance(InMemoryKeyRegistry(), KeyRegistry)
        True
    """

    def key(self, key_id: str, /) -> PublicKey | None:
        """The key with this id, or ``None``.

        Example:
            >>> InMemoryKeyRegistry().key("nope") is None
            True
        """
        ...


def _check_keys(instance: object, attribute: Any, value: Any) -> None:
    if not isinstance(value, tuple) or not all(isinstance(k, PublicKey) for k in value):
        raise InvalidTypeError("keys", "must be a tuple of PublicKey")
    ids = [k.key_id for k in value]
    if len(set(ids)) != len(ids):
        raise InvalidValueError("keys", "key ids must be distinct")


@masked_repr
@attrs.frozen(kw_only=True)
class InMemoryKeyRegistry:
    """An immutable :class:`KeyRegistry`: adding, rotating and revoking return a new one.

    Attributes:
        keys: the keys, in the order they were added.

    Example:
        >>> from datetime import date
        >>> old = SigningKey.from_seed(bytes(32), key_id="k1", organization_id="G-x")
        >>> new = SigningKey.from_seed(bytes([1]) * 32, key_id="k2", organization_id="G-x")
        >>> registry = InMemoryKeyRegistry().add(old.public_key(valid_from=date(2024, 1, 1)))
        >>> registry = registry.rotate(new.public_key(valid_from=date(2025, 1, 1)))
        >>> registry.key("k1").retired_on, registry.current("G-x", date(2025, 3, 1)).key_id
        (datetime.date(2025, 1, 1), 'k2')
    """

    keys: tuple[PublicKey, ...] = attrs.field(default=(), validator=_check_keys)

    def key(self, key_id: str, /) -> PublicKey | None:
        """The key with this id, or ``None``.

        Example:
            >>> InMemoryKeyRegistry().key("k1") is None
            True
        """
        for public in self.keys:
            if public.key_id == key_id:
                return public
        return None

    def add(self, key: PublicKey) -> InMemoryKeyRegistry:
        """A registry with ``key`` added (the same key again is a no-op).

        Raises:
            ConflictError: another key has that id.

        Example:
            >>> from datetime import date
            >>> k = PublicKey(key_id="k", organization_id="G-x", public_bytes=bytes(32),
            ...               valid_from=date(2024, 1, 1))
            >>> len(InMemoryKeyRegistry().add(k).add(k).keys)
            1
        """
        if not isinstance(key, PublicKey):
            raise InvalidTypeError("key", "must be a PublicKey")
        existing = self.key(key.key_id)
        if existing is not None:
            if existing != key:
                raise ConflictError(key.key_id, f"key {key.key_id!r} exists with other content")
            return self
        return InMemoryKeyRegistry(keys=(*self.keys, key))

    def rotate(self, key: PublicKey) -> InMemoryKeyRegistry:
        """Put ``key`` in force from its ``valid_from``, retiring the organization's others.

        The organization's keys still in force then are retired on that day: what they signed
        before stays good.

        Example:
            >>> from datetime import date
            >>> a = PublicKey(key_id="a", organization_id="G-x", public_bytes=bytes(32),
            ...               valid_from=date(2024, 1, 1))
            >>> b = attrs.evolve(a, key_id="b", valid_from=date(2024, 7, 1))
            >>> InMemoryKeyRegistry().add(a).rotate(b).key("a").status_on(date(2024, 7, 1))
            'key_retired'
        """
        if not isinstance(key, PublicKey):
            raise InvalidTypeError("key", "must be a PublicKey")
        day = key.valid_from
        keys = tuple(
            attrs.evolve(k, retired_on=max(day, k.valid_from))
            if k.organization_id == key.organization_id
            and k.retired_on is None
            and k.revoked_on is None
            and k.key_id != key.key_id
            else k
            for k in self.keys
        )
        return InMemoryKeyRegistry(keys=keys).add(key)

    def revoke(self, key_id: str, *, on: _dt.date, reason: str = "") -> InMemoryKeyRegistry:
        """Revoke a key from ``on``: no signature by it is trusted any more.

        Raises:
            NotFoundError: no such key.

        Example:
            >>> from datetime import date
            >>> a = PublicKey(key_id="a", organization_id="G-x", public_bytes=bytes(32),
            ...               valid_from=date(2024, 1, 1))
            >>> r = InMemoryKeyRegistry().add(a).revoke("a", on=date(2024, 3, 1), reason="leaked")
            >>> r.key("a").status_on(date(2024, 2, 1)), r.key("a").revocation_reason
            ('key_revoked', 'leaked')
        """
        if not isinstance(on, _dt.date) or isinstance(on, _dt.datetime):
            raise InvalidTypeError("on", "must be a date")
        if self.key(key_id) is None:
            raise NotFoundError(str(key_id), f"no key {key_id!r} in the registry")
        keys = tuple(
            attrs.evolve(k, revoked_on=on, revocation_reason=reason) if k.key_id == key_id else k
            for k in self.keys
        )
        return InMemoryKeyRegistry(keys=keys)

    def current(self, organization_id: str, day: _dt.date) -> PublicKey:
        """The organization's key in force on ``day`` (the latest one, after rotations).

        Raises:
            NotFoundError: none is in force.

        Example:
            >>> from datetime import date
            >>> InMemoryKeyRegistry().current("G-x", date(2024, 1, 1))
            Traceback (most recent call last):
            ...
            volunteer_rules.errors.NotFoundError: no key of G-x in force on 2024-01-01
        """
        found = [k for k in self.keys if k.organization_id == organization_id and k.in_force(day)]
        if not found:
            raise NotFoundError(
                str(organization_id), f"no key of {organization_id} in force on {day.isoformat()}"
            )
        return max(found, key=lambda k: k.valid_from)


def signed_statement(certificate: Certificate, key_id: str) -> dict[str, Any]:
    """What a signature covers: every printed figure and name, the key id and the code.

    The verification code is the SHA-256 of the certificate's whole content (the records'
    digests included), so signing the statement signs everything. The statement is what the
    QR code carries; its canonical JSON bytes, after a fixed domain line, are what is signed.

    Example:
        >>> from volunteer_rules.testing import examples
        >>> statement = signed_statement(examples.sample_certificate(), "k1")
        >>> statement["service_minutes"], statement["key_id"], sorted(statement)[:3]
        (120, 'k1', ['activities', 'algorithm', 'document_kind'])
    """
    from volunteer_rules.certificates.document import _content

    content = _content(certificate)
    statement: dict[str, Any] = {
        key: content[key]
        for key in (
            "number",
            "issued_on",
            "period_start",
            "period_end",
            "service_minutes",
            "activities",
            "remarks",
        )
    }
    statement.update(content["volunteer"])
    statement["issuer"] = content["issuer"]
    if "since" in content:
        statement["since"] = content["since"]
    if "star_level" in content:
        statement["star_level"] = content["star_level"]
    statement["verification_code"] = certificate.verification_code
    statement["key_id"] = key_id
    statement["algorithm"] = SIGNATURE_ALGORITHM
    return statement


def _message(statement: dict[str, Any]) -> bytes:
    return _DOMAIN + canonical_bytes(statement)


def _signature_status(
    statement: dict[str, Any], signature: bytes, issued_on: _dt.date, keys: KeyRegistry
) -> str:
    """The status of a signature over ``statement`` (one of :data:`SIGNATURE_STATUSES`)."""
    key_id = statement.get("key_id")
    if not isinstance(key_id, str):
        return "unknown_key"
    public = keys.key(key_id)
    if public is None:
        return "unknown_key"
    if not isinstance(public, PublicKey):
        raise InvalidTypeError(
            "keys", f"key() must return a PublicKey or None, not {type(public).__name__}"
        )
    issuer = statement.get("issuer")
    if not isinstance(issuer, dict) or issuer.get("organization_id") != public.organization_id:
        return "key_of_another_issuer"
    if not public.verify(_message(statement), signature):
        return "signature_invalid"
    return public.status_on(issued_on)
