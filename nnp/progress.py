"""Progress bars on the terminal (rich), and none at all when the output is not a terminal
(piped, redirected to a file, CI): scripts get the final lines only."""

from __future__ import annotations

import contextlib
import sys
from typing import Callable, Iterator

from rich.console import Console
from rich.progress import (BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn,
                           TimeRemainingColumn)


def on_terminal(stream=None) -> bool:
    stream = stream or sys.stderr
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


@contextlib.contextmanager
def progress_bar(total: int, description: str, stream=None) -> Iterator[Callable[..., None]]:
    """A bar on `stream` (stderr by default) when it is a terminal; yields update(completed,
    **fields) where fields fill the bar's `{task.fields[info]}` text."""
    stream = stream or sys.stderr
    if not on_terminal(stream):
        yield lambda completed, **fields: None
        return
    console = Console(file=stream, force_terminal=True)
    columns = [TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
               TextColumn("{task.fields[info]}"), TimeElapsedColumn(), TimeRemainingColumn()]
    with Progress(*columns, console=console, transient=False) as progress:
        task = progress.add_task(description, total=total, info="")

        def update(completed: int, **fields) -> None:
            progress.update(task, completed=completed, **({"info": fields["info"]} if "info" in fields else {}))

        yield update
