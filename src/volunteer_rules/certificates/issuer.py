"""The issuer of a certificate: the organization that recorded the service, or its successor.

Only the organization that recorded the service certifies it (谁记录谁证明, [GUIDE2015]);
when an organization has merged or dissolved, its successor or superior issues instead: name it
in :attr:`Issuer.successor_of`. Sources are the keys of ``docs/sources.md``.

Example:
    >>> from volunteer_rules.certificates.issuer import Issuer
    >>> issuer = Issuer(organization_id="512111005000000154", name="盘锦市青年志愿者协会",
    ...     responsible_person="张伟", handler="李雷", contact="0427-1234567")
    >>> issuer.may_certify("512111005000000154")
    True
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import attrs

from volunteer_rules._privacy import masked_repr
from volunteer_rules.errors import InvalidTypeError, InvalidValueError
from volunteer_rules.records._fields import organization_id_problem
from volunteer_rules.records.profile import mask_contact

__all__ = [
    "Issuer",
]


def _text(what: str, value: object, *, max_length: int = 200, empty: bool = False) -> str:
    if not isinstance(value, str):
        raise InvalidTypeError(what, f"must be a str, not {type(value).__name__}")
    value = value.strip()
    if not value and not empty:
        raise InvalidValueError(what, "must not be empty")
    if len(value) > max_length:
        raise InvalidValueError(what, f"must be at most {max_length} characters")
    return value


def _organization_id(what: str, value: object) -> str:
    if not isinstance(value, str):
        raise InvalidTypeError(what, f"must be a str, not {type(value).__name__}")
    problem = organization_id_problem(value)  # the one rule of an organization id
    if problem is not None:
        raise InvalidValueError(what, problem[1])
    return value


def _check_org(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    _organization_id(attribute.name, value)


def _check_text(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    _text(attribute.name, value)


def _frozen(value: Iterable[str]) -> frozenset[str]:
    if isinstance(value, str) or not isinstance(value, Iterable):
        raise InvalidTypeError("successor_of", "must be a collection of organization ids")
    return frozenset(value)


def _check_successors(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, frozenset):
        raise InvalidTypeError(attribute.name, "must be a frozenset of organization ids")
    for item in value:
        _organization_id(attribute.name, item)


@masked_repr
@attrs.frozen(kw_only=True)
class Issuer:
    """The organization that issues a certificate, and the people who sign for it.

    Attributes:
        organization_id: its unified social credit code (or ``G-…`` for an unregistered group).
        name: its name.
        responsible_person: its responsible person (负责人).
        handler: who handled the certificate (经办人).
        contact: a contact for verification; masked in ``repr``.
        successor_of: organizations whose records this one may certify because they merged
            into it or were dissolved under it ([GUIDE2015]).

    Example:
        >>> issuer = Issuer(organization_id="512111005000000154", name="盘锦市青年志愿者协会",
        ...     responsible_person="张伟", handler="李雷", contact="13812345678")
        >>> "13812345678" in repr(issuer)
        False
    """

    organization_id: str = attrs.field(validator=_check_org)
    name: str = attrs.field(validator=_check_text)
    responsible_person: str = attrs.field(validator=_check_text)
    handler: str = attrs.field(validator=_check_text)
    contact: str = attrs.field(validator=_check_text, repr=mask_contact)
    successor_of: frozenset[str] = attrs.field(
        default=frozenset(), converter=_frozen, validator=_check_successors
    )

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        # Hypothesis and IPython pretty-print attrs classes field by field, which would
        # bypass the masking repr: print the repr instead.
        printer.text(repr(self))

    def may_certify(self, organization_id: str) -> bool:
        """Whether records of ``organization_id`` are this issuer's to certify.

        Example:
            >>> issuer = Issuer(organization_id="512111005000000154", name="协会",
            ...     responsible_person="张伟", handler="李雷", contact="0427-1234567",
            ...     successor_of={"G-old-team"})
            >>> issuer.may_certify("G-old-team"), issuer.may_certify("G-other")
            (True, False)
        """
        return organization_id == self.organization_id or organization_id in self.successor_of
