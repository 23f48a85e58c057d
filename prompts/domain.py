"""Failures of label writes and reads, each answered with a plain `{"detail"}` body."""

from llm_server.domain import DetailError


class LabelNotFound(DetailError):
    status_code = 404

    def __init__(self, *, label: str, prompt_name: str):
        super().__init__(f"Label '{label}' not found on prompt '{prompt_name}'.")


class LabelTargetNotFound(DetailError):
    """The version a label should point at is not an active version of the prompt."""

    status_code = 404

    def __init__(self, *, version: int, prompt_name: str):
        super().__init__(f"Version {version} of prompt '{prompt_name}' not found.")


class LabelLimitReached(DetailError):
    status_code = 400

    def __init__(self, limit: int):
        super().__init__(f"A prompt can have at most {limit} labels.")


class LabelRace(DetailError):
    """Another write to the same label won a race the database settled."""

    status_code = 409

    def __init__(self):
        super().__init__("This label was changed by someone else at the same time. Try again.")
