"""Errors that the CLI and the window turn into one clear line for the user."""


class SigncamError(Exception):
    """Base class: the message is written for the user, one line, no traceback."""


class SourceError(SigncamError):
    """A camera, video file or image folder that cannot be opened or read."""


class ModelError(SigncamError):
    """A model file or its labels that are missing, corrupt or inconsistent."""


class DatasetError(SigncamError):
    """A dataset folder, cache, label or path that cannot be used."""


def first_line(exc: Exception) -> str:
    """An exception's message cut to one line (for a one-line error)."""
    text = str(exc).strip()
    return text.splitlines()[0][:200] if text else type(exc).__name__


def run_command(prog: str, command, args, interrupted: str = "") -> int:
    """Run a CLI sub-command: a SigncamError becomes one `prog: error: ...` line and exit code 1."""
    import sys

    try:
        return command(args)
    except SigncamError as exc:
        print(f"{prog}: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        if interrupted:
            print(f"{prog}: interrupted ({interrupted})", file=sys.stderr)
        return 130
