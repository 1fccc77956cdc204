"""Car pictures drawn per model and colour, served from the simulator's own origin.

The real clouds point at their vendors' image servers; a simulated car points
here instead, so neither the tests nor the demo ever fetch from a vendor host.
Each picture is an SVG side view: a body shape per kind of car (hatchback, SUV,
estate, ...), painted in the car's colour.
"""

from __future__ import annotations

from dataclasses import dataclass
import re
from typing import Final
from urllib.parse import quote

from aiohttp import web

from .responses import text

PATH: Final = "/pictures/{model}.svg"
_WIDTH: Final = 800
_HEIGHT: Final = 450
_GROUND: Final = 335.0  # room below for a dashboard's overlay
_FIT_WIDTH: Final = 640.0
_FIT_HEIGHT: Final = 250.0


@dataclass(frozen=True)
class Body:
    """The side-view proportions of one kind of car, in metres (front on the left)."""

    length: float
    height: float  # ground to roof
    wheelbase: float
    front_axle: float  # front bumper to the front axle
    wheel: float  # tyre radius
    clearance: float  # ground to sill
    nose: float  # ground to the top of the front bumper
    belt: float  # ground to the window line
    bonnet: float  # front bumper to the foot of the windscreen
    screen: float  # the windscreen's run, foot to top
    tail: float  # rear bumper to where the roof ends
    tail_top: float  # ground to the top of the rear (hatch, boot lid or tailgate)
    window_back: float  # rear bumper to where the side windows meet the window line
    cladding: bool = False  # dark plastic arches and sills (SUVs)


BODIES: Final = {
    "microcar": Body(2.34, 1.45, 1.69, 0.33, 0.27, 0.18, 0.62, 0.82, 0.16, 0.62, 0.12, 1.05, 0.35),
    "hatchback": Body(4.06, 1.45, 2.54, 0.82, 0.31, 0.15, 0.68, 0.94, 0.98, 0.78, 0.55, 1.02, 0.72),
    "compact_suv": Body(
        4.43, 1.65, 2.70, 0.88, 0.35, 0.22, 0.84, 1.1, 1.08, 0.72, 0.26, 1.2, 0.55, cladding=True
    ),
    "suv": Body(
        4.70, 1.66, 2.87, 0.92, 0.36, 0.22, 0.86, 1.1, 1.18, 0.76, 0.24, 1.2, 0.55, cladding=True
    ),
    "large_suv": Body(
        4.95, 1.78, 2.98, 0.95, 0.37, 0.23, 0.9, 1.16, 1.2, 0.78, 0.18, 1.3, 0.45, cladding=True
    ),
    "estate": Body(4.94, 1.48, 2.94, 0.92, 0.34, 0.16, 0.7, 0.96, 1.3, 0.86, 0.16, 1.08, 0.42),
    "van": Body(4.40, 1.84, 2.78, 0.82, 0.32, 0.2, 0.8, 1.06, 0.78, 0.62, 0.06, 1.75, 0.5),
}

# The model (as the clouds name it, lower case) -> the kind of car, and its usual colour.
MODELS: Final = {
    "xc40": ("compact_suv", "sage-green"),
    "ex30": ("compact_suv", "onyx-black"),
    "xc60": ("suv", "denim-blue"),
    "xc90": ("large_suv", "crystal-white"),
    "v60": ("estate", "silver"),
    "v90": ("estate", "pebble-grey"),
    "208": ("hatchback", "vertigo-blue"),
    "e-208": ("hatchback", "vertigo-blue"),
    "308": ("hatchback", "elixir-red"),
    "2008": ("compact_suv", "okenite-white"),
    "e-2008": ("compact_suv", "okenite-white"),
    "3008": ("suv", "selenium-grey"),
    "5008": ("large_suv", "pearl-black"),
    "partner": ("van", "okenite-white"),
    "expert": ("van", "okenite-white"),
    "corsa": ("hatchback", "voltage-yellow"),
    "leaf": ("hatchback", "pearl-white"),
    "zoe": ("hatchback", "denim-blue"),
    "twizy": ("microcar", "crystal-white"),
    "kona": ("compact_suv", "passion-red"),
}

# Paint, by the colour's name in lower case with dashes ("Sage Green" -> sage-green).
COLOURS: Final = {
    "sage-green": "#7a9079",
    "denim-blue": "#3f5873",
    "pebble-grey": "#8e9193",
    "passion-red": "#a3161c",
    "crystal-white": "#e9e9e6",
    "onyx-black": "#24262a",
    "silver": "#b9bcbf",
    "vertigo-blue": "#1f4fa3",
    "elixir-red": "#8e1a26",
    "selenium-grey": "#5e6265",
    "okenite-white": "#ecebe6",
    "voltage-yellow": "#e4c21c",
    "pearl-black": "#1c1d20",
    "pearl-white": "#e6e4dd",
}
_UNKNOWN: Final = ("hatchback", "silver")


def slug(name: str) -> str:
    """A model or colour name as it appears in a picture URL ("Sage Green" -> "sage-green")."""
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def _model(name: str) -> tuple[str, str]:
    """A model's kind and usual colour: by its name, then its first word, else a silver hatch."""
    key = slug(name)
    return MODELS.get(key) or MODELS.get(key.split("-")[0]) or _UNKNOWN


def body_of(model: str) -> Body:
    """The kind of car a model is."""
    return BODIES[_model(model)[0]]


def picture_url(origin: str, model: str, colour: str | None) -> str:
    """Where the simulator at ``origin`` serves a picture of the model in that colour."""
    url = origin.rstrip("/") + PATH.format(model=quote(slug(model)))
    return f"{url}?colour={slug(colour)}" if colour else url


def register(app: web.Application) -> None:
    """Serve the pictures at ``/pictures/<model>.svg?colour=<colour>`` (default: its usual)."""
    app.router.add_get(PATH, _picture)


async def _picture(request: web.Request) -> web.StreamResponse:
    kind, usual = _model(request.match_info["model"])
    colour = slug(request.query.get("colour", usual))
    paint = COLOURS.get(colour)
    if paint is None:
        return text(404, f"no such colour: {colour}\n")
    svg = draw(BODIES[kind], paint)
    return text(200, svg, content_type="image/svg+xml", headers={"Cache-Control": "max-age=3600"})


# --- Drawing --------------------------------------------------------------------------


def _shade(paint: str, amount: float) -> str:
    """Lighten (amount > 0) or darken (amount < 0) a #rrggbb colour."""
    channels = [int(paint[i : i + 2], 16) for i in (1, 3, 5)]
    target = 255 if amount > 0 else 0
    mixed = (round(c + (target - c) * abs(amount)) for c in channels)
    return "#" + "".join(f"{c:02x}" for c in mixed)


def _tag(name: str, **attributes: object) -> str:
    """An empty SVG element; ``stroke_width`` is written ``stroke-width``."""
    pairs = " ".join(
        f'{key.replace("_", "-")}="{value:.1f}"'
        if isinstance(value, float)
        else f'{key.replace("_", "-")}="{value}"'
        for key, value in attributes.items()
    )
    return f"<{name} {pairs}/>"


class _Frame:
    """A body placed on the picture: metres along the car and above the ground -> pixels."""

    def __init__(self, body: Body) -> None:
        self.scale = min(_FIT_WIDTH / body.length, _FIT_HEIGHT / body.height)
        self.left = (_WIDTH - body.length * self.scale) / 2

    def x(self, metres: float) -> float:
        """Picture x of a point ``metres`` behind the front bumper."""
        return self.left + metres * self.scale

    def y(self, metres: float) -> float:
        """Picture y of a point ``metres`` above the ground."""
        return _GROUND - metres * self.scale

    def d(self, *steps: tuple[str, tuple[float, ...]]) -> str:
        """Path data from (command, along, up, along, up, ...) steps in metres."""
        out = []
        for command, numbers in steps:
            pairs = zip(numbers[::2], numbers[1::2], strict=True)
            out.append(command + " ".join(f"{self.x(a):.1f},{self.y(u):.1f}" for a, u in pairs))
        return " ".join(out)


def _outline(b: Body, at: _Frame) -> str:
    """The body's silhouette, clockwise from the front of the sill, wheel arches cut out."""
    arch = b.wheel + 0.07
    rear_axle = b.front_axle + b.wheelbase
    roof_front, roof_rear = b.bonnet + b.screen, b.length - b.tail
    sill, end, top = b.clearance, b.length, b.height
    radius = f"A{arch * at.scale:.1f},{arch * at.scale:.1f} 0 0 0 "
    hatch = b.tail_top + (top - b.tail_top) * 0.3
    return " ".join(
        (
            at.d(("M", (0.2, sill))),
            at.d(("C", (0.04, sill + 0.02, -0.01, b.nose - 0.25, 0.01, b.nose - 0.08))),
            at.d(("C", (0.02, b.nose, 0.08, b.nose + 0.02, 0.2, b.nose + 0.03))),
            at.d(("C", (b.bonnet * 0.6, b.belt - 0.02, b.bonnet * 0.9, b.belt + 0.03))),
            at.d(("", (b.bonnet, b.belt + 0.05))),
            at.d(("C", (b.bonnet + b.screen * 0.5, top - 0.12, roof_front - 0.12, top))),
            at.d(("", (roof_front + 0.1, top))),
            at.d(("C", ((roof_front + roof_rear) / 2, top + 0.015, roof_rear - 0.2, top))),
            at.d(("", (roof_rear, top - 0.03))),
            at.d(("C", (roof_rear + b.tail * 0.35, top - 0.05, end - b.tail * 0.12, hatch))),
            at.d(("", (end - 0.01, b.tail_top))),
            at.d(("C", (end + 0.02, b.tail_top - 0.2, end + 0.01, sill + 0.2))),
            at.d(("", (end - 0.02, sill + 0.06))),
            at.d(("C", (end - 0.04, sill, end - 0.1, sill, end - 0.16, sill))),
            at.d(("L", (rear_axle + arch, sill))),
            radius + at.d(("", (rear_axle - arch, sill))),
            at.d(("L", (b.front_axle + arch, sill))),
            radius + at.d(("", (b.front_axle - arch, sill))),
            "Z",
        )
    )


def _windows(b: Body, at: _Frame) -> tuple[str, float]:
    """The side windows as one shape, and where the pillar between the doors stands."""
    top = b.height - 0.07
    foot = b.bonnet + 0.1
    roof_front = b.bonnet + b.screen
    back = b.length - b.window_back
    roof_rear = min(b.length - b.tail - 0.1, back + 0.02)
    path = at.d(
        ("M", (foot, b.belt)),
        ("C", (foot + b.screen * 0.45, top - 0.12, roof_front - 0.1, top, roof_front + 0.08, top)),
        ("L", (roof_rear - 0.14, top - 0.01)),
        ("C", (roof_rear - 0.02, top - 0.02, back - 0.02, b.belt + 0.1, back, b.belt)),
    )
    return path + " Z", foot + (back - foot) * 0.5


def _wheel(cx: float, cy: float, radius: float) -> str:
    """A tyre, a five-spoke rim and its hub."""
    spokes = (
        _tag(
            "rect",
            x=cx - radius * 0.09,
            y=cy - radius * 0.62,
            width=radius * 0.18,
            height=radius * 0.5,
            rx=radius * 0.06,
            fill="#4a4f55",
            transform=f"rotate({angle} {cx:.1f} {cy:.1f})",
        )
        for angle in range(0, 360, 72)
    )
    return "".join(
        (
            _tag("circle", cx=cx, cy=cy, r=radius, fill="#1b1c1e"),
            _tag(
                "circle",
                cx=cx,
                cy=cy,
                r=radius * 0.9,
                fill="none",
                stroke="#2d2f33",
                stroke_width=radius * 0.05,
            ),
            _tag("circle", cx=cx, cy=cy, r=radius * 0.68, fill="url(#rim)"),
            *spokes,
            _tag("circle", cx=cx, cy=cy, r=radius * 0.14, fill="#80858b", stroke="#3a3d41"),
        )
    )


def _details(b: Body, at: _Frame, paint: str, pillar: float) -> list[str]:
    """Door seams and handles, the pillar, a reflection, the mirror, the lights, the cladding."""
    low = b.clearance + 0.12
    rear_door = b.length - b.window_back - 0.05
    four_doors = b.length > 3
    seams = [("M", (b.bonnet + 0.05, b.belt)), ("L", (b.bonnet + 0.09, low))]
    seams += [("M", (pillar, b.belt)), ("L", (pillar + 0.01, low))]
    handles = [pillar - 0.32]
    if four_doors:
        seams += [("M", (rear_door, b.belt)), ("L", (rear_door - 0.08, low))]
        handles.append(rear_door - 0.4)
    dark = _shade(paint, -0.5)
    parts = [
        _tag("path", d=at.d(*seams), stroke=_shade(paint, -0.45), stroke_width=2, fill="none"),
        *(
            _tag(
                "rect",
                x=at.x(x),
                y=at.y(b.belt - 0.1),
                width=0.2 * at.scale,
                height=0.045 * at.scale,
                rx=3,
                fill=_shade(paint, -0.35),
            )
            for x in handles
        ),
        _tag(  # the shoulder line catching the light
            "path",
            d=at.d(("M", (0.3, b.belt - 0.12)), ("L", (b.length - 0.15, b.belt - 0.1))),
            stroke=_shade(paint, 0.55),
            stroke_width=2.5,
            opacity=0.45,
            clip_path="url(#body)",
        ),
        _tag(  # the pillar between the doors
            "path",
            d=at.d(
                ("M", (pillar - 0.04, b.height - 0.06, pillar + 0.05, b.height - 0.06)),
                ("L", (pillar + 0.06, b.belt, pillar - 0.03, b.belt)),
            )
            + " Z",
            fill="#10151b",
        ),
        _tag(  # a reflection across the glass
            "path",
            d=at.d(
                ("M", (pillar + 0.2, b.belt)),
                ("L", (pillar + 0.5, b.height - 0.07, pillar + 0.68, b.height - 0.07)),
                ("L", (pillar + 0.38, b.belt)),
            )
            + " Z",
            fill="#fff",
            opacity=0.09,
            clip_path="url(#glass)",
        ),
        _tag(  # the mirror
            "path",
            d=at.d(
                ("M", (b.bonnet + 0.16, b.belt + 0.01, b.bonnet + 0.02, b.belt + 0.04)),
                ("L", (b.bonnet - 0.02, b.belt - 0.06, b.bonnet + 0.14, b.belt - 0.08)),
            )
            + " Z",
            fill=_shade(paint, -0.15),
            stroke=dark,
        ),
        _tag(  # the headlight
            "path",
            d=at.d(
                ("M", (0.02, b.nose - 0.06)),
                ("C", (0.1, b.nose + 0.01, 0.3, b.nose + 0.02, 0.42, b.nose + 0.03)),
                ("L", (0.36, b.nose - 0.05)),
                ("C", (0.22, b.nose - 0.08, 0.1, b.nose - 0.1, 0.03, b.nose - 0.11)),
            )
            + " Z",
            fill="#f6f4ec",
            stroke="#8f9399",
        ),
        _tag(  # the tail light
            "path",
            d=at.d(
                ("M", (b.length - 0.01, b.tail_top - 0.04, b.length - 0.2, b.tail_top - 0.06)),
                ("L", (b.length - 0.17, b.tail_top - 0.17, b.length, b.tail_top - 0.18)),
            )
            + " Z",
            fill="#b51f2b",
            stroke="#5e0c12",
        ),
    ]
    if b.cladding:
        grey = "#2b2d30"
        sill = at.d(
            ("M", (0.25, b.clearance + 0.1, b.length - 0.25, b.clearance + 0.1)),
            ("L", (b.length - 0.2, b.clearance, 0.2, b.clearance)),
        )
        parts.append(_tag("path", d=sill + " Z", fill=grey, clip_path="url(#body)"))
        parts.extend(
            _tag(
                "circle",
                cx=at.x(axle),
                cy=at.y(b.wheel),
                r=(b.wheel + 0.11) * at.scale,
                fill="none",
                stroke=grey,
                stroke_width=0.08 * at.scale,
                clip_path="url(#body)",
            )
            for axle in (b.front_axle, b.front_axle + b.wheelbase)
        )
    return parts


_DEFS: Final = """<linearGradient id="tint" x1="0" y1="0" x2="0" y2="1">
<stop offset="0" stop-color="#3e4c5c"/><stop offset="1" stop-color="#131a22"/></linearGradient>
<radialGradient id="rim" cx="0.4" cy="0.35" r="0.75">
<stop offset="0" stop-color="#eef0f2"/><stop offset="1" stop-color="#888e94"/></radialGradient>
<linearGradient id="studio" x1="0" y1="0" x2="0" y2="1">
<stop offset="0" stop-color="#f4f6f8"/><stop offset="0.78" stop-color="#dde2e7"/>
<stop offset="1" stop-color="#aeb6bf"/></linearGradient>
<radialGradient id="shadow" cx="0.5" cy="0.5" r="0.5">
<stop offset="0" stop-color="#000" stop-opacity="0.4"/>
<stop offset="1" stop-color="#000" stop-opacity="0"/></radialGradient>"""


def draw(body: Body, paint: str) -> str:
    """An SVG side view of the body in the paint colour, in a light studio."""
    at = _Frame(body)
    outline = _outline(body, at)
    windows, pillar = _windows(body, at)
    axles = (body.front_axle, body.front_axle + body.wheelbase)
    wells = (
        _tag("circle", cx=at.x(a), cy=at.y(body.wheel), r=(body.wheel + 0.07) * at.scale)
        for a in axles
    )
    gradient = (
        '<linearGradient id="paint" x1="0" y1="0" x2="0" y2="1">'
        f'<stop offset="0" stop-color="{_shade(paint, 0.35)}"/>'
        f'<stop offset="0.5" stop-color="{paint}"/>'
        f'<stop offset="1" stop-color="{_shade(paint, -0.4)}"/></linearGradient>'
    )
    clips = (
        f'<clipPath id="body"><path d="{outline}"/></clipPath>'
        f'<clipPath id="glass"><path d="{windows}"/></clipPath>'
        f'<clipPath id="above-sill"><rect width="{_WIDTH}" '
        f'height="{at.y(body.clearance) + 1:.1f}"/></clipPath>'
    )
    shadow_width = body.length * at.scale * 0.56
    size = f'viewBox="0 0 {_WIDTH} {_HEIGHT}" width="{_WIDTH}" height="{_HEIGHT}"'
    parts = (
        f'<svg xmlns="http://www.w3.org/2000/svg" {size}>',
        f"<defs>{gradient}\n{_DEFS}\n{clips}</defs>",
        _tag("rect", width=_WIDTH, height=_HEIGHT, fill="url(#studio)"),
        _tag("ellipse", cx=_WIDTH / 2, cy=_GROUND + 3, rx=shadow_width, ry=16, fill="url(#shadow)"),
        f'<g clip-path="url(#above-sill)" fill="#0e1012">{"".join(wells)}</g>',
        _tag("path", d=outline, fill="url(#paint)", stroke=_shade(paint, -0.5), stroke_width=1.5),
        _tag("path", d=windows, fill="url(#tint)", stroke="#0c1015", stroke_width=2),
        *_details(body, at, paint, pillar),
        *(_wheel(at.x(a), at.y(body.wheel), body.wheel * at.scale) for a in axles),
        "</svg>",
    )
    return "\n".join(parts) + "\n"
