from django.db import migrations


def keep_current_decisions(apps, schema_editor):
    # Until now a survey kept only its latest decision: that one becomes its first review
    # row. A survey resubmitted after being returned still carries that return.
    Survey = apps.get_model("mapping", "Survey")
    SurveyReview = apps.get_model("mapping", "SurveyReview")
    SurveyReview.objects.bulk_create(
        (
            SurveyReview(
                survey_id=survey.pk,
                reviewer_id=survey.reviewer_id,
                decision="approved" if survey.status == "verified" else "returned",
                comment=survey.review_comment,
                decided_at=survey.reviewed_at,
            )
            for survey in Survey.objects.filter(reviewed_at__isnull=False).iterator()
        ),
        batch_size=500,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("mapping", "0009_survey_reviews"),
    ]

    operations = [
        migrations.RunPython(keep_current_decisions, migrations.RunPython.noop),
    ]
