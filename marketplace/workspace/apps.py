from django.apps import AppConfig


class WorkspaceConfig(AppConfig):
    name = "marketplace.workspace"
    verbose_name = "Ruang kerja"
