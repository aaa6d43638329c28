"""Errors the store raises for people to read: each message is one line and says where."""


class StoreError(Exception):
    """A user-facing problem with the database or its input."""


class LabelError(StoreError):
    """A label value that the schema does not allow."""


class ImportFileError(StoreError):
    """A bad record in an import file: `file:line: field: problem`."""

    def __init__(self, path: str, line: int, field: str, problem: str):
        self.path, self.line, self.field, self.problem = path, line, field, problem
        super().__init__(f"{path}:{line}: {field}: {problem}")
