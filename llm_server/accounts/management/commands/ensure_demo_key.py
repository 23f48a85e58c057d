"""First run: creates a demo user, organization, project and key. Later runs print the same key."""

import json
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from llm_server.accounts.models import PersonalAPIKey, hash_key_value

DEMO_EMAIL = "demo@example.com"


class Command(BaseCommand):
    help = "Create (once) and print a demo personal API key with a ready curl line."

    def add_arguments(self, parser):
        parser.add_argument("--port", default="8000")
        parser.add_argument("--file", default=str(Path(settings.BASE_DIR) / "var" / "demo_key.json"))

    def handle(self, *args, **options):
        path = Path(options["file"])
        demo = self._stored(path)
        if demo is None:
            out = _Capture()
            call_command(
                "create_personal_api_key",
                email=DEMO_EMAIL,
                organization="Demo Organization",
                project="Demo Project",
                label="Demo key",
                stdout=out,
            )
            demo = json.loads(out.text)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(demo, indent=2))
            path.chmod(0o600)
        base = f"http://127.0.0.1:{options['port']}"
        self.stdout.write(
            "\n".join(
                [
                    "",
                    f"Demo personal API key:  {demo['key']}",
                    f"Project id:             {demo['project_id']}",
                    f"Project API token:      {demo['project_api_token']}",
                    "",
                    "Try it:",
                    f"  curl -H 'Authorization: Bearer {demo['key']}' {base}/api/projects/{demo['project_id']}/llm_prompts/",
                    f"API docs: {base}/api/docs/",
                    "",
                ]
            )
        )

    @staticmethod
    def _stored(path: Path) -> dict | None:
        """The saved demo key, if it still authenticates against this database."""
        try:
            demo = json.loads(path.read_text())
        except (FileNotFoundError, ValueError):
            return None
        if not PersonalAPIKey.objects.filter(
            secure_value=hash_key_value(demo.get("key", "")), user__is_active=True
        ).exists():
            return None
        return demo


class _Capture:
    def __init__(self):
        self.text = ""

    def write(self, text: str) -> None:
        self.text += text

    def flush(self) -> None:
        pass
