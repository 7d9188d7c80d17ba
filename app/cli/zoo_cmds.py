"""``fetch``, ``cache`` and ``serve-zoo``: models for offline use, and zoos for others."""

from __future__ import annotations

import argparse
import sys
import threading
from pathlib import Path

from model_picker.cli.errors import EXIT_FAILED, CliError
from model_picker.cli.registry_args import find_model, load_catalogue
from model_picker.errors import InferenceError
from model_picker.session.plan import RunPlan, default_token, prepare
from model_picker.zoo import cache
from model_picker.zoo.fetch import Progress
from model_picker.zoo.hosts import LOCAL


def cmd_fetch(args: argparse.Namespace) -> int:
    catalogue = load_catalogue(args.registry)
    plan = RunPlan(catalogue, find_model(catalogue, args.name), host=LOCAL, token=args.token or default_token(),
                   zoo_url=args.zoo_url)
    tty = sys.stderr.isatty()

    def show(p: Progress) -> None:
        if tty:
            print(f"\r{p.text():<80}", end="", file=sys.stderr, flush=True)

    try:
        local = prepare(plan, cloud_sync=args.cloud_sync, progress=show, cancel=threading.Event())
    except InferenceError as exc:  # a fetch that failed, or an entry that cannot make a spec
        raise CliError(f"{args.name}: {exc}", EXIT_FAILED) from None
    finally:
        if tty:
            print(file=sys.stderr)
    print(local.zoo_url)
    return 0


def cmd_cache(args: argparse.Namespace) -> int:
    if args.action == "clear-n2x":
        from model_picker.cli.doctor import clear_n2x

        return clear_n2x()
    if args.action == "list":
        models = cache.list_cached()
        for m in models:
            print(f"{m.name:<40} {m.size_bytes / 1e6:8.1f} MB  {m.modified_text()}  {m.zoo_url or '-'}")
        for folder in cache.staging():
            print(folder.text())
        print(f"{len(models)} models, {cache.total_bytes() / 1e6:.1f} MB in {cache.cache_root()}", file=sys.stderr)
        return 0
    names = args.names or ([m.name for m in cache.list_cached()] if args.action == "verify" else [])
    if not names:
        raise CliError(f"cache {args.action}: name at least one model (`model-picker cache list` shows them)")
    bad = 0
    for name in names:
        try:
            if args.action == "remove":
                cache.remove(name)
                print(f"removed {name}")
                continue
            problems = cache.verify(name)
        except KeyError:
            raise CliError(f"{name} is not in the cache ({cache.cache_root()})") from None
        print(f"{name}: {'OK' if not problems else 'PROBLEMS'}")
        for problem in problems:
            print(f"  {problem}")
        bad += bool(problems)
    return EXIT_FAILED if bad else 0


def cmd_serve_zoo(args: argparse.Namespace) -> int:
    from model_picker.zoo.server import Fault, ZooHTTPServer

    folder = Path(args.folder)
    if not folder.is_dir():
        raise CliError(f"{folder}: not a folder")
    try:
        server = ZooHTTPServer(folder, bind=args.bind, port=args.port, verbose=args.verbose)
    except OSError as exc:
        raise CliError(f"cannot listen on {args.bind}:{args.port}: {exc.strerror}") from None
    if args.inject_fault:
        server.fault = Fault(args.inject_fault)
    models = server.zoo.models()
    print(f"Serving {len(models)} models from {folder.resolve()}", file=sys.stderr)
    print(server.zoo_url(args.org, args.zoo), flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0
