"""The service catalog: community services, their durations and the rate per category.

**The one rounding rule**: the price of a redemption is ``duration × quantity × rate``
computed exactly, then rounded half up to whole minutes, once per transfer (never per unit or
per line).

Example:
    >>> from volunteer_rules.timebank.catalog import default_catalog
    >>> default_catalog().price("home_visit", 3).minutes
    180
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import attrs

from volunteer_rules._privacy import masked_repr
from volunteer_rules._validate import instance_of
from volunteer_rules.errors import (
    InvalidTypeError,
    InvalidValueError,
    NotFoundError,
)
from volunteer_rules.hours import Hours

__all__ = [
    "CatalogService",
    "ServiceCatalog",
    "default_catalog",
]


def _positive_hours(instance: object, attribute: Any, value: Any) -> None:
    if not isinstance(value, Hours) or value.minutes <= 0:
        raise InvalidValueError(attribute.name, "must be positive Hours")


@masked_repr
@attrs.frozen(kw_only=True)
class CatalogService:
    """A community service that hours can buy.

    Attributes:
        service_id: stable id. name: English name. name_zh: Chinese name.
        category: a service category code (:data:`~volunteer_rules.SERVICE_CATEGORIES` or the
            integrator's own).
        duration: the time of service one unit delivers.

    Example:
        >>> CatalogService(service_id="visit", name="Home visit", name_zh="上门探访",
        ...                category="elderly_and_disabled", duration=Hours.from_hours(1)).duration
        Hours(minutes=60)
    """

    service_id: str = attrs.field(validator=instance_of(str))
    name: str = attrs.field(validator=instance_of(str))
    name_zh: str = attrs.field(validator=instance_of(str))
    category: str = attrs.field(validator=instance_of(str))
    duration: Hours = attrs.field(validator=_positive_hours)


def _check_rates(instance: object, attribute: Any, value: Any) -> None:
    if not isinstance(value, tuple):
        raise InvalidTypeError("rates", "must be a tuple of (category, Fraction) pairs")
    for pair in value:
        if not (
            isinstance(pair, tuple)
            and len(pair) == 2
            and isinstance(pair[0], str)
            and isinstance(pair[1], Fraction)
            and pair[1] > 0
        ):
            raise InvalidValueError(
                "rates", f"{pair!r} is not a (category, positive Fraction) pair"
            )


@masked_repr
@attrs.frozen(kw_only=True)
class ServiceCatalog:
    """Community services priced in hours, with an exact rate per service category.

    Attributes:
        services: the services (ids distinct).
        rates: ``(category, Fraction)`` pairs: hours debited per hour of service; a category
            not listed has rate 1 (hour for hour, 等时等量).

    The one rounding rule: :meth:`price` computes ``duration × quantity × rate`` exactly and
    rounds half up to whole minutes once, for the whole transfer.

    Example:
        >>> catalog = default_catalog()
        >>> catalog.price("home_visit", 3), catalog.rate("health")
        (Hours(minutes=180), Fraction(1, 1))
    """

    services: tuple[CatalogService, ...] = attrs.field()
    rates: tuple[tuple[str, Fraction], ...] = attrs.field(default=(), validator=_check_rates)

    @services.validator
    def _check_services(self, attribute: Any, value: Any) -> None:
        if not isinstance(value, tuple) or not all(isinstance(s, CatalogService) for s in value):
            raise InvalidTypeError("services", "must be a tuple of CatalogService")
        ids = [s.service_id for s in value]
        if len(set(ids)) != len(ids):
            raise InvalidValueError("services", "service ids must be distinct")

    def service(self, service_id: str) -> CatalogService:
        """The service with this id.

        Raises:
            NotFoundError: no such service.

        Example:
            >>> default_catalog().service("meal_delivery").category
            'elderly_and_disabled'
        """
        for service in self.services:
            if service.service_id == service_id:
                return service
        raise NotFoundError(str(service_id), f"no service {service_id!r} in the catalog")

    def rate(self, category: str) -> Fraction:
        """Hours debited per hour of service in ``category`` (1 when not listed).

        Example:
            >>> ServiceCatalog(services=(), rates=(("health", Fraction(3, 2)),)).rate("health")
            Fraction(3, 2)
        """
        for name, rate in self.rates:
            if name == category:
                return rate
        return Fraction(1)

    def price(self, service_id: str, quantity: int = 1) -> Hours:
        """The hours ``quantity`` units of a service cost: one rounding, half up, per transfer.

        Raises:
            NotFoundError: no such service. InvalidValueError: ``quantity`` is not a positive int.

        Example:
            >>> svc = CatalogService(service_id="x", name="x", name_zh="x", category="health",
            ...                      duration=Hours.from_minutes(25))
            >>> ServiceCatalog(services=(svc,), rates=(("health", Fraction(1, 2)),)).price("x", 1)
            Hours(minutes=13)
        """
        if type(quantity) is not int or quantity <= 0:
            raise InvalidValueError("quantity", "must be a positive int")
        service = self.service(service_id)
        exact = Fraction(service.duration.minutes * quantity) * self.rate(service.category)
        return Hours.from_minutes(int((exact + Fraction(1, 2)).__floor__()))


def default_catalog() -> ServiceCatalog:
    """A small example catalog of elder-care community services, all hour for hour.

    Example:
        >>> [s.service_id for s in default_catalog().services]
        ['home_visit', 'meal_delivery', 'escort_to_hospital', 'housekeeping']
    """
    return ServiceCatalog(
        services=(
            CatalogService(
                service_id="home_visit",
                name="Home visit and company",
                name_zh="上门探访陪伴",
                category="elderly_and_disabled",
                duration=Hours.from_hours(1),
            ),
            CatalogService(
                service_id="meal_delivery",
                name="Meal delivery",
                name_zh="助餐送餐",
                category="elderly_and_disabled",
                duration=Hours.from_minutes(30),
            ),
            CatalogService(
                service_id="escort_to_hospital",
                name="Escort to hospital",
                name_zh="陪同就医",
                category="health",
                duration=Hours.from_hours(2),
            ),
            CatalogService(
                service_id="housekeeping",
                name="Housekeeping help",
                name_zh="家政帮扶",
                category="community_service",
                duration=Hours.from_hours(1),
            ),
        )
    )
