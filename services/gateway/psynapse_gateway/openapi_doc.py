"""The gateway's OpenAPI document as JSON, from ``create_app`` alone.

Building the app connects to nothing (its lifespan does), so the document comes
without a running stack: ``python -m psynapse_gateway.openapi_doc [PATH]`` prints it
or writes it to PATH. ``make api-types`` writes ``frontend/src/api/openapi.json`` with
it and generates the editor's API types from that; a unit test fails when they drift.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from litestar.serialization import encode_json
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource

from psynapse_common.settings import Settings

from .app import create_app


class ShippedSettings(Settings):
    """The settings as shipped: no environment read, so every machine writes the same document."""

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings,)


def openapi_document(settings: Settings | None = None) -> dict[str, Any]:
    """The document ``GET /schema/openapi.json`` serves, as plain JSON data."""
    app = create_app(settings or ShippedSettings())
    document: dict[str, Any] = json.loads(encode_json(app.openapi_schema.to_schema()))
    return document


def render(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    text = render(openapi_document())
    if args:
        Path(args[0]).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)


if __name__ == "__main__":
    main()
