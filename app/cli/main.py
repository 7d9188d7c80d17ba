"""``model-picker``: no arguments opens the window; subcommands do the jobs headless.

The runtimes are enabled before anything imports PySDK (a re-exec happens once
for OpenVINO), and every expected failure ends in one line on stderr and a
non-zero exit: 2 for bad input, 1 for a failed run or an output file that could
not be written whole, 130 for Ctrl+C. ``dispatch`` imports each command's module
only when that command runs; no command imports this module.
"""

from __future__ import annotations

import argparse
import logging
import sys
from typing import NoReturn

from model_picker.cli.errors import EXIT_FAILED, EXIT_INTERRUPTED, CliError, end_children
from model_picker.errors import OutputError
from model_picker.redact import redact
from model_picker.zoo.runtime import agents

__all__ = ["build_parser", "dispatch", "main"]


class _Parser(argparse.ArgumentParser):
    """argparse's usage errors quote the arguments given: a URL's credentials are masked first.
    Subcommand parsers are of this class too (argparse makes them of their parent's class)."""

    def error(self, message: str) -> NoReturn:
        super().error(redact(message))


def _registry_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument("--registry", metavar="PATH|URL",
                   help="registry YAML: a file or http(s)/file URL of at most 64 MiB (default: the bundled demo one)")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="model-picker",
        description="Browse a DeGirum model registry and run its models. Without a command: open the window.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("list", help="list registry models, filtered and sorted")
    _registry_arg(p)
    p.add_argument("--task", action="append", default=[], help="keep this task (repeat for any of several)")
    p.add_argument("--hardware", action="append", default=[], help="keep this RUNTIME/DEVICE (repeatable)")
    p.add_argument("--alias", action="append", default=[], help="keep this alias (repeatable)")
    p.add_argument("--meta", action="append", default=[], metavar="KEY=VALUE",
                   help="metadata equal to VALUE (read as YAML: 30 is a number); KEY=LOW..HIGH for a range")
    p.add_argument("--keep-missing", action="append", default=[], metavar="KEY",
                   help="with a --meta KEY=LOW..HIGH range, also keep models without a KEY value (repeatable)")
    p.add_argument("--search", default="", help="words that must all appear (name, alias, description, metadata)")
    p.add_argument("--sort", metavar="KEY", help="sort by name, alias, task, hardware or a metadata key")
    p.add_argument("--desc", action="store_true", help="sort descending")
    p.add_argument("--best", metavar="KEY[:min]", help="only the best model by a numeric metadata key")
    p.add_argument("--json", action="store_true", help="print JSON")

    p = sub.add_parser("show", help="one model's details, its ModelSpec as YAML and a Python snippet")
    _registry_arg(p)
    p.add_argument("name")
    p.add_argument("--host", help="inference host: @local, host[:port] or @cloud")
    p.add_argument("--format", choices=["text", "yaml", "python", "json"], default="text")

    p = sub.add_parser("run", help="run a model on a video, image, folder, camera or stream")
    _registry_arg(p)
    p.add_argument("name")
    p.add_argument("--source", help="video/image/folder path, camera:N or a stream URL (default: bundled Traffic.mp4)")
    p.add_argument("--frames", type=int, help="stop after N frames")
    p.add_argument("--out", metavar="VIDEO.mp4", help="write the annotated video")
    p.add_argument("--results", metavar="FILE.jsonl|.csv", help="write every detection")
    p.add_argument("--host", help="inference host: @local (default from registry), host[:port] or @cloud")
    p.add_argument("--token", help="cloud token (default: $DEGIRUM_CLOUD_TOKEN)")
    p.add_argument("--devices", default="auto", help="device indexes: auto (default), all, or e.g. 0 or 0,1")
    p.add_argument("--realtime", action="store_true", help="play files at their own frame rate")
    p.add_argument("--threshold", type=float, help="confidence threshold (output_confidence_threshold)")
    p.add_argument("--watchdog", type=float, default=10.0, help="seconds without a result before giving up")
    p.add_argument("--quiet", action="store_true", help="no progress line")
    from model_picker.cli.counting_opts import add_arguments as add_counting_arguments

    add_counting_arguments(p)

    p = sub.add_parser("bench", help="validation run: FPS, latency percentiles, breakdown, report")
    _registry_arg(p)
    p.add_argument("names", nargs="+", metavar="NAME", help="one or more models (several: a comparison)")
    p.add_argument("--host", action="append", help="inference host (repeat to compare hosts; default: registry's)")
    p.add_argument("--source", help="video/image/folder (default: the bundled Traffic.mp4)")
    p.add_argument("--frames", type=int, default=300, help="timed frames (default 300)")
    p.add_argument("--warmup", type=int, default=20, help="frames run before timing (default 20)")
    p.add_argument("--devices", default="auto", help="device indexes: auto, all, or e.g. 0")
    p.add_argument("--report", metavar="FILE", help="write a report: .json, .md (with SVG charts), .html or .pdf")

    from model_picker.cli.validate_cmd import add_parser as add_validate

    add_validate(sub)
    from model_picker.cli.compare_cmd import add_parser as add_compare

    add_compare(sub)
    from model_picker.cli.evaluate_cmd import add_parser as add_evaluate

    add_evaluate(sub)

    p = sub.add_parser("fetch", help="fetch a registry model into the local cache for offline use",
                       epilog="Limits: a download must finish within 30 s plus 1 s per 50 KB of the model "
                              "($MODEL_PICKER_FETCH_GRACE_S, $MODEL_PICKER_FETCH_MIN_KBPS), and a server that "
                              "does not declare the size may send at most 1024 MiB ($MODEL_PICKER_FETCH_MAX_MB).")
    _registry_arg(p)
    p.add_argument("name")
    p.add_argument("--zoo-url", help="fetch from this zoo instead of the registry's")
    p.add_argument("--token", help="cloud token (default: $DEGIRUM_CLOUD_TOKEN)")
    p.add_argument("--cloud-sync", action="store_true", help="download again if the zoo has a newer version")

    p = sub.add_parser("cache", help="the local model cache: list, verify or remove models; clear-n2x: "
                                     "delete N2X's compiled models (a damaged one breaks later loads)")
    p.add_argument("action", choices=["list", "verify", "remove", "clear-n2x"])
    p.add_argument("names", nargs="*", metavar="NAME")

    p = sub.add_parser("serve-zoo", help="serve a zoo folder over HTTP to PySDK clients and AI servers")
    p.add_argument("folder")
    p.add_argument("--port", type=int, default=8779)
    p.add_argument("--bind", default="127.0.0.1", help="address to listen on (default: loopback only)")
    p.add_argument("--org", default="local", help="organisation part of the printed zoo URL")
    p.add_argument("--zoo", default="zoo", help="zoo part of the printed zoo URL")
    p.add_argument("--verbose", action="store_true", help="log every request")
    p.add_argument("--inject-fault", help=argparse.SUPPRESS,  # for tests: simulate a bad network
                   choices=["cut", "slow", "404", "500", "corrupt", "no-length", "stall", "redirect-loop", "trickle",
                            "endless"])

    p = sub.add_parser("ai-server", help="start DeGirum's AI server on a zoo folder with every runtime enabled")
    p.add_argument("--zoo", help="zoo folder (default: the bundled demo zoo)")
    p.add_argument("--port", type=int, default=8778)

    sub.add_parser("doctor", help="what this machine can run, and how to fix what it cannot")
    return parser


def dispatch(args: argparse.Namespace) -> int:
    """Run the command; its module is imported only then, so one command never pays for another's imports."""
    command = args.command
    if command in ("list", "show"):
        from model_picker.cli import catalogue_cmds

        return {"list": catalogue_cmds.cmd_list, "show": catalogue_cmds.cmd_show}[command](args)
    if command == "run":
        from model_picker.cli.run import cmd_run

        return cmd_run(args)
    if command in ("fetch", "cache", "serve-zoo"):
        from model_picker.cli import zoo_cmds

        return {"fetch": zoo_cmds.cmd_fetch, "cache": zoo_cmds.cmd_cache,
                "serve-zoo": zoo_cmds.cmd_serve_zoo}[command](args)
    if command == "bench":
        from model_picker.cli.bench import cmd_bench

        return cmd_bench(args)
    if command == "validate":
        from model_picker.cli.validate_cmd import cmd_validate

        return cmd_validate(args)
    if command == "compare":
        from model_picker.cli.compare_cmd import cmd_compare

        return cmd_compare(args)
    if command == "evaluate":
        from model_picker.cli.evaluate_cmd import cmd_evaluate

        return cmd_evaluate(args)
    if command == "ai-server":
        from model_picker.zoo.runtime.ai_server import exec_server

        return exec_server(args.zoo, args.port)
    if command == "doctor":
        from model_picker.cli.doctor import cmd_doctor

        return cmd_doctor(args)
    raise CliError(f"unknown command {command!r}")


def show_warnings() -> None:
    """The core's warnings (a damaged cache file set aside) as one ``model-picker: warning:`` line each."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setLevel(logging.WARNING)
    handler.setFormatter(logging.Formatter("model-picker: warning: %(message)s"))
    logging.getLogger("model_picker").addHandler(handler)


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    agents.prepare_process([sys.executable, "-m", "model_picker", *argv])
    args = build_parser().parse_args(argv)
    if args.command is None:
        from model_picker.ui.shell.app import run_window

        sys.exit(run_window())
    show_warnings()
    try:
        code = dispatch(args)
    except CliError as exc:
        print(f"model-picker: {exc}", file=sys.stderr)
        code = exc.code
    except OutputError as exc:  # a report or recording that could not be written whole (none is left)
        print(f"model-picker: {exc}", file=sys.stderr)
        code = EXIT_FAILED
    except KeyboardInterrupt:
        print("model-picker: interrupted", file=sys.stderr)
        code = EXIT_INTERRUPTED
    finally:
        end_children()  # a model a failed run abandoned keeps its worker, and the worker our stdout and stderr
    sys.exit(code)
