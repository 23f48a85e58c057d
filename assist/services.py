"""Translation of a text by the configured model."""

from django.conf import settings
from django.conf.locale import LANG_INFO

from assist.domain import TranslationFailed
from llm_server import llm

DEFAULT_TARGET_LANGUAGE = "en"
PROVIDER = "openai"
SYSTEM_PROMPT = (
    "Translate the following text to {language}. "
    "Return only the translation, without any explanation, notes or quotation marks. "
    "Preserve the original formatting, including line breaks, lists and markdown."
)


def language_name(code: str) -> str:
    """The English name of a language code (`es` -> `Spanish`, `pt-br` -> `Brazilian Portuguese`);
    a code the table does not know is used as given."""
    info = LANG_INFO.get(code.strip().lower().replace("_", "-"))
    if info and "name" not in info:
        info = LANG_INFO.get((info.get("fallback") or [""])[0])
    return info["name"] if info and "name" in info else code


def translation_messages(text: str, target_language: str) -> list[dict[str, str]]:
    system = SYSTEM_PROMPT.format(language=language_name(target_language))
    return [{"role": "system", "content": system}, {"role": "user", "content": text}]


def translate(*, text: str, target_language: str = DEFAULT_TARGET_LANGUAGE) -> dict:
    """The translation of `text`; the source language is never detected (always null)."""
    try:
        content = llm.chat(
            translation_messages(text, target_language), timeout=settings.LLM_TRANSLATE_TIMEOUT_SECONDS
        )
    except llm.LLMError as exc:
        raise TranslationFailed() from exc
    return {"translation": (content or "").strip(), "detected_language": None, "provider": PROVIDER}
