from llm_server.routers import OptionalSlashRouter
from prompts.views import PromptViewSet

router = OptionalSlashRouter()
router.register(r"llm_prompts", PromptViewSet, basename="llm_prompts")
