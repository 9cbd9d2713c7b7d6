"""Ratings' releases become releases of every count people see: votes, "kender den ikke", "belaster".

The existing rows are ratings' releases: renamed in place, they keep their figures.
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("mapping", "0007_i11a_security"),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="ratingrelease", name="rating_release_unique"),
        migrations.RenameModel(old_name="RatingRelease", new_name="Release"),
        migrations.AlterModelOptions(
            name="release",
            options={"verbose_name": "offentliggjort tal", "verbose_name_plural": "offentliggjorte tal"},
        ),
        migrations.AddField(
            model_name="release",
            name="kind",
            field=models.CharField(
                choices=[
                    ("suggestion", "Forslag"),
                    ("rating", "Bedømmelse"),
                    ("comment", "Kommentar"),
                    ("vote", "Stemme"),
                    ("unknown", "Kender den ikke"),
                    ("burden", "Belaster"),
                ],
                default="rating",
                max_length=12,
                verbose_name="type",
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="release",
            name="action",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="releases",
                to="mapping.action",
            ),
        ),
        migrations.AddField(
            model_name="release",
            name="finding",
            field=models.CharField(blank=True, max_length=200, verbose_name="fund"),
        ),
        migrations.AlterField(
            model_name="release",
            name="initiative",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="releases",
                to="mapping.initiative",
            ),
        ),
        migrations.AlterField(
            model_name="release",
            name="workshop",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE, related_name="releases", to="mapping.workshop"
            ),
        ),
        migrations.AlterField(
            model_name="release", name="purpose_total", field=models.PositiveIntegerField(default=0)
        ),
        migrations.AlterField(model_name="release", name="works_total", field=models.PositiveIntegerField(default=0)),
        migrations.AddConstraint(
            model_name="release",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("kind__in", ["suggestion", "rating", "comment", "vote", "unknown", "burden"])
                ),
                name="release_kind_valid",
            ),
        ),
        migrations.AddConstraint(
            model_name="release",
            constraint=models.UniqueConstraint(
                condition=models.Q(("initiative__isnull", False)),
                fields=("workshop", "kind", "initiative"),
                name="release_unique_initiative",
            ),
        ),
        migrations.AddConstraint(
            model_name="release",
            constraint=models.UniqueConstraint(
                condition=models.Q(("action__isnull", False)),
                fields=("workshop", "kind", "action"),
                name="release_unique_action",
            ),
        ),
        migrations.AddConstraint(
            model_name="release",
            constraint=models.UniqueConstraint(
                condition=models.Q(("action__isnull", True), ("initiative__isnull", True)),
                fields=("workshop", "kind", "finding"),
                name="release_unique_finding",
            ),
        ),
    ]
