"""The core's one error family: every error a user can act on derives from :class:`WorkbenchError`.

``explain()`` is the text the app's message box, the CLI and the logs show: what is
wrong, where, and how to fix it, never a traceback. The app, the CLI and the background
runner catch ``WorkbenchError`` by type; any other exception is a defect of the program
(logged with its traceback, shown to the user as an unexpected problem).

Each family member also keeps the built-in base it had (``ValueError``, ``KeyError``) so
that code catching those still works.
"""

from __future__ import annotations


class WorkbenchError(Exception):
    """An error explained for the user: ``explain()`` says what is wrong and how to fix it."""

    def explain(self) -> str:
        """The user-facing text; by default the message the error was raised with."""
        if self.args and isinstance(self.args[0], str) and self.args[0].strip():
            return self.args[0].strip()  # not str(self): a KeyError would add quotes
        return (type(self).__doc__ or type(self).__name__).strip().splitlines()[0]
