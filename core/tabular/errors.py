"""What a reader raises when a whole file cannot be read."""


class FileRefused(Exception):
    """The whole file cannot be read; `message` says why and what to do."""

    def __init__(self, message: str, code: str):
        super().__init__(message)
        self.message = message
        self.code = code


class SpreadsheetTooLarge(FileRefused):
    """The file exceeds one of the size limits (`code` names which); nothing was expanded
    beyond the limit."""
