"""The five brands: each its own authorization server (IdP) and realm, one shared API."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final


@dataclass(frozen=True)
class SimBrand:
    """One brand as the API and its IdP know it."""

    code: str  # the world's account back end, and the IdP path segment
    name: str
    realm: str  # the ``x-introspect-realm`` header naming the IdP that issued the token
    brand_code: str  # ``brandCode`` on the vehicle resources

    @property
    def authorize_path(self) -> str:
        """Where the brand's IdP authorizes (the real one is idpcvs.<brand>/am/oauth2/...)."""
        return f"/idp/{self.code}/am/oauth2/authorize"

    @property
    def token_path(self) -> str:
        """Where the brand's IdP hands out tokens."""
        return f"/idp/{self.code}/am/oauth2/access_token"


BRANDS: Final = {
    b.code: b
    for b in (
        SimBrand("peugeot", "Peugeot", "clientsB2CPeugeot", "AP"),
        SimBrand("citroen", "Citroën", "clientsB2CCitroen", "AC"),
        SimBrand("ds", "DS", "clientsB2CDS", "DS"),
        SimBrand("opel", "Opel", "clientsB2COpel", "OP"),
        SimBrand("vauxhall", "Vauxhall", "clientsB2CVauxhall", "VX"),
    )
}
BY_REALM: Final = {b.realm: b for b in BRANDS.values()}
# What the consumer apps ask for; the API does not check scopes per remote here.
SCOPES: Final = ("openid", "profile", "email")
