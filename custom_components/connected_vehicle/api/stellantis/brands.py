"""The Stellantis brands: one table of who signs users in where.

Each brand has its own OAuth2 authorization server (ForgeRock AM, "IdP") and
realm; the connected-car API is shared. The consumer apps' client ids are
bound to an app redirect URI (``<scheme>://oauth2redirect/<country>``) that a
browser cannot open, which is why the user pastes the final URL back.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

DEFAULT_API_URL: Final = "https://api.groupe-psa.com/connectedcar/v4"
DEFAULT_COUNTRY: Final = "fr"
DEFAULT_SCOPES: Final = ("openid", "profile", "email")


@dataclass(frozen=True, slots=True)
class Brand:
    """One brand: its IdP, realm and consumer-app redirect."""

    code: str
    name: str
    realm: str  # sent as ``x-introspect-realm`` on every API call
    idp_url: str  # the real authorization server
    app_scheme: str  # the consumer app's redirect scheme
    authorize_path: str = "/am/oauth2/authorize"
    token_path: str = "/am/oauth2/access_token"  # noqa: S105 (a path, not a secret)
    scopes: tuple[str, ...] = DEFAULT_SCOPES

    @property
    def app_redirect_uri(self) -> str:
        """The consumer app's redirect URI for the default country."""
        return self.redirect_uri_for(DEFAULT_COUNTRY)

    def redirect_uri_for(self, country: str) -> str:
        """The consumer app's redirect URI for ``country`` (lowercase ISO code)."""
        return f"{self.app_scheme}://oauth2redirect/{country.lower()}"

    def server_url(self, server: str | None = None) -> str:
        """The IdP's base: the real one, or the brand's IdP on ``server`` (the simulator)."""
        return self.idp_url if server is None else f"{server.rstrip('/')}/idp/{self.code}"

    def authorize_url(self, server: str | None = None) -> str:
        """The authorize endpoint (real, or on ``server``)."""
        return self.server_url(server) + self.authorize_path

    def token_url(self, server: str | None = None) -> str:
        """The token endpoint (real, or on ``server``)."""
        return self.server_url(server) + self.token_path


BRANDS: Final[dict[str, Brand]] = {
    brand.code: brand
    for brand in (
        Brand("peugeot", "Peugeot", "clientsB2CPeugeot", "https://idpcvs.peugeot.com", "mymap"),
        Brand("citroen", "Citroën", "clientsB2CCitroen", "https://idpcvs.citroen.com", "mymacsdk"),
        Brand("ds", "DS", "clientsB2CDS", "https://idpcvs.driveds.com", "mymdssdk"),
        Brand("opel", "Opel", "clientsB2COpel", "https://idpcvs.opel.com", "mymopsdk"),
        Brand(
            "vauxhall",
            "Vauxhall",
            "clientsB2CVauxhall",
            "https://idpcvs.vauxhall.co.uk",
            "mymvxsdk",
        ),
    )
}


def brand(code: str) -> Brand:
    """The brand called ``code`` (peugeot, citroen, ds, opel, vauxhall); KeyError otherwise."""
    return BRANDS[code]
