"""`nn-playground` / `python -m server.cli`: start the server and print the page's URL.

`nn-playground train ...` and `nn-playground sweep ...` are the scripting commands (nnp/cli.py);
`nn-playground serve ...` and no subcommand at all both start the server."""

from __future__ import annotations

import argparse
import sys

import uvicorn

from .ids import check_node
from .settings import LOOPBACK_HOSTS, Settings, default_data_dir


TOOL_COMMANDS = ("train", "sweep")


def main(argv: list[str] | None = None) -> int | None:
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv and argv[0] in TOOL_COMMANDS:
        from nnp.cli import main as tool_main
        return tool_main(argv)
    if argv and argv[0] == "serve":
        argv = argv[1:]
    parser = argparse.ArgumentParser(prog="nn-playground", description="Watch a neural network "
                                     "learn: serve the page and the API.",
                                     epilog="Also: `nn-playground train --help`, "
                                            "`nn-playground sweep --help` (scripting commands).")
    parser.add_argument("--host", default="127.0.0.1", help="interface (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    parser.add_argument("--max-runs", type=int, default=Settings.max_runs,
                        help=f"live runs at once (default {Settings.max_runs})")
    parser.add_argument("--run-ttl", type=float, default=Settings.run_ttl_seconds,
                        help="seconds before an idle run expires (default 3600)")
    parser.add_argument("--allow-origin", action="append", default=[], metavar="ORIGIN",
                        help="another origin whose pages may drive runs, e.g. http://localhost:3000")
    parser.add_argument("--allow-host", action="append", default=[], metavar="NAME",
                        help="another Host name to answer to (default: loopback names only when "
                             "bound to loopback; any name otherwise)")
    parser.add_argument("--data-dir", default=None, metavar="DIR",
                        help="where the store keeps saved runs and your datasets (one SQLite "
                             "file, created on first use; default $NN_PLAYGROUND_DATA_DIR or "
                             f"{default_data_dir()})")
    parser.add_argument("--max-viewers", type=int, default=Settings.max_viewers_per_run,
                        help=f"viewers of one run at once (default {Settings.max_viewers_per_run})")
    parser.add_argument("--node", default="", metavar="NAME",
                        help="this process's name among several behind one proxy (1-16 lower-case "
                             "letters or digits): every id starts with NAME. (README)")
    args = parser.parse_args(argv)
    try:
        check_node(args.node)
    except ValueError as exc:
        parser.error(str(exc))
    from .app import create_app
    loopback = args.host in LOOPBACK_HOSTS
    if args.allow_host or loopback:
        allowed_hosts = tuple(dict.fromkeys([*LOOPBACK_HOSTS, args.host, *args.allow_host]))
    else:
        allowed_hosts = None
        print(f"nn-playground: listening on {args.host}: anyone who can reach this machine can "
              "use it (bind 127.0.0.1 to keep it local)", flush=True)
    settings = Settings(max_runs=args.max_runs, run_ttl_seconds=args.run_ttl,
                        max_viewers_per_run=args.max_viewers, node=args.node,
                        allowed_origins=tuple(args.allow_origin), allowed_hosts=allowed_hosts,
                        **({"data_dir": args.data_dir} if args.data_dir else {}))
    shown = "localhost" if args.host in ("0.0.0.0", "::") else args.host
    print(f"nn-playground: open http://{shown}:{args.port}/", flush=True)
    uvicorn.run(create_app(settings), host=args.host, port=args.port, ws="websockets-sansio",
                ws_per_message_deflate=False, ws_max_size=4 * settings.max_message_bytes,
                log_level="warning")


if __name__ == "__main__":
    sys.exit(main())
