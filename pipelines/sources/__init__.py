"""Sources of raw data, chosen by WAREHOUSE_SOURCE."""

from __future__ import annotations

from pipelines.config import Settings
from pipelines.sources.base import Source


def source_for(settings: Settings, live_config=None) -> Source:
    # Imported lazily: the live adapters pull in HTTP machinery a sample run never needs.
    if settings.source == "sample":
        from pipelines.sources.sample.source import SampleSource

        return SampleSource(settings)
    if settings.source == "files":
        from pipelines.sources.files import FilesSource

        assert settings.files_dir is not None
        return FilesSource(settings.files_dir)
    from pipelines.sources.live.source import LiveSource

    if live_config is not None:
        return LiveSource(settings, live_config)
    return LiveSource.from_settings(settings)
