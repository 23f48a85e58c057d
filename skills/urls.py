from llm_server.routers import OptionalSlashRouter
from skills.views import SkillViewSet

router = OptionalSlashRouter()
router.register(r"llm_skills", SkillViewSet, basename="llm_skills")
