"""Assist: the car sentences Home Assistant's own ones miss ("lock the XC40").

Home Assistant's sentences name an entity ("lock the XC40 Lock"); people name
the car. So the integration teaches Assist a few English sentences that name
the car (its device name, or its model without the brand): lock and unlock
it, ask whether it is locked and how full its battery is, start and stop its
climatization. The car names are written into the
sentences themselves (no wildcard), so they never catch another integration's
"lock the front door". A sentence acts only on entities exposed to Assist,
and unlocking is refused where an unlock PIN is set (a spoken PIN would be
heard by anyone near).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
import logging
import re
from typing import TYPE_CHECKING, Any, Final

from homeassistant.components.homeassistant.exposed_entities import async_should_expose
from homeassistant.const import EVENT_COMPONENT_LOADED
from homeassistant.core import CALLBACK_TYPE, Event, HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import entity_registry as er
from homeassistant.setup import EventComponentLoaded
from homeassistant.util.hass_dict import HassKey

from .api import readings
from .climate import CLIMATE
from .const import CONF_UNLOCK_PIN, DOMAIN
from .coordinator import ConnectedVehicleConfigEntry
from .entity import entity_unique_id
from .lock import LOCK
from .sensor import SENSORS

if TYPE_CHECKING:
    from homeassistant.components.conversation import ConversationInput

_LOGGER = logging.getLogger(__name__)

ASSISTANT: Final = "conversation"
_REGISTERED: HassKey[CALLBACK_TYPE] = HassKey(f"{DOMAIN}_voice")
BATTERY: Final = next(d for d in SENSORS if d.key == readings.BATTERY_LEVEL)
_CLIMATE_WORDS: Final = "(climatization|climatisation|climate|preconditioning|heating)"


@dataclass(frozen=True, slots=True)
class Car:
    """A car Assist can name, and its entities the sentences use (where it has them)."""

    names: tuple[str, ...]
    lock: str | None
    climate: str | None
    battery: str | None
    pin: bool


@dataclass(frozen=True, slots=True)
class Sentence:
    """A sentence template ({car}: one of the cars' names) and what it does."""

    templates: tuple[str, ...]
    act: Callable[[HomeAssistant, Car], Awaitable[str]]


async def _lock(hass: HomeAssistant, car: Car) -> str:
    return await _call(hass, "lock", "lock", car.lock, f"Locking the {car.names[0]}")


async def _unlock(hass: HomeAssistant, car: Car) -> str:
    if car.pin:
        return f"The {car.names[0]} has an unlock PIN: unlock it with its code in Home Assistant"
    return await _call(hass, "lock", "unlock", car.lock, f"Unlocking the {car.names[0]}")


async def _climate_on(hass: HomeAssistant, car: Car) -> str:
    name = car.names[0]
    return await _call(hass, "climate", "turn_on", car.climate, f"Climatizing the {name}")


async def _climate_off(hass: HomeAssistant, car: Car) -> str:
    name = car.names[0]
    return await _call(hass, "climate", "turn_off", car.climate, f"Stopped climatizing the {name}")


async def _is_locked(hass: HomeAssistant, car: Car) -> str:
    state = hass.states.get(car.lock) if car.lock else None
    if state is None or not async_should_expose(hass, ASSISTANT, state.entity_id):
        return "That car does not offer this to Assist"
    return f"The {car.names[0]} is {state.state}"


async def _battery(hass: HomeAssistant, car: Car) -> str:
    state = hass.states.get(car.battery) if car.battery else None
    if state is None or not async_should_expose(hass, ASSISTANT, state.entity_id):
        return "That car does not offer this to Assist"
    try:
        level = f"{float(state.state):.0f} %"
    except ValueError:
        level = state.state
    return f"The {car.names[0]} battery is at {level}"


SENTENCES: Final = (
    Sentence(("is [the] {car} locked", "is [the] {car} unlocked"), _is_locked),
    Sentence(
        (
            "(what is|what's|how much is) [the] {car} battery [level|charge]",
            "how (full|charged) is [the] {car}",
        ),
        _battery,
    ),
    Sentence(("lock [the] {car}",), _lock),
    Sentence(("unlock [the] {car}",), _unlock),
    Sentence(
        (
            f"(start|turn on) [the] {_CLIMATE_WORDS} (of|in|for) [the] {{car}}",
            "(precondition|climatize|climatise) [the] {car}",
        ),
        _climate_on,
    ),
    Sentence((f"(stop|turn off) [the] {_CLIMATE_WORDS} (of|in|for) [the] {{car}}",), _climate_off),
)


async def _call(
    hass: HomeAssistant, domain: str, service: str, entity_id: str | None, done: str
) -> str:
    """Run the action on the car's entity; the answer says how it went."""
    if entity_id is None or not async_should_expose(hass, ASSISTANT, entity_id):
        return "That car does not offer this to Assist"
    try:
        await hass.services.async_call(domain, service, {"entity_id": entity_id}, blocking=True)
    except HomeAssistantError as err:
        return f"That did not work: {err}"
    return done


def cars(hass: HomeAssistant, leaving: str | None = None) -> list[Car]:
    """Every loaded car of the integration (but the ``leaving`` entry's), named as heard."""
    registry = er.async_get(hass)
    found = []
    entries: Iterable[ConnectedVehicleConfigEntry] = hass.config_entries.async_loaded_entries(
        DOMAIN
    )
    for entry in entries:
        if entry.entry_id == leaving:
            continue
        pin = bool(entry.options.get(CONF_UNLOCK_PIN))
        for coordinator in entry.runtime_data.coordinators.values():
            vehicle = coordinator.vehicle
            names = _spoken_names(vehicle.name, vehicle.brand)
            lock = registry.async_get_entity_id(
                "lock", DOMAIN, entity_unique_id(entry, vehicle, LOCK)
            )
            climate = registry.async_get_entity_id(
                "climate", DOMAIN, entity_unique_id(entry, vehicle, CLIMATE)
            )
            battery = registry.async_get_entity_id(
                "sensor", DOMAIN, entity_unique_id(entry, vehicle, BATTERY)
            )
            if names:
                found.append(Car(names, lock, climate, battery, pin))
    return found


def _spoken_names(name: str, brand: str | None) -> tuple[str, ...]:
    """The car's name, and without its brand ("Peugeot e-208", "e-208"), as sentence text."""
    spoken = [name]
    if brand and name.lower().startswith(brand.lower() + " "):
        spoken.append(name[len(brand) + 1 :])
    return tuple(clean for n in spoken if (clean := re.sub(r"[^\w\- ]", " ", n).strip()))


@callback
def async_follow_assist(hass: HomeAssistant) -> None:
    """Teach the sentences again when Assist is set up after the cars."""

    @callback
    def loaded(event: Event[EventComponentLoaded]) -> None:
        if event.data["component"] == ASSISTANT:
            async_update_sentences(hass)

    hass.bus.async_listen(EVENT_COMPONENT_LOADED, loaded)


@callback
def async_update_sentences(hass: HomeAssistant, leaving: str | None = None) -> None:
    """Teach Assist the sentences for the cars loaded now (``leaving``: an entry unloading)."""
    if (unregister := hass.data.pop(_REGISTERED, None)) is not None:
        unregister()
    if ASSISTANT not in hass.config.components:
        return
    known = cars(hass, leaving)
    if not known:
        return
    # Imported only once Assist is loaded: its sentence matcher is Assist's requirement, not ours.
    from homeassistant.components.conversation.agent_manager import (  # noqa: PLC0415
        get_agent_manager,
    )

    manager = get_agent_manager(hass)
    alternatives = "(" + "|".join(sorted({n for car in known for n in car.names})) + ")"
    removers = [
        manager.register_trigger(
            [template.replace("{car}", alternatives) for template in sentence.templates],
            _handler(hass, sentence, known),
        )
        for sentence in SENTENCES
    ]

    @callback
    def unregister_all() -> None:
        for remove in removers:
            remove()

    hass.data[_REGISTERED] = unregister_all


def _handler(
    hass: HomeAssistant, sentence: Sentence, known: list[Car]
) -> Callable[[ConversationInput, Any], Awaitable[str | None]]:
    async def handle(user_input: ConversationInput, _result: Any) -> str | None:
        car = _heard_car(user_input.text, known)
        return None if car is None else await sentence.act(hass, car)

    return handle


def _heard_car(text: str, known: list[Car]) -> Car | None:
    """The car whose longest name the sentence holds."""
    spoken = " " + re.sub(r"[^\w\- ]", " ", text).lower() + " "
    matches = [
        (len(name), car) for car in known for name in car.names if f" {name.lower()} " in spoken
    ]
    return max(matches, key=lambda match: match[0])[1] if matches else None
