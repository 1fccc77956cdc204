"""Recording the states an entity takes, to check what a user saw in between."""

from __future__ import annotations

from collections.abc import Callable

from homeassistant.core import Event, EventStateChangedData, HomeAssistant, callback


def record_states(hass: HomeAssistant, entity_id: str) -> tuple[list[str], Callable[[], None]]:
    """Every state an entity takes from now on, and how to stop recording.

    The listener is a callback, so it records on the event loop as each state is written
    (a plain function would run in the executor and could lag behind the service call).
    """
    seen: list[str] = []

    @callback
    def record(event: Event[EventStateChangedData]) -> None:
        if event.data["entity_id"] == entity_id and event.data["new_state"] is not None:
            seen.append(event.data["new_state"].state)

    return seen, hass.bus.async_listen("state_changed", record)
