"""Flags and defaults every subcommand shares."""

from __future__ import annotations

import argparse
import getpass
import re
import sys

from devserver.errors import UserError

__all__ = ["ask_on_terminal", "default_stage", "port_number", "resolve_stage"]


def default_stage() -> str:
    """The local user name, as SST's default stage, reduced to the characters a stage may hold."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = "local"
    return re.sub(r"[^A-Za-z0-9-]+", "-", user).strip("-") or "local"


def resolve_stage(args: argparse.Namespace) -> str:
    return str(args.stage) if args.stage else default_stage()


def ask_on_terminal(question: str, command: str) -> bool:
    """Ask a yes/no question on the terminal (default no); `command` names the command that deletes data, for the
    error when there is no terminal to ask on."""
    if not sys.stdin.isatty():
        raise UserError(f"{command} deletes data: pass --yes to confirm when stdin is not a terminal")
    return input(f"{question} [y/N] ").strip().lower() in ("y", "yes")


def port_number(value: str) -> int:
    try:
        port = int(value)
    except ValueError:
        port = -1
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{value} is not a port number (0-65535)")
    return port
