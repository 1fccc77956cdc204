"""What the glue must know of a back end: the Provider, and the parts providers share.

A provider holds everything about one back end that Home Assistant's side
needs: how the user signs in (a password, or OAuth2 at its authorization
servers), the forms it adds to the config flow, how its client is built, how
its cars are polled, its options, how its entries are told apart, what its
diagnostics must hide. The rest of the glue asks the entry's provider and
never branches on the back end.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta
import ipaddress
from typing import Any, ClassVar, Final, Literal

import aiohttp
from homeassistant.config_entries import ConfigEntry
from homeassistant.const import CONF_PASSWORD, CONF_USERNAME
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import section
from homeassistant.exceptions import ConfigEntryNotReady
from homeassistant.helpers.aiohttp_client import async_create_clientsession
from homeassistant.helpers.config_entry_oauth2_flow import (
    ImplementationUnavailableError,
    OAuth2Session,
    async_get_config_entry_implementation,
)
from homeassistant.helpers.selector import (
    TextSelector,
    TextSelectorConfig,
    TextSelectorType,
)
import probatio as vol
from yarl import URL

from ..api.backend import Backend, TokenProvider
from ..api.models import DataGroup, Vehicle
from ..const import (
    CONF_ACCOUNT,
    CONF_ACTIVE_INTERVAL,
    CONF_PARKED_INTERVAL,
    CONF_SERVER_URL,
    CONF_UNLOCK_PIN,
    DEFAULT_ACTIVE_INTERVAL,
    DEFAULT_PARKED_INTERVAL,
    DOMAIN,
)
from ..oauth import OAuthProvider, SessionTokens, bind
from ..polling import PollPlan, tiered_plan

PASSWORD_SELECTOR: Final = TextSelector(TextSelectorConfig(type=TextSelectorType.PASSWORD))
URL_SELECTOR: Final = TextSelector(TextSelectorConfig(type=TextSelectorType.URL))
# The config flow's OAuth2 sign-in, as a place in a provider's path of steps.
SIGN_IN: Final = "sign_in"
ADVANCED: Final = "advanced"
# Redaction keys every entry's diagnostics share.
COMMON_REDACTED: Final = frozenset(
    {
        CONF_ACCOUNT,
        CONF_SERVER_URL,
        CONF_UNLOCK_PIN,
        "cookie",
        "image_url",  # picture addresses carry the VIN on some clouds
        "token",
        "access_token",
        "refresh_token",
        "id_token",
        "unique_id",
        "title",
        "vin",
        "id",
        "name",
        "latitude",
        "longitude",
    }
)

type Data = Mapping[str, Any]


def normalized_server_url(url: str) -> str:
    """Scheme, host and port of a server URL, lower-cased, without a trailing slash.

    An address typed without a scheme (``ovms.example.com:6869``) means https.
    """
    text = url.strip()
    if "://" not in text:
        text = "https://" + text
    parsed = URL(text)
    return str(parsed.with_path("").with_query(None).with_fragment(None)).rstrip("/").lower()


def url_problem(url: str) -> str | None:
    """Why a server address cannot be used (a form error key), or None."""
    try:
        parsed = URL(normalized_server_url(url))
    except ValueError:
        return "invalid_url"
    if parsed.scheme not in ("http", "https") or not parsed.host:
        return "invalid_url"
    return None


def sends_password_in_clear(url: str) -> bool:
    """Whether a password sent to this server would cross a network unencrypted."""
    parsed = URL(normalized_server_url(url))
    if parsed.scheme != "http" or parsed.host is None:
        return False
    host = parsed.host
    try:
        return not ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host != "localhost"


def create_session(hass: HomeAssistant, *, auto_cleanup: bool = True) -> aiohttp.ClientSession:
    """A session of the entry's own that stores no cookies (clients keep sessions in memory)."""
    return async_create_clientsession(
        hass, auto_cleanup=auto_cleanup, cookie_jar=aiohttp.DummyCookieJar()
    )


def _no_placeholders(_data: Data) -> dict[str, str]:
    return {}


def _nothing_suggested(_data: Data) -> dict[str, Any]:
    return {}


@dataclass(frozen=True, kw_only=True)
class FormStep:
    """A form a provider adds to the config flow.

    ``apply`` merges the user's answer into the entry data gathered so far;
    ``suggested`` prefills the form from that data (reconfigure), and
    ``placeholders`` fills its description. ``check`` finds what is wrong with
    an answer before anything is sent (form errors by field), given the answer
    submitted before it, so a warning can be confirmed by submitting again.
    """

    step_id: str
    schema: vol.Schema
    apply: Callable[[Data, Data], dict[str, Any]]
    check: Callable[[Data, Data | None], dict[str, str]] | None = None
    suggested: Callable[[Data], dict[str, Any]] = _nothing_suggested
    placeholders: Callable[[Data], dict[str, str]] = _no_placeholders


# A provider's way through the config flow: its forms, and where the OAuth2 sign-in comes.
type FlowPath = tuple[FormStep | Literal["sign_in"], ...]


@dataclass(frozen=True, slots=True)
class OAuthAccess:
    """What an OAuth2 client needs: tokens, and the client id they were issued to."""

    tokens: TokenProvider
    client_id: str


class Provider(ABC):
    """One back end, as Home Assistant's side sees it."""

    kind: ClassVar[str]
    # The config flow's way for a new entry; its first form's step id is ``kind``.
    setup_path: ClassVar[FlowPath]
    reauth_path: ClassVar[FlowPath]
    reconfigure_path: ClassVar[FlowPath]
    # Multiples of the two polling intervals per group (back ends that count calls).
    call_tiers: ClassVar[Mapping[DataGroup, tuple[float, float]] | None] = None
    # Entry data and options its diagnostics must hide, on top of the common ones.
    redacted: ClassVar[frozenset[str]] = frozenset()
    # Wake-ups cost the car (or a monthly allowance): the options allow them, a few a day.
    limits_wake_ups: ClassVar[bool] = False
    # A lock or door reading stamped later though unchanged means the car reported
    # between two polls (someone was there); not so for a car that re-sends on a timer.
    stamps_tell_visits: ClassVar[bool] = True

    @abstractmethod
    def unique_id(self, data: Data, vehicles: list[Vehicle]) -> str:
        """The entry's unique id: one entry per account on one server."""

    @abstractmethod
    def title(self, data: Data, vehicles: list[Vehicle]) -> str:
        """The entry's title."""

    @abstractmethod
    def account(self, data: Data) -> str | None:
        """Who signed in, whatever the server (None when the back end does not say)."""

    @abstractmethod
    def maker(self, data: Data) -> str:
        """Who makes the account's cars or runs its service (the account device's maker)."""

    @abstractmethod
    def client(
        self,
        hass: HomeAssistant,
        session: aiohttp.ClientSession,
        data: Data,
        access: OAuthAccess | None,
        *,
        results_url: str | None = None,
    ) -> Backend:
        """The account's client; ``results_url`` is where it may have command results pushed."""

    async def async_client(
        self, hass: HomeAssistant, entry: ConfigEntry, *, results_url: str | None = None
    ) -> Backend:
        """The client of a loaded entry, on a session of its own."""
        return self.client(hass, create_session(hass), entry.data, None, results_url=results_url)

    def same_account(
        self, old: Data, new: Data, old_cars: frozenset[str], new_cars: frozenset[str]
    ) -> bool:
        """Whether new settings reach the account of an entry (reauth, reconfigure).

        An account the back end names must be the same one; one it does not name
        is told by its cars.
        """
        account = self.account(new)
        if account is not None or self.account(old) is not None:
            return account == self.account(old)
        return not old_cars or old_cars == new_cars

    def plan(self, options: Data, vehicle: Vehicle) -> PollPlan:
        """The polling plan of one car, from the entry's options."""
        active = timedelta(seconds=options.get(CONF_ACTIVE_INTERVAL, DEFAULT_ACTIVE_INTERVAL))
        parked = parked_interval(options)
        return tiered_plan(vehicle.capabilities, active, parked, self.call_tiers)

    def option_fields(self) -> dict[vol.Marker, Any]:
        """Options beyond the polling intervals."""
        return {}

    def clean_options(self, user_input: Data) -> dict[str, Any]:
        """This provider's options from the options form, tidied."""
        return {}

    def new_entry_data(self) -> dict[str, Any]:
        """Data a new entry gets besides what the flow gathered."""
        return {}

    def credential_placeholders(self) -> dict[str, str]:
        """Description placeholders of the application credentials dialog."""
        return {}


# --- Password sign-in ------------------------------------------------------------------


def _with_password(data: Data, answer: Data) -> dict[str, Any]:
    return {**data, CONF_PASSWORD: answer[CONF_PASSWORD]}


def _account_placeholders(data: Data) -> dict[str, str]:
    return {CONF_USERNAME: str(data[CONF_USERNAME]), CONF_SERVER_URL: str(data[CONF_SERVER_URL])}


REAUTH_PASSWORD: Final = FormStep(
    step_id="reauth_password",
    schema=vol.Schema({vol.Required(CONF_PASSWORD): PASSWORD_SELECTOR}),
    apply=_with_password,
    placeholders=_account_placeholders,
)


class PasswordProvider(Provider):
    """A back end the user signs in to with a username and password (or token)."""

    reauth_path: ClassVar[FlowPath] = (REAUTH_PASSWORD,)


# --- OAuth2 sign-in --------------------------------------------------------------------


def _unchanged(data: Data, _answer: Data) -> dict[str, Any]:
    return dict(data)


REAUTH_SIGN_IN: Final = FormStep(step_id="reauth_sign_in", schema=vol.Schema({}), apply=_unchanged)


class OAuth2Provider(Provider):
    """A back end the user signs in to through Home Assistant's OAuth2 flow."""

    reauth_path: ClassVar[FlowPath] = (REAUTH_SIGN_IN, SIGN_IN)

    @abstractmethod
    def oauth_provider(self, data: Data) -> OAuthProvider:
        """The authorization server of an entry's (or a flow's) account, and what to ask it."""

    @abstractmethod
    def brand(self, data: Data) -> tuple[str, str]:
        """The code and name of the brand an account belongs to (``volvo``, ``Volvo``)."""

    def unique_id(self, data: Data, vehicles: list[Vehicle]) -> str:
        """One entry per signed-in account on one server.

        A provider that gives no ID token is told apart by the account's cars.
        """
        account = self.account(data) or ",".join(sorted(v.id for v in vehicles))
        return f"{self.brand(data)[0]}:{account}@{data[CONF_SERVER_URL]}"

    def maker(self, data: Data) -> str:
        """The brand."""
        return self.brand(data)[1]

    def title(self, data: Data, vehicles: list[Vehicle]) -> str:
        """The car's name when there is one car, else the brand and how many cars."""
        brand = self.brand(data)[1]
        if len(vehicles) == 1:
            name = vehicles[0].name
            return name if name.startswith(brand) else f"{brand} {name}"
        return f"{brand} ({len(vehicles)} cars)"

    def account(self, data: Data) -> str | None:
        """The signed-in account's id (the ID token's subject), if the provider gave one."""
        account = data.get(CONF_ACCOUNT)
        return str(account) if account else None

    async def async_access(self, hass: HomeAssistant, entry: ConfigEntry) -> OAuthAccess:
        """The OAuth2 access of an entry: its credential bound to its provider."""
        try:
            credential = await async_get_config_entry_implementation(hass, entry)
        except ImplementationUnavailableError as err:
            raise ConfigEntryNotReady(
                translation_domain=DOMAIN, translation_key="credentials_unavailable"
            ) from err
        implementation = bind(hass, credential, self.oauth_provider(entry.data))
        tokens = SessionTokens(OAuth2Session(hass, entry, implementation))
        return OAuthAccess(tokens, implementation.client_id)

    async def async_client(
        self, hass: HomeAssistant, entry: ConfigEntry, *, results_url: str | None = None
    ) -> Backend:
        """The client of a loaded entry, signed in through the entry's OAuth2 session."""
        access = await self.async_access(hass, entry)
        return self.client(hass, create_session(hass), entry.data, access, results_url=results_url)


def parked_interval(options: Data) -> timedelta:
    """The entry's parked interval (its options, or the default)."""
    return timedelta(seconds=options.get(CONF_PARKED_INTERVAL, DEFAULT_PARKED_INTERVAL))


def unlock_pin_field() -> dict[vol.Marker, Any]:
    """The optional PIN that unlocking a car from Home Assistant then asks for."""
    return {vol.Optional(CONF_UNLOCK_PIN): PASSWORD_SELECTOR}


def unlock_pin_option(user_input: Data) -> dict[str, Any]:
    """The unlock PIN, stripped; an empty one means none."""
    pin = str(user_input.get(CONF_UNLOCK_PIN) or "").strip()
    return {CONF_UNLOCK_PIN: pin} if pin else {}


def server_section(default_url: str) -> dict[vol.Marker, Any]:
    """The server setting, in a collapsed section (only a test server changes it)."""
    return {
        vol.Required(ADVANCED): section(
            vol.Schema({vol.Required(CONF_SERVER_URL, default=default_url): URL_SELECTOR}),
            {"collapsed": True},
        )
    }


def server_from_section(answer: Data) -> str:
    """The server URL a form's collapsed section holds, tidied."""
    return normalized_server_url(answer[ADVANCED][CONF_SERVER_URL])
