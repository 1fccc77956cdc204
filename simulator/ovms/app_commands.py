"""What a simulated OVMS module does with a protocol v2 command, and how it answers.

Replies follow the documents, as the OVMS server's demo car gives them:
``<code>,0[,text]`` done, ``<code>,1,<reason>`` failed (texts of the v2
firmware), ``<code>,2`` a code no module knows, ``<code>,3`` a command this
vehicle type does not implement. Feature and parameter lists are one reply
per entry. The module changes the car at once; the change reaches apps as
the module's next messages.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from enum import Enum
from typing import Final

from ..vehicle import Vehicle
from . import firmware as fw
from .module import CarModule

COUNT: Final = 32  # entries in the feature and parameter lists
CLIMATE_TIME: Final = timedelta(minutes=15)
AWAKE_TIME: Final = timedelta(minutes=5)
CHARGE_MODES: Final = {0: "standard", 1: "storage", 3: "range", 4: "performance"}
UPDATE_COMMANDS: Final = ("server v2 update all", "server v2 update modified")
_FEATURE_CANWRITE: Final = 15
_PARAMETERS: Final = {2: "units", 4: "server", 8: "vehicle"}  # the parameters shown at all


class FollowUp(Enum):
    """What the module does after answering."""

    NOTHING = "nothing"
    SEND_ALL = "send_all"
    RESTART = "restart"


@dataclass
class Outcome:
    """The replies (after ``c<code>,``; ``execute`` adds the code) and what follows them."""

    replies: list[str]
    follow_up: FollowUp = FollowUp.NOTHING


class _RefusedError(Exception):
    """A command the module cannot carry out, with the reason it gives."""


@dataclass
class ModuleCommands:
    """A module's command handling and the settings commands change."""

    module: CarModule
    features: dict[int, str] = field(default_factory=dict)
    parameters: dict[int, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        """Start with the features and parameters a configured module has."""
        self.features = dict.fromkeys(range(COUNT), "0") | {_FEATURE_CANWRITE: "1"}
        settings = self.module.settings
        self.parameters = {2: settings.units, 4: "127.0.0.1", 8: self.module.vehicle.id}
        self._handlers: dict[int, Callable[[Vehicle, list[str]], Outcome]] = {
            fw.FEATURE_LIST: self._feature_list,
            fw.SET_FEATURE: self._set_feature,
            fw.PARAMETER_LIST: self._parameter_list,
            fw.SET_PARAMETER: self._set_parameter,
            fw.REBOOT: self._reboot,
            fw.CHARGE_ALERT: self._charge_alert,
            fw.SHELL: self._shell,
            fw.CHARGE_MODE: self._charge_mode,
            fw.CHARGE_START: self._start_charge,
            fw.CHARGE_STOP: self._stop_charge,
            fw.CHARGE_CURRENT: self._charge_current,
            fw.CHARGE_MODE_AND_CURRENT: self._mode_and_current,
            fw.WAKE_UP: self._wake_up,
            fw.WAKE_UP_TEMPERATURE: self._wake_up,
            fw.LOCK: self._pinned(lambda car: car.lock_remotely(True)),
            fw.UNLOCK: self._pinned(lambda car: car.lock_remotely(False)),
            fw.VALET_ON: self._pinned(lambda car: _set_valet(car, on=True)),
            fw.VALET_OFF: self._pinned(lambda car: _set_valet(car, on=False)),
            fw.HOMELINK: self._homelink,
            fw.CLIMATE: self._climate,
        }

    def execute(self, code: int, params: list[str]) -> Outcome:
        """Carry out ``C<code>,<params>`` on the car and say what the module answers."""
        if code not in fw.KNOWN:
            return Outcome([f"{code},2"])
        if code not in fw.commands_for(self.module.settings.vehicle_type):
            return Outcome([f"{code},3"])
        handler = self._handlers.get(code)
        if handler is None:
            return Outcome([f"{code},3"])
        try:
            outcome = handler(self.module.vehicle, params)
        except _RefusedError as refused:
            return Outcome([f"{code},1,{refused}"])
        except ValueError, IndexError:
            return Outcome([f"{code},1,Invalid syntax"])
        outcome.replies = [f"{code},{reply}" for reply in outcome.replies]
        return outcome

    # Module commands

    def _feature_list(self, _car: Vehicle, _params: list[str]) -> Outcome:
        return Outcome([f"0,{k},{COUNT},{self.features[k]}" for k in range(COUNT)])

    def _set_feature(self, _car: Vehicle, params: list[str]) -> Outcome:
        key = int(params[0])
        if key not in self.features:
            raise _RefusedError("Feature not supported by vehicle")
        self.features[key] = params[1] if len(params) > 1 else ""
        return Outcome(["0"])

    def _parameter_list(self, _car: Vehicle, _params: list[str]) -> Outcome:
        values = [self.parameters.get(k, "") for k in range(COUNT)]
        return Outcome([f"0,{k},{COUNT},{value}" for k, value in enumerate(values)])

    def _set_parameter(self, _car: Vehicle, params: list[str]) -> Outcome:
        key = int(params[0])
        if key not in _PARAMETERS:
            raise _RefusedError("Parameter key not supported")
        self.parameters[key] = params[1] if len(params) > 1 else ""
        return Outcome(["0"])

    def _reboot(self, _car: Vehicle, _params: list[str]) -> Outcome:
        return Outcome(["0,Module Rebooted"], FollowUp.RESTART)

    def _charge_alert(self, _car: Vehicle, _params: list[str]) -> Outcome:
        return Outcome(["0"])

    def _shell(self, _car: Vehicle, params: list[str]) -> Outcome:
        if ",".join(params).strip() in UPDATE_COMMANDS:
            text = "Server V2 data update for all metrics has been scheduled"
            return Outcome([f"0,{text}"], FollowUp.SEND_ALL)
        return Outcome(["0,Unrecognised command"])

    # Vehicle commands

    def _charge_mode(self, car: Vehicle, params: list[str]) -> Outcome:
        car.charge_mode = self._mode(int(params[0]))
        return Outcome(["0"])

    def _start_charge(self, car: Vehicle, _params: list[str]) -> Outcome:
        if not car.plugged:
            raise _RefusedError("Cannot charge (charge port closed)")
        if car.charge_paused:
            car.charge_paused = False
            car.charge_state = "charging"
        return Outcome(["0"])

    def _stop_charge(self, car: Vehicle, _params: list[str]) -> Outcome:
        if not car.charging:
            raise _RefusedError("Cannot stop charge (charge not in progress)")
        car.charge_paused = True
        car.charge_state = "stopped"
        car.charge_power_kw = 0.0
        return Outcome(["0"])

    def _charge_current(self, car: Vehicle, params: list[str]) -> Outcome:
        car.charge_current_limit = _amps(params[0])
        return Outcome(["0"])

    def _mode_and_current(self, car: Vehicle, params: list[str]) -> Outcome:
        mode, amps = self._mode(int(params[0])), _amps(params[1])
        car.charge_mode, car.charge_current_limit = mode, amps
        return Outcome(["0"])

    def _wake_up(self, car: Vehicle, _params: list[str]) -> Outcome:
        car.woken_until = car.time + AWAKE_TIME
        return Outcome(["0"])

    def _pinned(self, action: Callable[[Vehicle], None]) -> Callable[[Vehicle, list[str]], Outcome]:
        """Lock, unlock, valet on or off: carry out ``action`` when the PIN is right."""

        def handle(car: Vehicle, params: list[str]) -> Outcome:
            if ",".join(params) != self.module.settings.pin:
                raise _RefusedError("Invalid PIN")
            action(car)
            return Outcome(["0"])

        return handle

    def _homelink(self, car: Vehicle, params: list[str]) -> Outcome:
        button = int(params[0]) if params and params[0] else -1
        if button not in (0, 1, 2):
            raise _RefusedError("Homelink button out of range")
        if fw.CLIMATE in fw.BY_TYPE.get(self.module.settings.vehicle_type, ()):
            if button == 2:
                raise _RefusedError("Homelink button not mapped")
            _set_climate(car, on=button == 0)  # this car maps buttons 0 and 1 to climate
        return Outcome(["0"])

    def _climate(self, car: Vehicle, params: list[str]) -> Outcome:
        _set_climate(car, on=int(params[0]) != 0)
        return Outcome(["0"])

    # Helpers

    def _mode(self, number: int) -> str:
        if number not in CHARGE_MODES:
            raise _RefusedError("Parameter out of range")
        if self.module.settings.vehicle_type == "RT" and number > 1:
            number = 1  # a Twizy knows standard and storage only
        return CHARGE_MODES[number]


def _amps(text: str) -> int:
    amps = int(text)
    if not 1 <= amps <= 255:
        raise _RefusedError("Parameter out of range")
    return amps


def _set_climate(car: Vehicle, *, on: bool) -> None:
    car.climate_until = car.time + CLIMATE_TIME if on else None


def _set_valet(car: Vehicle, *, on: bool) -> None:
    car.valet = on
