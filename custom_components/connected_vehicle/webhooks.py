"""Command results pushed by the Stellantis cloud to a Home Assistant webhook of the entry."""

from __future__ import annotations

import logging

from aiohttp import web
from homeassistant.components import webhook
from homeassistant.const import CONF_WEBHOOK_ID
from homeassistant.core import HomeAssistant
from homeassistant.helpers.network import NoURLAvailableError

from .api.errors import ProtocolError
from .api.stellantis import StellantisClient
from .const import DOMAIN
from .coordinator import ConnectedVehicleConfigEntry

_LOGGER = logging.getLogger(__name__)


def callback_url(hass: HomeAssistant, entry: ConnectedVehicleConfigEntry) -> str | None:
    """The entry's webhook URL the cloud can post to, or None when Home Assistant has none.

    Without one, the client reads each command's status back instead.
    """
    try:
        return webhook.async_generate_url(hass, entry.data[CONF_WEBHOOK_ID], allow_ip=True)
    except NoURLAvailableError:
        _LOGGER.debug("No URL for the command webhook: command results are read back")
        return None


def register_results_webhook(
    hass: HomeAssistant, entry: ConnectedVehicleConfigEntry, client: StellantisClient
) -> None:
    """Hand every result posted to the entry's webhook to the client; removed on unload."""
    webhook_id = entry.data[CONF_WEBHOOK_ID]

    async def handle(_hass: HomeAssistant, _webhook_id: str, request: web.Request) -> web.Response:
        try:
            client.deliver(await request.json())
        except (ValueError, ProtocolError) as err:
            _LOGGER.debug("Ignored a webhook body that is not a command result: %s", err)
            return web.Response(status=400)
        return web.Response(status=200)

    webhook.async_register(hass, DOMAIN, entry.title, webhook_id, handle, allowed_methods=("POST",))
    entry.async_on_unload(lambda: webhook.async_unregister(hass, webhook_id))
