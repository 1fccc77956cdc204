"""Command results a back end's cloud pushes to a Home Assistant webhook of the entry."""

from __future__ import annotations

import json
import logging

from aiohttp import web
from homeassistant.components import webhook
from homeassistant.const import CONF_WEBHOOK_ID
from homeassistant.core import HomeAssistant
from homeassistant.helpers.network import NoURLAvailableError

from .api.backend import Backend, PushesCommandResults
from .api.errors import ProtocolError
from .const import DOMAIN
from .coordinator import ConnectedVehicleConfigEntry

_LOGGER = logging.getLogger(__name__)
# A command result is a few hundred bytes; anything far larger is not one.
MAX_BODY = 64 * 1024


def results_url(hass: HomeAssistant, entry: ConnectedVehicleConfigEntry) -> str | None:
    """The entry's webhook URL the cloud can post to; None without a webhook or a URL.

    Without one, the client reads each command's status back instead.
    """
    if CONF_WEBHOOK_ID not in entry.data:
        return None
    try:
        return webhook.async_generate_url(hass, entry.data[CONF_WEBHOOK_ID], allow_ip=True)
    except NoURLAvailableError:
        _LOGGER.debug("No URL for the command webhook: command results are read back")
        return None


def listen_for_results(
    hass: HomeAssistant, entry: ConnectedVehicleConfigEntry, backend: Backend
) -> None:
    """Hand every body posted to the entry's webhook to the client; removed on unload.

    Called when ``results_url`` gave the client an address to name.
    """
    if not isinstance(backend, PushesCommandResults):
        return
    webhook_id = entry.data[CONF_WEBHOOK_ID]

    async def handle(_hass: HomeAssistant, _webhook_id: str, request: web.Request) -> web.Response:
        body = await request.content.read(MAX_BODY + 1)
        if len(body) > MAX_BODY:
            _LOGGER.debug("Ignored a webhook body of more than %s bytes", MAX_BODY)
            return web.Response(status=413)
        try:
            backend.deliver(json.loads(body))
        except (ValueError, RecursionError, ProtocolError) as err:
            _LOGGER.debug("Ignored a webhook body that is not a command result: %s", err)
            return web.Response(status=400)
        return web.Response(status=200)

    webhook.async_register(hass, DOMAIN, entry.title, webhook_id, handle, allowed_methods=("POST",))
    entry.async_on_unload(lambda: webhook.async_unregister(hass, webhook_id))
