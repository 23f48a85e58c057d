from llm_server.routers import OptionalSlashRouter

router = OptionalSlashRouter()
