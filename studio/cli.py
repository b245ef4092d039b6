"""`loomwork studio`: registered with the CLI through the `loomwork.cli` entry point."""

from __future__ import annotations

import argparse

__all__ = ["register"]


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("studio", help="open the flow editor")
    parser.add_argument("flows", nargs="*", metavar="FLOW", help=".loom files to open")
    parser.add_argument("--screenshot", metavar="PNG", help="render the window to PNG and exit")
    parser.add_argument("--size", help="window size, WxH (default for --screenshot: 1600x1000)")
    parser.add_argument("--run", action="store_true",
                        help="run the (first) flow in the studio; with --screenshot, shoot when it ends")
    parser.add_argument("--theme", choices=("system", "light", "dark"),
                        help="colour theme (default: the one chosen in the studio)")
    parser.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    from studio.app import run_studio

    return run_studio(args.flows, screenshot=args.screenshot, size=args.size, theme_name=args.theme,
                      run=args.run)
