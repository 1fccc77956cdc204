"""Run the simulator as a server: ``python -m simulator --port 8765``."""

from __future__ import annotations

import argparse

from aiohttp import web

from .app import Simulator


def main() -> None:
    """Parse the arguments, print how to use the simulator and serve it."""
    parser = argparse.ArgumentParser(prog="python -m simulator", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--port", type=int, default=8765, help="port to listen on")
    parser.add_argument(
        "--speed", type=float, default=1.0, help="simulated seconds per real second"
    )
    parser.add_argument(
        "--v2-port", type=int, default=6867, help="OVMS protocol v2 app port, plain TCP (0: any)"
    )
    parser.add_argument(
        "--v2-tls-port", type=int, default=6870, help="OVMS protocol v2 app port, TLS (0: any)"
    )
    args = parser.parse_args()
    sim = Simulator(realtime=True, speed=args.speed)
    sim.app.cleanup_ctx.append(
        sim.ovms.app_server.serving(args.host, args.v2_port, args.v2_tls_port)
    )
    url = f"http://{args.host}:{args.port}"
    print(f"Connected Vehicle simulator on {url} (speed x{args.speed:g})")  # noqa: T201
    print(  # noqa: T201
        f"  OVMS protocol v2 for apps: TCP {args.v2_port}, TLS {args.v2_tls_port} "
        f"(CA certificate: {url}/admin/ovms/v2/ca.pem)"
    )
    for backend in sim.backends:
        for account in sim.world.accounts:
            if account.backend == backend.name:
                cars = ", ".join(account.vehicle_ids) or "no cars"
                print(  # noqa: T201
                    f"  {backend.name}: {account.username} / {account.password}: {cars}"
                )
    print(f"  accounts, tokens and admin API: {url}/")  # noqa: T201
    web.run_app(sim.app, host=args.host, port=args.port, print=None)


if __name__ == "__main__":
    main()
