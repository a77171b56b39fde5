from django.apps import AppConfig


class ProposalsConfig(AppConfig):
    name = "marketplace.proposals"
    verbose_name = "Proposal"
