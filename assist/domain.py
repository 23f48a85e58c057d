"""Domain errors of translation."""

from llm_server.domain import ServiceFailure


class TranslationFailed(ServiceFailure):
    """The model could not translate (any failure of the call): a 500 that hides the cause."""

    default_code = "translation_error"

    def __init__(self):
        super().__init__("Translation failed due to an internal error.")
