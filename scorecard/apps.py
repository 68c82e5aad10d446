from django.apps import AppConfig


class ScorecardConfig(AppConfig):
    name = "scorecard"
    verbose_name = "履职评价"

    def ready(self):
        from auditlog.registry import auditlog

        from scorecard import library, menu, models, reports  # noqa: F401  (indicators, menu, 待办, generated files)

        for model in (models.Scheme, models.Component, models.SchemeIndicator, models.ManualScore, models.Round):
            auditlog.register(model)
        # Ballot and Voter are NOT registered: the audit log would tie a voter to a moment (SPEC §6, anonymous by
        # construction); scorecard/tests/test_evaluation.py proves the log holds nothing of a ballot.
